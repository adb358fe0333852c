"""The stationary variance of SGD with momentum on a noisy one-dimensional quadratic."""

import torch


def closed_form(lr, h, momentum, noise_var):
    """Var(theta) = lr s2 (1 + m) / (h (1 - m) (2 (1 + m) - lr h))."""
    m = momentum
    return lr * noise_var * (1 + m) / (h * (1 - m) * (2 * (1 + m) - lr * h))


def simulated(lr, h, momentum, noise_var, steps=3000, chains=20000):
    """Variance over many independent runs of torch.optim.SGD, gradient h theta + noise."""
    gen = torch.Generator().manual_seed(0)
    theta = torch.zeros(chains, dtype=torch.float64, requires_grad=True)
    opt = torch.optim.SGD([theta], lr=lr, momentum=momentum)
    for _ in range(steps):
        noise = torch.randn(chains, generator=gen, dtype=torch.float64) * noise_var**0.5
        theta.grad = h * theta.detach() + noise
        opt.step()
    return theta.detach().var().item()


if __name__ == "__main__":
    h, noise_var = 1.0, 1.0
    print(f"{'lr':>6} {'m':>5} {'closed form':>12} {'20,000 runs':>12} {'lr/(2h(1-m))':>13}")
    for lr, m in ((0.01, 0.0), (0.01, 0.9), (0.1, 0.9), (0.5, 0.5)):
        print(
            f"{lr:>6} {m:>5} {closed_form(lr, h, m, noise_var):>12.5f}"
            f" {simulated(lr, h, m, noise_var):>12.5f} {lr / (2 * h * (1 - m)):>13.5f}"
        )
