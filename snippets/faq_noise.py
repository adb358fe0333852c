"""Does momentum average gradient noise away? Not at the same effective learning rate.

On f(x) = h x^2 / 2 with gradient noise of variance sigma^2, the iterate settles into a stationary
spread. Heavy ball with (lr, gamma) and plain SGD with lr / (1 - gamma) give the same stationary
variance to first order in the step; they differ only where plain SGD with the larger step is
close to its stability limit. The exact variances come from the stationary (Lyapunov) equation of
each linear recursion; a run of torch.optim.SGD over many independent chains checks one of them.
"""

import numpy as np
import torch

device = "cuda" if torch.cuda.is_available() else "cpu"


# --8<-- [start:variance]
def stationary_variance(lr, gamma, h, sigma=1.0):
    """Var(x) in the long run for x+ = x - lr (h x + noise) + gamma (x - x_prev).

    The state s = (x, x_prev) follows s+ = T s + b noise, so its covariance P solves
    P = T P T^T + sigma^2 b b^T; gamma = 0 is plain SGD."""
    t = np.array([[1 + gamma - lr * h, -gamma], [1.0, 0.0]])
    b = np.array([-lr, 0.0])
    # vec(T P T^T) = (T kron T) vec(P): one linear solve
    p = np.linalg.solve(np.eye(4) - np.kron(t, t), sigma**2 * np.outer(b, b).ravel())
    return p[0]


def measured_variance(lr, gamma, h, chains=20000, burn_in=500, steps=1000, seed=0):
    """torch.optim.SGD on `chains` independent copies; the variance across chains and steps."""
    gen = torch.Generator(device=device).manual_seed(seed)
    x = torch.zeros(chains, dtype=torch.float64, device=device, requires_grad=True)
    opt = torch.optim.SGD([x], lr=lr, momentum=gamma)
    total = 0.0
    for k in range(burn_in + steps):
        noise = torch.randn(chains, generator=gen, dtype=torch.float64, device=device)
        x.grad = h * x.detach() + noise
        opt.step()
        if k >= burn_in:
            total += x.detach().pow(2).mean().item()
    return total / steps


# --8<-- [end:variance]

if __name__ == "__main__":
    torch.set_num_threads(1)
    print(f"device {device}; f = h x^2 / 2, gradient noise variance 1, momentum 0.9")
    print("stationary Var(x): heavy ball (lr, 0.9) against plain SGD at lr / (1 - 0.9)")
    print(f"{'lr/(1-gamma) * h':>17} {'momentum':>11} {'plain SGD':>11} {'ratio':>7}")
    # --8<-- [start:table]
    gamma, h = 0.9, 1.0
    for eff_h in (0.001, 0.01, 0.1, 0.5, 1.0, 1.9):
        lr = eff_h * (1 - gamma) / h
        mom = stationary_variance(lr, gamma, h)
        sgd = stationary_variance(lr / (1 - gamma), 0.0, h)
        print(f"{eff_h:>17} {mom:>11.4g} {sgd:>11.4g} {mom / sgd:>7.4f}")
    # --8<-- [end:table]
    lr = 0.1 * (1 - gamma)
    print("\ntorch.optim.SGD, 20,000 chains, lr/(1-gamma) * h = 0.1:")
    for name, (lr_run, g_run) in {
        "momentum 0.9": (lr, gamma),
        "plain SGD": (lr / (1 - gamma), 0.0),
    }.items():
        print(f"  {name:<13} measured {measured_variance(lr_run, g_run, h):.4f}", end="")
        print(f"   predicted {stationary_variance(lr_run, g_run, h):.4f}")
