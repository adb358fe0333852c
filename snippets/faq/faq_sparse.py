"""Sparse gradients: an entry whose gradient is zero at a step keeps moving under momentum.

Entry 0 gets a gradient on every step, entry 1 only on step 1. Plain SGD leaves entry 1 alone
after step 1; with momentum 0.9 it keeps moving by lr * g * 0.9**k, k steps later, and in the
long run travels lr * g / (1 - 0.9), ten times as far. An nn.Embedding with sparse gradients
behaves the same way: rows that were looked up once keep moving while they are not looked up.
"""

import json
import os
from pathlib import Path

import torch

LR, MOMENTUM = 0.1, 0.9


# --8<-- [start:dense]
def dense_run(momentum, steps=8, lr=LR):
    """Positions of two entries; entry 1's gradient is 1 on step 1 and 0 afterwards."""
    w = torch.zeros(2, dtype=torch.float64, requires_grad=True)
    opt = torch.optim.SGD([w], lr=lr, momentum=momentum)
    path = []
    for step in range(1, steps + 1):
        w.grad = torch.tensor([1.0, 1.0 if step == 1 else 0.0], dtype=torch.float64)
        opt.step()
        path.append(w.detach().clone())
    return torch.stack(path)


# --8<-- [end:dense]


# --8<-- [start:embedding]
def embedding_run(momentum, steps=5, lr=LR):
    """Row 1 of a sparse embedding is looked up on step 1 only; row 3 on every step."""
    torch.manual_seed(0)
    emb = torch.nn.Embedding(5, 2, sparse=True).double()
    start = emb.weight.detach().clone()
    opt = torch.optim.SGD(emb.parameters(), lr=lr, momentum=momentum)
    moved = []
    for step in range(1, steps + 1):
        ids = torch.tensor([1, 3] if step == 1 else [3])
        opt.zero_grad()
        emb(ids).sum().backward()  # a sparse gradient: only the looked-up rows are stored
        opt.step()
        moved.append((emb.weight.detach() - start).abs().sum(dim=1))  # distance per row
    return torch.stack(moved)


# --8<-- [end:embedding]

if __name__ == "__main__":
    plain, mom = dense_run(0.0), dense_run(MOMENTUM)
    print("entry 1 gets gradient 1 on step 1 only (lr 0.1)")
    print(f"{'step':>4} {'plain SGD w[1]':>15} {'momentum 0.9 w[1]':>18} {'moved this step':>16}")
    previous = 0.0
    for step, (p, m) in enumerate(zip(plain[:, 1], mom[:, 1], strict=True), start=1):
        print(f"{step:>4} {p.item():15.6f} {m.item():18.6f} {m.item() - previous:16.6f}")
        previous = m.item()
    print(f"long-run position with momentum: -lr*g/(1-gamma) = {-LR / (1 - MOMENTUM):.6f}\n")

    print("sparse nn.Embedding: distance each row has moved after each step")
    moved = embedding_run(MOMENTUM)
    head = ("row 1 (seen on step 1)", "row 3 (every step)", "row 0 (never)")
    print(f"{'step':>4} {head[0]:>23} {head[1]:>19} {head[2]:>14}")
    for step, row in enumerate(moved, start=1):
        print(f"{step:>4} {row[1].item():23.6f} {row[3].item():19.6f} {row[0].item():14.6f}")
    results = {
        "plain": plain[:, 1].tolist(),  # entry 1 after each step
        "momentum": mom[:, 1].tolist(),
        "long_run": -LR / (1 - MOMENTUM),
        "embedding": {"seen_once": moved[:, 1].tolist(), "every_step": moved[:, 3].tolist()},
        "never_seen_moved": moved[:, 0].abs().max().item(),
    }
    if "DOCRUN_RESULTS" in os.environ:  # the site's build quotes these numbers on its pages
        Path(os.environ["DOCRUN_RESULTS"]).write_text(json.dumps(results))
