"""Rescaling the momentum buffer when the learning rate changes: when it is needed, and the code.

PyTorch keeps the learning rate outside its buffer, so a new lr applies to the whole buffer at
once. Frameworks that keep it inside the velocity (Keras, Caffe2's MomentumSGDUpdate) carry the
old lr in the velocity; Detectron multiplies that velocity by new_lr / old_lr at each change,
which makes it take PyTorch's steps. The reverse, multiplying PyTorch's buffer by old_lr / new_lr,
makes PyTorch take the lr-inside steps. Copying Detectron's new_lr / old_lr onto PyTorch's buffer
gives neither run. On a noisy quadratic with a step decay, float64. Detectron corrects only when
the learning rate changes by more than a factor SOLVER.SCALE_MOMENTUM_THRESHOLD (1.1 by default),
so the small changes of a linear warm-up go uncorrected: the second table adds a warm-up from a
third of the lr (Detectron's SOLVER.WARM_UP_FACTOR).
"""

import json
import os
from pathlib import Path

import torch

device = "cuda" if torch.cuda.is_available() else "cpu"


# --8<-- [start:rescale]
def rescale_momentum_buffers(optimizer, factor):
    """Multiply every SGD momentum buffer by `factor` (call it when the scheduler changes lr)."""
    for group in optimizer.param_groups:
        for p in group["params"]:
            buf = optimizer.state.get(p, {}).get("momentum_buffer")
            if buf is not None:
                buf.mul_(factor)


def run_torch(grad, theta0, schedule, steps, momentum=0.9, buffer_factor=None):
    """torch.optim.SGD under schedule(k); at each lr change the buffers are multiplied by
    buffer_factor(old_lr, new_lr) if given. Returns every iterate."""
    p = torch.nn.Parameter(theta0.clone())
    opt = torch.optim.SGD([p], lr=schedule(0), momentum=momentum)
    path = [theta0.clone()]
    for k in range(steps):
        old, new = opt.param_groups[0]["lr"], schedule(k)
        if buffer_factor is not None and new != old:
            rescale_momentum_buffers(opt, buffer_factor(old, new))
        opt.param_groups[0]["lr"] = new
        p.grad = grad(p.detach(), k)
        opt.step()
        path.append(p.detach().clone())
    return torch.stack(path)


def run_lr_inside(grad, theta0, schedule, steps, momentum=0.9, correct=False, threshold=1.0):
    """v <- momentum v - lr g; theta <- theta + v (Keras, Caffe2), with Detectron's
    correction v <- v * new_lr / old_lr if `correct`, at each change of the lr by more than a
    factor `threshold` (Detectron's SOLVER.SCALE_MOMENTUM_THRESHOLD is 1.1). Returns every
    iterate."""
    theta, v = theta0.clone(), torch.zeros_like(theta0)
    path = [theta0.clone()]
    for k in range(steps):
        old, new = schedule(max(k - 1, 0)), schedule(k)
        if correct and max(new / old, old / new) > threshold:
            v = v * new / old
        v = momentum * v - schedule(k) * grad(theta, k)
        theta = theta + v
        path.append(theta.clone())
    return torch.stack(path)


# --8<-- [end:rescale]


def problem(dim=5, steps=300, seed=0):
    gen = torch.Generator().manual_seed(seed)
    curv = torch.logspace(-1, 0, dim, dtype=torch.float64).to(device)
    noise = (0.1 * torch.randn(steps, dim, generator=gen, dtype=torch.float64)).to(device)
    theta0 = torch.randn(dim, generator=gen, dtype=torch.float64).to(device)
    return (lambda theta, k: curv * theta + noise[k]), theta0


def step_decay(k):
    return 0.1 if k < 100 else (0.01 if k < 200 else 0.001)


def warm_up_then_decay(k, length=50, factor=1 / 3):
    """Detectron's linear warm-up (SOLVER.WARM_UP_FACTOR 1/3) over `length` steps, then
    step_decay: every warm-up step raises the lr by less than 1.1 times."""
    if k >= length:
        return step_decay(k)
    alpha = k / length
    return step_decay(k) * (factor * (1 - alpha) + alpha)


def table(runs, torch_sgd, lr_inside, keys):
    """Print each run's largest distance to the two references; return them as results."""
    print(f"  {'run':<46} {'torch.optim.SGD':>16} {'lr inside':>10}")
    results = {}
    for (name, path), key in zip(runs.items(), keys, strict=True):
        to_torch = (path - torch_sgd).abs().max().item()
        to_inside = (path - lr_inside).abs().max().item()
        print(f"  {name:<46} {to_torch:>16.1e} {to_inside:>10.1e}")
        results[key] = {"to_torch": to_torch, "to_inside": to_inside}
    return results


if __name__ == "__main__":
    grad, theta0 = problem()
    torch_sgd = run_torch(grad, theta0, step_decay, 300)
    lr_inside = run_lr_inside(grad, theta0, step_decay, 300)
    runs = {
        "torch.optim.SGD": torch_sgd,
        "torch, buffer * old/new": run_torch(
            grad, theta0, step_decay, 300, buffer_factor=lambda old, new: old / new
        ),
        "torch, buffer * new/old": run_torch(
            grad, theta0, step_decay, 300, buffer_factor=lambda old, new: new / old
        ),
        "lr inside (Keras, Caffe2)": lr_inside,
        "lr inside, v * new/old": run_lr_inside(grad, theta0, step_decay, 300, correct=True),
    }
    print(f"device {device}, float64; lr 0.1 -> 0.01 -> 0.001 at steps 100 and 200; momentum 0.9")
    print("max |theta_k - theta_k(reference)| over 300 steps, against two references")
    keys = ("torch", "torch_old_over_new", "torch_new_over_old", "inside", "inside_new_over_old")
    results = {"step_decay": table(runs, torch_sgd, lr_inside, keys)}

    schedule = warm_up_then_decay
    ratios = [
        max(schedule(k) / schedule(k - 1), schedule(k - 1) / schedule(k)) for k in range(1, 50)
    ]
    torch_sgd = run_torch(grad, theta0, schedule, 300)
    lr_inside = run_lr_inside(grad, theta0, schedule, 300)
    runs = {
        "torch.optim.SGD": torch_sgd,
        "lr inside, v * new/old at every change": run_lr_inside(
            grad, theta0, schedule, 300, correct=True
        ),
        "lr inside, Detectron (v * new/old over 1.1x)": run_lr_inside(
            grad, theta0, schedule, 300, correct=True, threshold=1.1
        ),
    }
    print("\nthe same after a 50-step linear warm-up from lr 0.1/3 (Detectron's factor 1/3):")
    print(f"its steps change the lr by at most {max(ratios):.3f} times, below the threshold 1.1")
    keys = ("torch", "inside_every_change", "inside_detectron")
    results["warm_up"] = table(runs, torch_sgd, lr_inside, keys)
    results["warm_up_largest_change"] = max(ratios)
    if "DOCRUN_RESULTS" in os.environ:  # the site's build quotes these numbers on its pages
        Path(os.environ["DOCRUN_RESULTS"]).write_text(json.dumps(results))
