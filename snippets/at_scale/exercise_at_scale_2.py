"""The stationary variance of SGD with momentum on a noisy one-dimensional quadratic."""

import json
import os
from pathlib import Path

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


SETTINGS = ((0.01, 0.0), (0.01, 0.9), (0.1, 0.9), (0.5, 0.5))  # (lr, momentum)

if __name__ == "__main__":
    h, noise_var = 1.0, 1.0
    print(f"{'lr':>6} {'m':>5} {'closed form':>12} {'20,000 runs':>12} {'lr/(2h(1-m))':>13}")
    results = {"closed_form": [], "simulated": []}  # in the order of SETTINGS
    for lr, m in SETTINGS:
        results["closed_form"].append(closed_form(lr, h, m, noise_var))
        results["simulated"].append(simulated(lr, h, m, noise_var))
        print(
            f"{lr:>6} {m:>5} {results['closed_form'][-1]:>12.5f}"
            f" {results['simulated'][-1]:>12.5f} {lr / (2 * h * (1 - m)):>13.5f}"
        )
    pairs = zip(results["simulated"], results["closed_form"], strict=True)
    results["largest_deviation"] = max(abs(s / c - 1) for s, c in pairs)
    if "DOCRUN_RESULTS" in os.environ:  # the site's build quotes these numbers on its pages
        Path(os.environ["DOCRUN_RESULTS"]).write_text(json.dumps(results))
