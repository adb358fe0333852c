"""Forgetting optimizer.zero_grad(): the gradients add up in .grad, and momentum diverges.

f(w) = (w - 1)^2 from w = 5 with SGD(lr, momentum=0.9), once with zero_grad() every step and
once without. Without it, .grad holds the sum of all gradients so far: one more accumulator in
the loop. The error e = w - 1 then follows (z - 1)^2 (z - gamma) + lr h z^2 = 0 (h = f'' = 2),
whose largest root has modulus above 1 for every lr > 0.
"""

import json
import os
from pathlib import Path

import numpy as np
import torch

CURVATURE, MOMENTUM, STEPS = 2.0, 0.9, 300


def run(lr, zero_grad, steps=STEPS):
    """Distance |w - 1| after each step of the usual training loop."""
    w = torch.nn.Parameter(torch.tensor([5.0], dtype=torch.float64))
    opt = torch.optim.SGD([w], lr=lr, momentum=MOMENTUM)
    out = []
    for _ in range(steps):
        if zero_grad:
            opt.zero_grad()
        loss = ((w - 1) ** 2).sum()
        loss.backward()  # adds to w.grad: without zero_grad(), .grad is a running sum
        opt.step()
        out.append(abs(w.item() - 1))
    return np.array(out)


def growth_per_step(lr, gamma=MOMENTUM, h=CURVATURE):
    """Largest |root| of (z - 1)^2 (z - gamma) + lr h z^2 = 0: the error's factor per step."""
    cubic = np.polymul(np.polymul([1, -1], [1, -1]), [1, -gamma]) + np.array([0, lr * h, 0, 0])
    return np.abs(np.roots(cubic)).max()


def small_lr_estimate(lr, gamma=MOMENTUM, h=CURVATURE):
    """Small lr, z = 1 + d to second order in d: |z| = 1 + lr h gamma / (2 (1 - gamma)^2)."""
    return 1 + lr * h * gamma / (2 * (1 - gamma) ** 2)


if __name__ == "__main__":
    print(f"f(w) = (w - 1)^2 from w = 5, momentum {MOMENTUM}, {STEPS} steps: |w - 1| at the end")
    lrs, runs = (0.01, 0.001), {}
    for lr in lrs:
        runs[lr] = {"with": run(lr, True), "without": run(lr, False)}
        print(f"  lr {lr:<6} with zero_grad(): {runs[lr]['with'][-1]:9.2e}", end="")
        print(f"   without: {runs[lr]['without'][-1]:9.2e}")
    print("factor per step without zero_grad(): the cubic's largest root; small-lr estimate")
    for lr in (1e-1, 1e-2, 1e-3, 1e-5, 1e-7):
        print(f"  lr {lr:<7} {growth_per_step(lr):.10f}   {small_lr_estimate(lr):.10f}")

    # the growth the loop shows at lr 0.01: complex roots make |w - 1| oscillate (period 26
    # steps), so compare the envelopes (largest values) of two windows 100 steps apart
    dist = runs[0.01]["without"]
    measured = float((dist[-60:].max() / dist[-160:-100].max()) ** (1 / 100))
    # the second-order estimate's excess over 1, relative to the cubic's, for small lr
    estimate_error = max(
        abs((small_lr_estimate(lr) - 1) / (growth_per_step(lr) - 1) - 1) for lr in (1e-6, 1e-7)
    )
    results = {
        "lrs": list(lrs),
        "final_with": [float(runs[lr]["with"][-1]) for lr in lrs],
        "final_without": [float(runs[lr]["without"][-1]) for lr in lrs],
        "measured_growth": measured,
        "root_growth": float(growth_per_step(0.01)),
        "estimate_error": float(estimate_error),
        "estimate_within_1pct": bool(estimate_error < 0.01),
    }
    if "DOCRUN_RESULTS" in os.environ:  # the site's build quotes these numbers on its pages
        Path(os.environ["DOCRUN_RESULTS"]).write_text(json.dumps(results))
