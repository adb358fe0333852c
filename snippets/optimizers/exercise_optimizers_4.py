"""Muon on a rank-1 update: what singular values come out?

A rank-1 matrix u s v^T divided by its Frobenius norm has the single singular value 1. Each
Newton-Schulz step maps a singular value s to a s + b s^3 + c s^5, so five steps give
p(p(p(p(p(1))))), not 1: the iteration is tuned to lift small values fast, not to land on 1.
The same lift applies to the other singular values: 0 in exact arithmetic, rounding errors in
practice, about 1e-16 in float64 and 1e-3 in bfloat16, the precision torch.optim.Muon works in.
"""

import json
import os
from pathlib import Path

import torch

A, B, C = 3.4445, -4.7750, 2.0315  # torch.optim.Muon's default coefficients


def iterate_scalar(s=1.0, steps=5):
    for _ in range(steps):
        s = A * s + B * s**3 + C * s**5
    return s


def muon_step_singular_values(dtype, rows=32, cols=64, seed=0):
    """Singular values of one Muon step (lr 1, no weight decay) on a rank-1 gradient u v^T."""
    gen = torch.Generator().manual_seed(seed)
    w = torch.nn.Parameter(torch.zeros(rows, cols, dtype=dtype))
    u = torch.randn(rows, 1, generator=gen, dtype=dtype)
    w.grad = u @ torch.randn(1, cols, generator=gen, dtype=dtype)
    torch.optim.Muon([w], lr=1.0, weight_decay=0.0).step()  # Newton-Schulz runs in bfloat16
    return torch.linalg.svdvals(w.detach().double())


def newton_schulz_float64(m, steps=5):
    """The same iteration without rounding to bfloat16 (m is wide: rows <= cols)."""
    x = m / m.norm()
    for _ in range(steps):
        gram = x @ x.T
        x = A * x + (B * gram + C * gram @ gram) @ x
    return x


if __name__ == "__main__":
    torch.set_num_threads(1)
    s, results = 1.0, {"scalar": []}
    for k in range(1, 6):
        s = iterate_scalar(s, 1)
        results["scalar"].append(s)
        print(f"after {k} Newton-Schulz step(s): {s:.4f}")
    results["small_value_lift"] = A**5  # s -> a s + b s^3 + c s^5 is a s for small s
    print(f"a value near 0 is multiplied by a^5 = {A**5:.0f} in five steps")
    seeds = range(10)
    print(f"singular values of one Muon step on a rank-1 gradient, seeds {seeds[0]}-{seeds[-1]}:")
    print(
        f"  {'seed':>4} {'float64: largest':>16} {'second':>8}   bfloat16 (torch.optim.Muon):",
        end="",
    )
    print(" largest, second, how many of 32 above 0.1")
    results.update(exact_second=[], bf16_second=[], above=[])
    for seed in seeds:
        gen = torch.Generator().manual_seed(seed)
        u, v = (torch.randn(n, generator=gen, dtype=torch.float64) for n in (32, 64))
        exact = torch.linalg.svdvals(newton_schulz_float64(torch.outer(u, v)))
        sv = muon_step_singular_values(torch.float32, seed=seed)
        results["exact_second"].append(exact[1].item())
        results["bf16_second"].append(sv[1].item())
        results["above"].append((sv > 0.1).sum().item())
        print(
            f"  {seed:>4} {exact[0]:>16.4f} {exact[1]:>8.1e}   {sv[0]:.4f}, {sv[1]:.4f}, ", end=""
        )
        print(f"{results['above'][-1]} of {len(sv)}")
    results["exact_second_max"] = max(results["exact_second"])
    results["above_min"], results["above_max"] = min(results["above"]), max(results["above"])
    results["bf16_second_min"] = min(results["bf16_second"])
    if "DOCRUN_RESULTS" in os.environ:  # the site's build quotes these numbers on its pages
        Path(os.environ["DOCRUN_RESULTS"]).write_text(json.dumps(results))
