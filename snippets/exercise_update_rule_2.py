"""Forgetting optimizer.zero_grad(): the gradients add up in .grad, and momentum diverges.

f(w) = (w - 1)^2 from w = 5 with SGD(lr, momentum=0.9), once with zero_grad() every step and
once without. Without it, .grad holds the sum of all gradients so far: one more accumulator in
the loop. The error e = w - 1 then follows (z - 1)^2 (z - gamma) + lr h z^2 = 0 (h = f'' = 2),
whose largest root has modulus above 1 for every lr > 0.
"""

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
    for lr in (0.01, 0.001):
        print(f"  lr {lr:<6} with zero_grad(): {run(lr, True)[-1]:9.2e}", end="")
        print(f"   without: {run(lr, False)[-1]:9.2e}")
    print("factor per step without zero_grad(): the cubic's largest root; small-lr estimate")
    for lr in (1e-1, 1e-2, 1e-3, 1e-5, 1e-7):
        print(f"  lr {lr:<7} {growth_per_step(lr):.10f}   {small_lr_estimate(lr):.10f}")
