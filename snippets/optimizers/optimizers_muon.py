"""Muon from scratch against torch.optim.Muon, and what Newton-Schulz does to an update.

Usage: python snippets/optimizers/optimizers_muon.py [--shape ROWSxCOLS] [--lr LR] [--momentum MU]
"""

import argparse
import importlib.metadata
import json
import math
import os
import sys
from pathlib import Path

import torch
from _compare import race_steps

# --8<-- [start:newton_schulz]
COEFFICIENTS = (3.4445, -4.7750, 2.0315)  # torch.optim.Muon's defaults, from Keller Jordan


def newton_schulz(update, steps=5, eps=1e-7, dtype=torch.bfloat16):
    """Push every singular value of `update` towards 1, keeping its singular vectors.

    X <- a X + b (X X^T) X + c (X X^T)^2 X maps each singular value s to a s + b s^3 + c s^5.
    torch.optim.Muon runs this in bfloat16; addmm keeps its rounding step for step.
    """
    a, b, c = COEFFICIENTS
    x = update.to(dtype)
    tall = update.size(0) > update.size(1)
    if tall:  # work on the wide orientation: X X^T is the smaller Gram matrix
        x = x.T
    x = x / x.norm().clamp(min=eps)  # Frobenius norm 1, so every singular value is <= 1
    for _ in range(steps):
        gram = x @ x.T
        poly = torch.addmm(gram, gram, gram, beta=b, alpha=c)  # b A + c A^2
        x = torch.addmm(x, poly, x, beta=a)  # a X + (b A + c A^2) X
    return x.T if tall else x


# --8<-- [end:newton_schulz]


# --8<-- [start:muon]
class Muon:
    """torch.optim.Muon with its defaults: for 2-D weight matrices only."""

    def __init__(self, params, lr=1e-3, weight_decay=0.1, momentum=0.95, nesterov=True):
        self.params = list(params)
        for p in self.params:
            if p.ndim != 2:
                raise ValueError(
                    f"Muon is for 2-D weight matrices, got a parameter of shape {tuple(p.shape)};"
                    " optimise it with AdamW"
                )
        if not lr >= 0:
            raise ValueError(f"lr must be >= 0, got {lr}")
        if not 0 <= momentum < 1:
            raise ValueError(f"momentum must lie in [0, 1), got {momentum}")
        self.lr, self.wd, self.mu, self.nesterov = lr, weight_decay, momentum, nesterov
        self.bufs = [torch.zeros_like(p) for p in self.params]

    @torch.no_grad()
    def step(self):
        for p, buf in zip(self.params, self.bufs, strict=True):
            g = p.grad
            buf.lerp_(g, 1 - self.mu)  # B <- mu B + (1 - mu) g: the moving-average form
            update = g.lerp(buf, self.mu) if self.nesterov else buf  # (1 - mu) g + mu B
            ortho = newton_schulz(update)
            rows, cols = p.shape
            p.mul_(1 - self.lr * self.wd)  # decoupled weight decay, with the unadjusted lr
            p.add_(ortho, alpha=-self.lr * math.sqrt(max(1, rows / cols)))  # tall: larger step


# --8<-- [end:muon]


def race(make_ours, make_reference, **kwargs):
    """Largest |W_ours - W_ref| and |buffer_ours - buffer_ref| over the race's steps."""
    gap = buf_gap = 0.0
    for (ours, ref), (opt, ref_opt), _ in race_steps(make_ours, make_reference, **kwargs):
        gap = max(gap, (ours - ref).abs().max().item())
        ref_buf = ref_opt.state[ref]["momentum_buffer"]
        buf_gap = max(buf_gap, (opt.bufs[0] - ref_buf).abs().max().item())
    return gap, buf_gap


# --8<-- [start:spectrum]
def layer_update(rows=64, cols=128, seed=0):
    """A Nesterov update of a real layer: a linear layer's weight gradient on a regression task."""
    gen = torch.Generator().manual_seed(seed)
    w = torch.nn.Parameter(torch.randn(rows, cols, generator=gen) / cols**0.5)
    opt = torch.optim.Muon([w], lr=0.02)
    x = torch.randn(256, cols, generator=gen) * torch.linspace(0.1, 2, cols)  # uneven inputs
    y = torch.randn(256, rows, generator=gen)
    for _ in range(10):
        w.grad = None
        ((x @ w.T - y) ** 2).mean().backward()
        opt.step()
    buf = opt.state[w]["momentum_buffer"]
    return w.grad.lerp(buf, 0.95)  # what Muon orthogonalises at the next step


def singular_values(m):
    return torch.linalg.svdvals(m.double())


# --8<-- [end:spectrum]


