"""The steps of torch.optim.SGD(nesterov=True) under a constant gradient, against plain momentum.

PyTorch's Nesterov step is lr (g + mu b_k) with b_k = g (1 - mu^k) / (1 - mu), so
    step_k = lr g (1 - mu^(k+1)) / (1 - mu):
plain momentum's step k + 1. The first step is already lr g (1 + mu), not lr g.
"""

import json
import os
from pathlib import Path

import torch

LR, MU, G = 0.1, 0.9, 1.0


def torch_steps(nesterov, steps=30, lr=LR, mu=MU, g=G):
    p = torch.nn.Parameter(torch.zeros(1, dtype=torch.float64))
    opt = torch.optim.SGD([p], lr=lr, momentum=mu, nesterov=nesterov)
    out = []
    for _ in range(steps):
        before = p.item()
        p.grad = torch.full((1,), g, dtype=torch.float64)
        opt.step()
        out.append(before - p.item())
    return out


def nesterov_step(k, lr=LR, mu=MU, g=G):
    return lr * g * (1 - mu ** (k + 1)) / (1 - mu)


if __name__ == "__main__":
    nesterov, plain = torch_steps(True), torch_steps(False)
    print(f"constant gradient {G}, lr {LR}, momentum {MU}: the step taken at step k")
    print(f"{'k':>3} {'plain momentum':>15} {'Nesterov':>10} {'lr g (1-mu^(k+1))/(1-mu)':>25}")
    for k in (1, 2, 3, 10, 30):
        print(f"{k:>3} {plain[k - 1]:>15.6f} {nesterov[k - 1]:>10.6f} {nesterov_step(k):>25.6f}")

    results = {"first_step": nesterov[0], "first_plain_step": plain[0]}
    if "DOCRUN_RESULTS" in os.environ:  # the site's build quotes these numbers on its pages
        Path(os.environ["DOCRUN_RESULTS"]).write_text(json.dumps(results))
