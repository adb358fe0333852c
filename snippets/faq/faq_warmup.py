"""Momentum warm-up: changing the momentum coefficient during training.

torch.optim.SGD reads param_groups[i]["momentum"] at every step and keeps its buffer, so a
momentum schedule is just a new value each step. Shown with a constant gradient of 1 and lr 0.01:
the step lengths under constant momentum 0.9, under a ramp from 0.5 to 0.9 over 50 steps, and
without momentum. Then the schedule PyTorch ships: OneCycleLR moves momentum against the lr.
"""

import json
import os
from pathlib import Path

import torch

LR, STEPS, RAMP = 0.01, 100, 50


def ramp(step, start=0.5, end=0.9, length=RAMP):
    """Momentum for step 1, 2, ...: linear from start to end over `length` steps."""
    return start + (end - start) * min(step - 1, length) / length


# --8<-- [start:schedule]
def torch_run(momenta, lr=LR):
    """Positions under torch.optim.SGD with momentum set to momenta[k] before step k."""
    w = torch.zeros(1, dtype=torch.float64, requires_grad=True)
    opt = torch.optim.SGD([w], lr=lr, momentum=momenta[0])
    path = []
    for m in momenta:
        opt.param_groups[0]["momentum"] = m  # read afresh at every step; the buffer stays
        w.grad = torch.ones(1, dtype=torch.float64)
        opt.step()
        path.append(w.item())
    return path


def manual_run(momenta, lr=LR):
    """The same recursion by hand: b <- m_k * b + g (b starts as the first g); w <- w - lr*b."""
    w, b, path = 0.0, None, []
    for m in momenta:
        b = 1.0 if b is None else m * b + 1.0
        w -= lr * b
        path.append(w)
    return path


# --8<-- [end:schedule]


def one_cycle_values(total_steps=100, max_lr=0.1):
    """(lr, momentum) that torch.optim.lr_scheduler.OneCycleLR sets before each step."""
    w = torch.zeros(1, requires_grad=True)
    opt = torch.optim.SGD([w], lr=max_lr, momentum=0.9)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=max_lr, total_steps=total_steps)
    values = []
    for _ in range(total_steps):
        group = opt.param_groups[0]
        values.append((group["lr"], group["momentum"]))
        w.grad = torch.zeros(1)
        opt.step()
        sched.step()
    return values


if __name__ == "__main__":
    schedules = {
        "momentum 0.9": [0.9] * STEPS,
        "ramp 0.5 -> 0.9": [ramp(k) for k in range(1, STEPS + 1)],
        "no momentum": [0.0] * STEPS,
    }
    runs = {name: torch_run(ms) for name, ms in schedules.items()}
    gap = max(
        abs(a - b)
        for a, b in zip(
            runs["ramp 0.5 -> 0.9"], manual_run(schedules["ramp 0.5 -> 0.9"]), strict=True
        )
    )
    print(f"torch.optim.SGD with a momentum ramp vs the hand recursion: max difference {gap:.1e}\n")
    print(
        f"step length (lr = {LR}, gradient 1); the limit with momentum 0.9 is lr/(1-0.9) = "
        f"{LR / 0.1:.3f}"
    )
    print(f"{'step':>4} " + " ".join(f"{name:>16}" for name in runs))
    keys = dict(zip(runs, ("constant", "ramp", "none"), strict=True))  # result names
    results = {"ramp_vs_hand": gap, "step": {key: {} for key in keys.values()}}
    for k in (1, 2, 5, 10, 20, 30, 50, 75, 100):
        lengths = [(path[k - 2] if k > 1 else 0.0) - path[k - 1] for path in runs.values()]
        print(f"{k:>4} " + " ".join(f"{length:16.5f}" for length in lengths))
        for name, length in zip(runs, lengths, strict=True):
            results["step"][keys[name]][str(k)] = length
    print("\nOneCycleLR (max_lr 0.1, 100 steps, defaults): momentum moves against the lr")
    print(f"{'step':>4} {'lr':>8} {'momentum':>9}")
    values = one_cycle_values()
    for k in (1, 10, 20, 30, 31, 50, 75, 100):
        lr, m = values[k - 1]
        print(f"{k:>4} {lr:8.5f} {m:9.4f}")
    momenta = [m for _, m in values]
    results["one_cycle"] = {"first": momenta[0], "lowest": min(momenta), "last": momenta[-1]}
    if "DOCRUN_RESULTS" in os.environ:  # the site's build quotes these numbers on its pages
        Path(os.environ["DOCRUN_RESULTS"]).write_text(json.dumps(results))
