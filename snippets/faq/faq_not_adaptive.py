"""Momentum is not an adaptive-learning-rate method: one global step size for every coordinate.

Three coordinates get constant gradients of very different sizes (0.001, 1, 1000). After 50 steps,
SGD with momentum has moved each by the same multiple of its gradient; RMSprop and Adam divide
by a running root-mean-square of each coordinate's own gradients, so they move all three by about
the same distance. Multiplying the loss by 100 multiplies momentum's steps by 100 and leaves
Adam's almost unchanged. What does change with momentum is the step over time: it grows as the
running sum of gradients builds up, towards 1/(1 - momentum) times lr * gradient, by the same
factor in every coordinate.
"""

import json
import os
from pathlib import Path

import torch

GRADS = (1e-3, 1.0, 1e3)
STEPS = 50


# --8<-- [start:compare]
def displacement(make_optimizer, grads=GRADS, scale=1.0, steps=STEPS):
    """How far each coordinate moves in `steps` steps of a constant gradient scale * grads."""
    w = torch.zeros(len(grads), dtype=torch.float64, requires_grad=True)
    opt = make_optimizer([w])
    g = scale * torch.tensor(grads, dtype=torch.float64)
    for _ in range(steps):
        w.grad = g.clone()
        opt.step()
    return -w.detach()


def step_over_lr_gradient(steps=STEPS, lr=1e-3, momentum=0.9, grads=GRADS):
    """Momentum's step k divided by lr * gradient, per coordinate: the running sum's growth."""
    w = torch.zeros(len(grads), dtype=torch.float64, requires_grad=True)
    opt = torch.optim.SGD([w], lr=lr, momentum=momentum)
    g = torch.tensor(grads, dtype=torch.float64)
    ratios = []
    for _ in range(steps):
        before = w.detach().clone()
        w.grad = g.clone()
        opt.step()
        ratios.append((before - w.detach()) / (lr * g))
    return torch.stack(ratios)


OPTIMIZERS = {
    "SGD momentum 0.9": lambda ps: torch.optim.SGD(ps, lr=1e-3, momentum=0.9),
    "RMSprop": lambda ps: torch.optim.RMSprop(ps, lr=1e-3),
    "Adam": lambda ps: torch.optim.Adam(ps, lr=1e-3),
}
# --8<-- [end:compare]

KEYS = {"SGD momentum 0.9": "sgd", "RMSprop": "rmsprop", "Adam": "adam"}  # result names

if __name__ == "__main__":
    results = {"moved_per_grad": {}, "loss_x100_moved_x": {}, "moved": {}, "growth": {}}
    print(f"constant gradients {GRADS}, {STEPS} steps, lr 1e-3")
    print(f"{'optimizer':<17} {'moved / gradient, per coordinate':>44} {'loss x100: moved x':>19}")
    for name, make in OPTIMIZERS.items():
        moved = displacement(make)
        per_grad = moved / torch.tensor(GRADS, dtype=torch.float64)
        scaled = displacement(make, scale=100.0) / moved
        cells = " ".join(f"{v:14.4g}" for v in per_grad.tolist())
        print(f"{name:<17} {cells} {scaled.mean().item():19.4g}")
        results["moved_per_grad"][KEYS[name]] = per_grad.tolist()
        results["loss_x100_moved_x"][KEYS[name]] = scaled.mean().item()
    print(f"\n{'optimizer':<17} {'distance moved, per coordinate':>44}")
    for name, make in OPTIMIZERS.items():
        moved = displacement(make).tolist()
        print(f"{name:<17} " + " ".join(f"{v:14.4g}" for v in moved))
        results["moved"][KEYS[name]] = moved
    growth = step_over_lr_gradient()
    print("\nSGD momentum 0.9: step k / (lr * gradient), the same in every coordinate")
    print("  ".join(f"k={k}: {growth[k - 1, 0].item():.2f}" for k in (1, 2, 5, 10, 20, 50)))
    results["growth"] = {str(k): growth[k - 1].tolist() for k in (1, 2, 5, 10, 20, 50)}
    if "DOCRUN_RESULTS" in os.environ:  # the site's build quotes these numbers on its pages
        Path(os.environ["DOCRUN_RESULTS"]).write_text(json.dumps(results))
