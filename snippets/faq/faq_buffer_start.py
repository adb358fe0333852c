"""Why PyTorch's buffer starts at the first gradient, and what dropping it on resume costs.

With dampening 0, copying the first gradient into the buffer is exactly what a zero buffer gives
after one step (0.9 * 0 + g = g). Resuming from a checkpoint without the optimizer's state starts
a new buffer at the current gradient: the steps ramp up again over about 1/(1 - momentum) steps,
so the run lags behind the one that kept its state, by a fixed distance under a steady gradient.
"""

import json
import os
from pathlib import Path

import torch

device = "cuda" if torch.cuda.is_available() else "cpu"


# --8<-- [start:resume]
def problem(dim=20, seed=0):
    """A quadratic with curvatures 1e-3 to 1 and a fixed stream of gradient noise."""
    gen = torch.Generator().manual_seed(seed)
    curv = torch.logspace(-3, 0, dim, dtype=torch.float64)
    noise = 0.01 * torch.randn(2000, dim, generator=gen, dtype=torch.float64)
    return curv.to(device), noise.to(device)


def train(w, opt, curv, noise, start, steps):
    """`steps` steps of opt on f(w) = sum(curv * w^2) / 2; returns f after each step."""
    losses = []
    for k in range(start, start + steps):
        w.grad = curv * w.detach() + noise[k]
        opt.step()
        losses.append(0.5 * (curv * w.detach() ** 2).sum().item())
    return losses


def resume(keep_state, lr=0.1, momentum=0.9, before=50, after=300):
    """Train `before` steps, checkpoint, train `after` more with or without the optimizer state."""
    curv, noise = problem()
    w = torch.ones_like(curv, requires_grad=True)
    opt = torch.optim.SGD([w], lr=lr, momentum=momentum)
    train(w, opt, curv, noise, 0, before)
    checkpoint = {"w": w.detach().clone(), "opt": opt.state_dict()}

    w2 = checkpoint["w"].clone().requires_grad_(True)  # the model restored
    opt2 = torch.optim.SGD([w2], lr=lr, momentum=momentum)
    if keep_state:
        opt2.load_state_dict(checkpoint["opt"])  # the buffer restored too
    return train(w2, opt2, curv, noise, before, after)


# --8<-- [end:resume]


def zero_start_equals_first_gradient(g0=3.0, momentum=0.9):
    """PyTorch's first buffer, and mu * 0 + g0 for a zero start: the same number."""
    p = torch.zeros(1, requires_grad=True)
    opt = torch.optim.SGD([p], lr=0.1, momentum=momentum)
    p.grad = torch.tensor([g0])
    opt.step()
    return opt.state[p]["momentum_buffer"].item(), momentum * 0.0 + g0


def lag_under_steady_gradient(lr=0.1, momentum=0.9, steps=300):
    """How far a fresh buffer falls behind a settled one under a constant gradient of 1."""
    settled = lr / (1 - momentum) * steps  # every step already at lr g / (1 - momentum)
    fresh = sum(lr * (1 - momentum**k) / (1 - momentum) for k in range(1, steps + 1))
    return settled - fresh, lr * momentum / (1 - momentum) ** 2


if __name__ == "__main__":
    torch.set_num_threads(1)
    print(f"device {device}")
    first, zero_start = zero_start_equals_first_gradient()
    print(f"first buffer (PyTorch) {first:.1f}; a zero buffer after one step {zero_start:.1f}")
    lag, closed = lag_under_steady_gradient()
    print(
        f"steady gradient 1, lr 0.1, momentum 0.9: a dropped buffer falls behind by {lag:.4f}"
        f" (lr momentum / (1 - momentum)^2 = {closed:.4f}), {lag / (0.1 / (1 - 0.9)):.1f}"
        " terminal steps"
    )
    kept, dropped = resume(True), resume(False)
    after = (1, 10, 30, 100, 300)
    ratios = {str(k): dropped[k - 1] / kept[k - 1] for k in after}
    print("resume after 50 steps (lr 0.1, momentum 0.9): loss without / with the optimizer state")
    print("  ".join(f"+{k}: {r:.3f} ({100 * (r - 1):+.0f} %)" for k, r in ratios.items()))
    results = {
        "first_buffer": first,
        "zero_start": zero_start,
        "lag": lag,
        "lag_closed": closed,
        "lag_terminal_steps": lag / (0.1 / (1 - 0.9)),
        "loss_ratio": ratios,
        "loss_excess_percent": {k: 100 * (r - 1) for k, r in ratios.items()},
    }
    if "DOCRUN_RESULTS" in os.environ:  # the site's build quotes these numbers on its pages
        Path(os.environ["DOCRUN_RESULTS"]).write_text(json.dumps(results))
