"""Muon on a rank-1 update: what singular values come out?

A rank-1 matrix u s v^T divided by its Frobenius norm has the single singular value 1. Each
Newton-Schulz step maps a singular value s to a s + b s^3 + c s^5, so five steps give
p(p(p(p(p(1))))), not 1: the iteration is tuned to lift small values fast, not to land on 1.
The same lift applies to the zeros, which in bfloat16 are rounding errors of about 1e-3.
"""

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
    s = 1.0
    for k in range(1, 6):
        s = iterate_scalar(s, 1)
        print(f"after {k} Newton-Schulz step(s): {s:.4f}")
    sv = muon_step_singular_values(torch.float32)
    print(f"torch.optim.Muon (bfloat16 inside): largest {sv[0]:.4f}, second {sv[1]:.4f},", end="")
    print(f" {(sv > 0.1).sum().item()} of {len(sv)} above 0.1")
    gen = torch.Generator().manual_seed(0)
    u, v = (torch.randn(n, generator=gen, dtype=torch.float64) for n in (32, 64))
    exact = torch.linalg.svdvals(newton_schulz_float64(torch.outer(u, v)))
    print(f"the same iteration in float64:      largest {exact[0]:.4f}, second {exact[1]:.1e}")
