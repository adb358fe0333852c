"""Adam and AdamW from scratch, step for step against torch.optim, and when Adam is momentum SGD.

Usage: python snippets/optimizers/optimizers_adam.py [--lr LR] [--beta1 B1] [--beta2 B2]
"""

import importlib.metadata
import itertools
import json
import os
from pathlib import Path

import torch
from _compare import parse_betas, race


# --8<-- [start:adam]
class Adam:
    """Adam, or AdamW with decoupled=True: torch.optim.Adam / AdamW without amsgrad."""

    def __init__(
        self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0, decoupled=False
    ):
        if not lr >= 0:
            raise ValueError(f"lr must be >= 0, got {lr}")
        if not all(0 <= b < 1 for b in betas):
            raise ValueError(f"betas must lie in [0, 1), got {betas}")
        self.params, self.lr, self.betas, self.eps = list(params), lr, betas, eps
        self.weight_decay, self.decoupled, self.t = weight_decay, decoupled, 0
        self.m = [torch.zeros_like(p) for p in self.params]  # moving average of g: momentum
        self.v = [torch.zeros_like(p) for p in self.params]  # moving average of g * g

    @torch.no_grad()
    def step(self):
        (b1, b2), self.t = self.betas, self.t + 1
        for p, m, v in zip(self.params, self.m, self.v, strict=True):
            g = p.grad
            if self.decoupled:  # AdamW: shrink theta itself, outside the moving averages
                p.mul_(1 - self.lr * self.weight_decay)
            elif self.weight_decay:  # Adam: L2 term added to the gradient
                g = g + self.weight_decay * p
            m.mul_(b1).add_(g, alpha=1 - b1)  # m <- b1 m + (1 - b1) g
            v.mul_(b2).addcmul_(g, g, value=1 - b2)
            m_hat, v_hat = m / (1 - b1**self.t), v / (1 - b2**self.t)  # bias corrections
            p.sub_(self.lr * m_hat / (v_hat.sqrt() + self.eps))


# --8<-- [end:adam]


# --8<-- [start:momentum_sgd]
def ema_momentum_sgd(theta, grad_fn, lr, beta, steps):
    """Momentum in the moving-average form with bias correction: theta -= lr m / (1 - beta^k)."""
    m, path = torch.zeros_like(theta), []
    for k in range(1, steps + 1):
        m = beta * m + (1 - beta) * grad_fn(theta)
        theta = theta - lr * m / (1 - beta**k)
        path.append(theta)
    return torch.stack(path)


def torch_adam_path(theta, grad_fn, steps, **kwargs):
    p = theta.clone().requires_grad_()
    opt, path = torch.optim.Adam([p], **kwargs), []
    for _ in range(steps):
        p.grad = grad_fn(p.detach())
        opt.step()
        path.append(p.detach().clone())
    return torch.stack(path)


# --8<-- [end:momentum_sgd]


def problem(d=8, seed=0):
    """Start, target and per-coordinate weights c_i of the L1 and L2 losses below."""
    gen = torch.Generator().manual_seed(seed)
    start, target = (torch.randn(d, generator=gen, dtype=torch.float64) for _ in range(2))
    return start, target, torch.rand(d, generator=gen, dtype=torch.float64) + 0.5


def l1_grad(target, c):
    """f = sum c_i |theta_i - target_i|: each |g_i| is c_i at every step, only signs change."""
    return lambda theta: c * torch.sign(theta - target)


def l2_grad(target, c):
    """f = sum c_i (theta_i - target_i)^2 / 2: the gradient's size changes from step to step."""
    return lambda theta: c * (theta - target)


def parse_args(argv=None):
    return parse_betas("optimizers_adam.py", Adam, 1e-3, 0.9, 0.999, argv)


DEFAULT_KEYS = ("lr", "betas", "eps", "weight_decay")


def defaults(optimizer_class):
    """The defaults of a torch.optim class as the installed version sets them."""
    d = optimizer_class([torch.zeros(1, requires_grad=True)]).defaults
    return {k: list(v) if isinstance(v, tuple) else v for k, v in d.items() if k in DEFAULT_KEYS}


if __name__ == "__main__":
    args = parse_args()
    torch.set_num_threads(1)
    betas, lr = (args.beta1, args.beta2), args.lr
    results = {
        "adam_defaults": defaults(torch.optim.Adam),
        "adamw_defaults": defaults(torch.optim.AdamW),
    }
    print(f"device: cpu; torch {importlib.metadata.version('torch')}")
    print(f"lr {lr}, betas {betas}; 200 steps, a new mini-batch each step")
    cases = {
        "Adam   float64": (Adam, torch.optim.Adam, {}, torch.float64, "adam_gap_float64"),
        "AdamW  float64": (
            Adam,
            torch.optim.AdamW,
            {"weight_decay": 1e-2},
            torch.float64,
            "adamw_gap_float64",
        ),
        "Adam   float32": (Adam, torch.optim.Adam, {}, torch.float32, "adam_gap_float32"),
    }
    for name, (ours, ref, extra, dtype, key) in cases.items():
        decoupled = {"decoupled": True} if ref is torch.optim.AdamW else {}
        gap, _ = race(
            lambda ps, o=ours, e=extra, d=decoupled: o(ps, lr=lr, betas=betas, **e, **d),
            lambda ps, r=ref, e=extra: r(ps, lr=lr, betas=betas, **e),
            dtype=dtype,
        )
        results[key] = gap
        print(f"  {name}: largest |W_ours - W_torch| over the run {gap:.1e}")

    start, target, c = problem()
    print("Adam (eps = 0) against moving-average momentum with bias correction, 300 steps:")
    for name, grad_fn, key in [
        ("L1 loss, |g_i| = c_i every step", l1_grad(target, c), "l1_gap"),
        ("L2 loss, |g_i| changes", l2_grad(target, c), "l2_gap"),
    ]:
        adam = torch_adam_path(start, grad_fn, 300, lr=0.01, betas=betas, eps=0.0)
        sgd = ema_momentum_sgd(start, grad_fn, 0.01 / c, args.beta1, 300)
        results[key] = (adam - sgd).abs().max().item()
        print(f"  {name:<33} largest |difference| {results[key]:.1e}")
    print("Adam with eps -> infinity at fixed lr / eps = 0.01, L2 loss, 300 steps:")
    sgd = ema_momentum_sgd(start, l2_grad(target, c), 0.01, args.beta1, 300)
    results["eps"], results["eps_gaps"] = [1e0, 1e2, 1e4, 1e6], []
    for eps in results["eps"]:
        adam = torch_adam_path(start, l2_grad(target, c), 300, lr=0.01 * eps, betas=betas, eps=eps)
        results["eps_gaps"].append((adam - sgd).abs().max().item())
        print(f"  eps {eps:>7.0e}: largest |difference| {results['eps_gaps'][-1]:.1e}")
    gaps = results["eps_gaps"]
    results["eps_first_fall"] = gaps[0] / gaps[1]  # from eps = 1 to eps = 100
    # then a hundredfold per hundredfold eps: the 1/eps law, to 5 %
    results["eps_hundredfold"] = all(
        abs(a / b / 100 - 1) < 0.05 for a, b in itertools.pairwise(gaps[1:])
    )

    if "DOCRUN_RESULTS" in os.environ:  # the site's build quotes these numbers on its pages
        Path(os.environ["DOCRUN_RESULTS"]).write_text(json.dumps(results))
