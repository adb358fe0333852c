"""A hand-written v = beta v + (1 - beta) g against torch.optim.SGD(momentum=beta).

The hand-written rule is the moving-average form; PyTorch sums gradients without the (1 - beta).
With the same lr the hand-written steps are (1 - beta) times PyTorch's in the long run; with
lr / (1 - beta) they are the same run. dampening=beta brings the (1 - beta) into PyTorch but not
on the first step, where PyTorch copies the gradient into its buffer.
"""

import json
import os
from pathlib import Path

import torch

device = "cuda" if torch.cuda.is_available() else "cpu"


# --8<-- [start:hand]
class HandEMA:
    """The rule many tutorials write: v <- beta v + (1 - beta) g;  p <- p - lr v."""

    def __init__(self, params, lr, beta):
        self.params, self.lr, self.beta = list(params), lr, beta
        self.v = [torch.zeros_like(p) for p in self.params]

    @torch.no_grad()
    def step(self):
        for p, v in zip(self.params, self.v, strict=True):
            v.mul_(self.beta).add_(p.grad, alpha=1 - self.beta)
            p.sub_(self.lr * v)


# --8<-- [end:hand]


def run(make_optimizer, steps=200, seed=0):
    """Least squares with nn.Linear, full batch, float64; the weights at the start and after
    every step."""
    gen = torch.Generator().manual_seed(seed)
    x = torch.randn(64, 3, generator=gen, dtype=torch.float64).to(device)
    y = x @ torch.tensor([1.0, -2.0, 0.5], dtype=torch.float64, device=device)
    torch.manual_seed(seed)
    model = torch.nn.Linear(3, 1, bias=False).to(device, torch.float64)
    opt = make_optimizer(model.parameters())
    path = [model.weight.detach().clone().flatten()]
    for _ in range(steps):
        model.zero_grad()
        torch.nn.functional.mse_loss(model(x).squeeze(1), y).backward()
        opt.step()
        path.append(model.weight.detach().clone().flatten())
    return torch.stack(path)


if __name__ == "__main__":
    lr, beta = 0.01, 0.9
    ref = run(lambda ps: torch.optim.SGD(ps, lr=lr, momentum=beta))
    runs = {
        "hand-written, same lr": run(lambda ps: HandEMA(ps, lr, beta)),
        "hand-written, lr / (1 - beta)": run(lambda ps: HandEMA(ps, lr / (1 - beta), beta)),
        "torch, dampening=beta, lr / (1 - beta)": run(
            lambda ps: torch.optim.SGD(ps, lr=lr / (1 - beta), momentum=beta, dampening=beta)
        ),
    }
    print(f"device {device}, float64; torch.optim.SGD(lr={lr}, momentum={beta}) is the reference")
    print(f"  {'run':<40} {'first step / reference':>22} {'max |w_k - reference|':>22}")
    first_ref = (ref[1] - ref[0]).norm()
    keys = dict(zip(runs, ("same_lr", "scaled_lr", "dampening"), strict=True))  # result names
    results = {}
    for name, path in runs.items():
        first = (path[1] - path[0]).norm() / first_ref
        gap = (path - ref).abs().max().item()
        print(f"  {name:<40} {first.item():>22.3f} {gap:>22.1e}")
        results[keys[name]] = {"first_step": first.item(), "max_gap": gap}
    if "DOCRUN_RESULTS" in os.environ:  # the site's build quotes these numbers on its pages
        Path(os.environ["DOCRUN_RESULTS"]).write_text(json.dumps(results))
