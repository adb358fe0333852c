"""Does momentum average gradient noise away? Not at the same effective learning rate.

On f(x) = h x^2 / 2 with gradient noise of variance sigma^2, the iterate settles into a stationary
spread. Heavy ball with (lr, gamma) and plain SGD with lr / (1 - gamma) give the same stationary
variance to first order in the step; they differ only where plain SGD with the larger step is
close to its stability limit. The exact variances come from the stationary (Lyapunov) equation of
each linear recursion; a run of torch.optim.SGD over many independent chains checks one of them.
"""

import json
import os
from pathlib import Path

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
    """torch.optim.SGD on `chains` independent copies: the mean of x^2 over chains and steps,
    and its standard error (from the spread of the chains' own means: they are independent)."""
    gen = torch.Generator(device=device).manual_seed(seed)
    x = torch.zeros(chains, dtype=torch.float64, device=device, requires_grad=True)
    opt = torch.optim.SGD([x], lr=lr, momentum=gamma)
    per_chain = torch.zeros(chains, dtype=torch.float64, device=device)
    for k in range(burn_in + steps):
        noise = torch.randn(chains, generator=gen, dtype=torch.float64, device=device)
        x.grad = h * x.detach() + noise
        opt.step()
        if k >= burn_in:
            per_chain += x.detach() ** 2
    per_chain /= steps
    return per_chain.mean().item(), (per_chain.std() / chains**0.5).item()


# --8<-- [end:variance]

A = (0.001, 0.01, 0.1, 0.5, 1.0, 1.9)  # lr / (1 - gamma) * h: the effective step, in curvatures
CHAINS = 20000


def key(number):
    """A result name for a setting: 0.001 -> "0_001"."""
    return str(number).replace(".", "_")


if __name__ == "__main__":
    torch.set_num_threads(1)
    results = {"momentum": {}, "plain": {}, "ratio": {}}
    print(f"device {device}; f = h x^2 / 2, gradient noise variance 1, momentum 0.9")
    print("stationary Var(x): heavy ball (lr, 0.9) against plain SGD at lr / (1 - 0.9)")
    print(f"{'lr/(1-gamma) * h':>17} {'momentum':>11} {'plain SGD':>11} {'ratio':>7}")
    # --8<-- [start:table]
    gamma, h = 0.9, 1.0
    for eff_h in A:
        lr = eff_h * (1 - gamma) / h
        mom = stationary_variance(lr, gamma, h)
        sgd = stationary_variance(lr / (1 - gamma), 0.0, h)
        print(f"{eff_h:>17} {mom:>11.4g} {sgd:>11.4g} {mom / sgd:>7.4f}")
        results["momentum"][key(eff_h)], results["plain"][key(eff_h)] = mom, sgd
        results["ratio"][key(eff_h)] = mom / sgd
    # --8<-- [end:table]
    print("\nthe same lr, lr * h = 0.01, and a larger gamma: Var(x) over plain SGD's")
    plain = stationary_variance(0.01, 0.0, h)
    results["same_lr"] = {}
    for g in (0.5, 0.9, 0.99):
        results["same_lr"][key(g)] = stationary_variance(0.01, g, h) / plain
        print(f"  gamma {g}: {results['same_lr'][key(g)]:.1f}", end="")
    print()
    lr = 0.1 * (1 - gamma)
    print(f"\ntorch.optim.SGD, {CHAINS:,} chains, lr/(1-gamma) * h = 0.1:")
    results["chains"] = {}
    for name, (lr_run, g_run) in {
        "momentum 0.9": (lr, gamma),
        "plain SGD": (lr / (1 - gamma), 0.0),
    }.items():
        measured, error = measured_variance(lr_run, g_run, h, chains=CHAINS)
        predicted = stationary_variance(lr_run, g_run, h)
        print(f"  {name:<13} measured {measured:.4f} ± {error:.1g}   predicted {predicted:.4f}")
        results["chains"]["momentum" if g_run else "plain"] = {
            "measured": measured,
            "standard_error": error,
            "predicted": predicted,
        }
    chains = results["chains"].values()
    results["chains_deviation_percent"] = max(
        100 * abs(c["measured"] / c["predicted"] - 1) for c in chains
    )
    # measured and predicted agree: within 4 standard errors (a chance of 6e-5 of a miss)
    results["chains_agree"] = all(
        abs(c["measured"] - c["predicted"]) < 4 * c["standard_error"] for c in chains
    )
    if "DOCRUN_RESULTS" in os.environ:  # the site's build quotes these numbers on its pages
        Path(os.environ["DOCRUN_RESULTS"]).write_text(json.dumps(results))
