"""The problem every script on this page runs its forms of momentum on."""

import torch


def make_problem(dim=5, steps=200, seed=0, dtype=torch.float64):
    """A noisy quadratic, curvatures 0.1 to 1: g_k = A (theta - theta_star) + noise_k.

    The noise is drawn in advance, so every form sees the same gradients at the same points.
    """
    gen = torch.Generator().manual_seed(seed)
    q, _ = torch.linalg.qr(torch.randn(dim, dim, generator=gen, dtype=torch.float64))
    a = q @ torch.diag(torch.logspace(-1, 0, dim, dtype=torch.float64)) @ q.T
    theta_star = torch.randn(dim, generator=gen, dtype=torch.float64)
    noise = 0.1 * torch.randn(steps, dim, generator=gen, dtype=torch.float64)
    theta0 = torch.randn(dim, generator=gen, dtype=torch.float64)
    a, theta_star, noise, theta0 = (t.to(dtype) for t in (a, theta_star, noise, theta0))

    def grad(theta, k):
        return a @ (theta - theta_star) + noise[k]

    return grad, theta0
