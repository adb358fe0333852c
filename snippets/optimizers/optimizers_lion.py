"""Lion from scratch against lion-pytorch, and how the size of its step compares with AdamW's.

Usage: python snippets/optimizers/optimizers_lion.py [--lr LR] [--beta1 B1] [--beta2 B2]
"""

import importlib.metadata
import json
import os
from pathlib import Path

import torch
from _compare import parse_betas, race


# --8<-- [start:lion]
class Lion:
    """Lion (Chen et al. 2023) as lion_pytorch.Lion computes it: the sign of an interpolation."""

    def __init__(self, params, lr=1e-4, betas=(0.9, 0.99), weight_decay=0.0):
        if not lr > 0:
            raise ValueError(f"lr must be > 0, got {lr}")
        if not all(0 <= b < 1 for b in betas):
            raise ValueError(f"betas must lie in [0, 1), got {betas}")
        self.params, self.lr, self.betas, self.wd = list(params), lr, betas, weight_decay
        self.m = [torch.zeros_like(p) for p in self.params]

    @torch.no_grad()
    def step(self):
        b1, b2 = self.betas
        for p, m in zip(self.params, self.m, strict=True):
            g = p.grad
            direction = torch.sign(b1 * m + (1 - b1) * g)  # interpolate with beta1, take the sign
            p.mul_(1 - self.lr * self.wd)  # decoupled weight decay
            p.sub_(self.lr * direction)  # every coordinate moves by exactly lr
            m.mul_(b2).add_(g, alpha=1 - b2)  # the buffer remembers with beta2


# --8<-- [end:lion]


# --8<-- [start:rms]
def update_rms(make_opt, noise, steps=500, d=10_000, seed=0):
    """RMS of (theta_{k+1} - theta_k) / lr over the last half of a run on noisy gradients.

    The gradient is a fixed signal (each coordinate +-1) plus Gaussian noise of std `noise`.
    """
    gen = torch.Generator().manual_seed(seed)
    signal = torch.sign(torch.randn(d, generator=gen))
    p = torch.zeros(d, requires_grad=True)
    opt, lr, rms = make_opt([p]), 1e-3, []
    for k in range(steps):
        p.grad = signal + noise * torch.randn(d, generator=gen)
        before = p.detach().clone()
        opt.step()
        if k >= steps // 2:
            rms.append(((p.detach() - before) / lr).pow(2).mean().sqrt().item())
    return sum(rms) / len(rms)


# --8<-- [end:rms]


def parse_args(argv=None):
    return parse_betas("optimizers_lion.py", Lion, 1e-4, 0.9, 0.99, argv)


if __name__ == "__main__":
    import inspect

    from lion_pytorch import Lion as ReferenceLion

    args = parse_args()
    torch.set_num_threads(1)
    signature = inspect.signature(ReferenceLion).parameters
    results = {
        "defaults": {
            k: list(v) if isinstance(v, tuple) else v
            for k, v in ((k, signature[k].default) for k in ("lr", "betas", "weight_decay"))
        }
    }
    print(f"device: cpu; torch {importlib.metadata.version('torch')}", end="; ")
    print(f"lion-pytorch {importlib.metadata.version('lion-pytorch')}")
    betas, results["gaps"] = (args.beta1, args.beta2), []
    for wd in (0.0, 1.0):
        gap, _ = race(
            lambda ps, wd=wd: Lion(ps, lr=args.lr, betas=betas, weight_decay=wd),
            lambda ps, wd=wd: ReferenceLion(ps, lr=args.lr, betas=betas, weight_decay=wd),
        )
        results["gaps"].append(gap)
        print(f"float64, weight decay {wd}, 200 steps: largest |W_ours - W_lion_pytorch| {gap:.1e}")
    results["exact"] = all(gap == 0.0 for gap in results["gaps"])
    print("RMS of the step per unit lr, gradient = sign pattern + noise (last 250 of 500 steps):")
    print(f"  {'noise std':>9} {'AdamW':>7} {'Lion':>7} {'Lion / AdamW':>13}")
    results.update(noise=[0.0, 1.0, 3.0, 10.0], adamw_rms=[], lion_rms=[], ratio=[])
    for noise in results["noise"]:
        adam = update_rms(lambda ps: torch.optim.AdamW(ps, lr=1e-3, weight_decay=0.0), noise)
        lion = update_rms(lambda ps: Lion(ps, lr=1e-3), noise)
        results["adamw_rms"].append(adam)
        results["lion_rms"].append(lion)
        results["ratio"].append(lion / adam)
        print(f"  {noise:>9} {adam:>7.3f} {lion:>7.3f} {lion / adam:>13.1f}")
    results["ratio_min"], results["ratio_max"] = min(results["ratio"]), max(results["ratio"])

    if "DOCRUN_RESULTS" in os.environ:  # the site's build quotes these numbers on its pages
        Path(os.environ["DOCRUN_RESULTS"]).write_text(json.dumps(results))
