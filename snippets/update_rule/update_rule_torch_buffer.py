"""What torch.optim.SGD keeps in its momentum buffer, read straight from optimizer.state."""

import json
import os
from pathlib import Path

import torch


# --8<-- [start:buffer]
def buffers_after(grads, theta0=0.0, **sgd_kwargs):
    """Feed the given gradients to torch.optim.SGD; return the buffer after each step."""
    p = torch.nn.Parameter(torch.tensor([theta0], dtype=torch.float64))
    opt = torch.optim.SGD([p], **sgd_kwargs)
    out = []
    for g in grads:
        p.grad = torch.tensor([g], dtype=torch.float64)
        opt.step()
        out.append(opt.state[p]["momentum_buffer"].item())
    return out


# --8<-- [end:buffer]


# --8<-- [start:ema_offset]
def dampened_vs_ema(lr, beta, steps):
    """Constant gradient 1: torch SGD(momentum=beta, dampening=beta) against a zero-started EMA.

    Returns how much further torch has moved after `steps` steps (both start at 0).
    """
    p = torch.nn.Parameter(torch.zeros(1, dtype=torch.float64))
    opt = torch.optim.SGD([p], lr=lr, momentum=beta, dampening=beta)
    theta_ema, m = 0.0, 0.0
    for _ in range(steps):
        p.grad = torch.ones(1, dtype=torch.float64)
        opt.step()
        m = beta * m + (1 - beta) * 1.0  # the EMA starts at zero and needs time to reach 1
        theta_ema -= lr * m
    return theta_ema - p.item()  # theta decreases under g = 1


# --8<-- [end:ema_offset]

if __name__ == "__main__":
    g1, g2 = 1.0, 3.0
    b = dampened = buffers_after([g1, g2], lr=0.1, momentum=0.9, dampening=0.5)
    print("momentum=0.9, dampening=0.5, gradients g1 = 1, g2 = 3")
    print(f"  buffer after step 1: {b[0]:.4f}   (g1 = 1; a zero start would give 0.5 * g1 = 0.5)")
    print(f"  buffer after step 2: {b[1]:.4f}   (0.9 * g1 + 0.5 * g2 = {0.9 * g1 + 0.5 * g2:.4f})")

    b = decayed = buffers_after([g1], theta0=2.0, lr=0.1, momentum=0.9, weight_decay=0.1)
    print("momentum=0.9, weight_decay=0.1, theta0 = 2, g1 = 1")
    print(f"  buffer after step 1: {b[0]:.4f}   (g1 + 0.1 * theta0 = {g1 + 0.1 * 2.0:.4f})")

    lr, beta, steps = 0.1, 0.9, 200
    gap = dampened_vs_ema(lr, beta, steps)
    closed = lr * beta * (1 - beta**steps) / (1 - beta)
    print(f"constant gradient, lr={lr}, momentum=dampening={beta}, {steps} steps")
    print(f"  torch ahead of an EMA started at zero by {gap:.6f}")
    print(f"  closed form lr * beta * (1 - beta^N) / (1 - beta):  {closed:.6f}")

    results = {
        "dampened_step1": dampened[0],
        "dampened_step2": dampened[1],
        "decayed_step1": decayed[0],
        "ahead_of_ema": gap,
        "ahead_closed_form": closed,
    }
    if "DOCRUN_RESULTS" in os.environ:  # the site's build quotes these numbers on its pages
        Path(os.environ["DOCRUN_RESULTS"]).write_text(json.dumps(results))