def parse_args(argv=None):
    parser = argparse.ArgumentParser(prog="optimizers_muon.py")
    parser.error = lambda msg: sys.exit(f"{parser.prog}: error: {msg}")
    parser.add_argument("--shape", default="64x128", help="the layer's weight shape, ROWSxCOLS")
    parser.add_argument("--lr", type=float, default=0.02)
    parser.add_argument("--momentum", type=float, default=0.95)
    args = parser.parse_args(argv)
    try:
        args.shape = tuple(int(n) for n in args.shape.lower().split("x"))
    except ValueError:
        parser.error(f"--shape must look like 64x128, got {args.shape!r}")
    try:
        Muon([torch.zeros(args.shape)], lr=args.lr, momentum=args.momentum)
    except (ValueError, RuntimeError) as err:
        parser.error(str(err))
    return args


if __name__ == "__main__":
    args = parse_args()
    torch.set_num_threads(1)
    d = torch.optim.Muon([torch.zeros(2, 2, requires_grad=True)]).defaults
    keep = ("lr", "weight_decay", "momentum", "nesterov", "ns_steps", "eps", "ns_coefficients")
    results = {"defaults": {k: list(d[k]) if isinstance(d[k], tuple) else d[k] for k in keep}}
    print(f"device: cpu; torch {importlib.metadata.version('torch')}")
    print(f"lr {args.lr}, momentum {args.momentum}, 200 steps on a new mini-batch each step:")
    results["gaps"] = {}
    for shape, key in [((16, 32), "wide"), ((32, 16), "tall")]:
        gap, buf_gap = race(
            lambda ps: Muon(ps, lr=args.lr, momentum=args.momentum),
            lambda ps: torch.optim.Muon(ps, lr=args.lr, momentum=args.momentum),
            shape=shape,
        )
        results["gaps"][key] = {"weights": gap, "buffer": buf_gap}
        adjust = math.sqrt(max(1, shape[0] / shape[1]))
        print(
            f"  float64 W {shape[0]}x{shape[1]} (lr x {adjust:.3f}): largest |difference|", end=""
        )
        print(f" weights {gap:.1e}, momentum buffer {buf_gap:.1e}")
    results["bitwise_equal"] = all(v == 0.0 for g in results["gaps"].values() for v in g.values())

    update = layer_update(*args.shape)
    before = singular_values(update / update.norm())
    after = singular_values(newton_schulz(update))
    exact = singular_values(newton_schulz(update, dtype=torch.float64))
    print(
        f"singular values of a {args.shape[0]}x{args.shape[1]} update (largest, median, smallest):"
    )
    for name, s in [("before (Frobenius norm 1)", before), ("after, bfloat16", after)]:
        print(f"  {name:<26} {s[0]:.3f} {s.median():.3f} {s[-1]:.4f}")
    print(f"  {'after, float64':<26} {exact[0]:.3f} {exact.median():.3f} {exact[-1]:.4f}")
    print(
        f"  condition number before {before[0] / before[-1]:.0f}, after {after[0] / after[-1]:.1f}"
    )
    for name, s in [("before", before), ("after", after), ("exact", exact)]:
        results[name] = {
            "largest": s[0].item(),
            "median": s.median().item(),
            "smallest": s[-1].item(),
        }
    results["condition_before"] = (before[0] / before[-1]).item()
    results["condition_after"] = (after[0] / after[-1]).item()
    # the scalar map after five steps on inputs from 0.002 to 1, densely (the right of the figure)
    inputs = torch.logspace(math.log10(0.002), 0, 100_001, dtype=torch.float64)
    outputs = inputs.clone()
    for _ in range(5):
        outputs = (
            COEFFICIENTS[0] * outputs + COEFFICIENTS[1] * outputs**3 + COEFFICIENTS[2] * outputs**5
        )
    results["five_steps"] = {"smallest": outputs.min().item(), "largest": outputs.max().item()}
    if "DOCRUN_RESULTS" in os.environ:  # the site's build quotes these numbers on its pages
        Path(os.environ["DOCRUN_RESULTS"]).write_text(json.dumps(results))

    import matplotlib.pyplot as plt

    a, b, c = COEFFICIENTS
    s = torch.logspace(-3, 0, 601, dtype=torch.float64)
    fig, (ax_s, ax_p) = plt.subplots(1, 2, figsize=(11, 4))
    ax_s.semilogy(before, "o", markersize=3, label="before: update / Frobenius norm")
    ax_s.semilogy(after.float(), "s", markersize=3, label="after 5 Newton-Schulz steps (bfloat16)")
    ax_s.set(xlabel="index (largest first)", ylabel="singular value", title="the update's spectrum")
    ax_s.legend()
    y = s.clone()
    for k in range(1, 6):
        y = a * y + b * y**3 + c * y**5
        ax_p.plot(s, y, label=f"{k} step{'s' if k > 1 else ''}", linewidth=1 + 0.3 * k)
    ax_p.axhline(1, color="grey", linestyle="--", linewidth=0.8)
    ax_p.set(xlabel="singular value in", ylabel="singular value out", xscale="log")
    ax_p.set(title="s -> a s + b s^3 + c s^5, iterated", xlim=(1e-3, 1))
    ax_p.legend()
    fig.tight_layout()
    plt.show()
