"""What momentum does when the learning rate changes: PyTorch's form against Keras's.

PyTorch keeps b = sum of past gradients (b <- m*b + g) and steps by lr * b, so a new learning rate
applies at once to the whole buffer. Keras keeps velocity = sum of past *steps*
(velocity <- m*velocity - lr*g), so old learning rates stay inside it and a change takes effect
over about 1/(1-m) steps. Under a constant learning rate the two are the same run.
Here the gradient is 1 on every step, the schedule warms up linearly and then drops tenfold.
"""

import json
import os
from pathlib import Path

import matplotlib.pyplot as plt
import torch

MOMENTUM, STEPS, PEAK, WARMUP, DROP_AT = 0.9, 200, 0.1, 20, 100


def schedule(step):
    """Learning rate for step 1, 2, ...: linear warm-up to PEAK, then x0.1 from DROP_AT on."""
    if step <= WARMUP:
        return PEAK * step / WARMUP
    return PEAK if step < DROP_AT else PEAK * 0.1


# --8<-- [start:forms]
def torch_steps(lrs, momentum=MOMENTUM):
    """Step lengths of torch.optim.SGD, its lr set from the schedule before each step."""
    w = torch.zeros(1, dtype=torch.float64, requires_grad=True)
    opt = torch.optim.SGD([w], lr=lrs[0], momentum=momentum)
    steps = []
    for lr in lrs:
        opt.param_groups[0]["lr"] = lr  # what an lr scheduler does
        before = w.item()
        w.grad = torch.ones(1, dtype=torch.float64)
        opt.step()
        steps.append(before - w.item())
    return steps


def keras_steps(lrs, momentum=MOMENTUM):
    """Step lengths of Keras's documented rule: velocity = m*velocity - lr*g; w += velocity."""
    velocity, steps = 0.0, []
    for lr in lrs:
        velocity = momentum * velocity - lr * 1.0
        steps.append(-velocity)
    return steps


# --8<-- [end:forms]

if __name__ == "__main__":
    lrs = [schedule(k) for k in range(1, STEPS + 1)]
    pt, ks = torch_steps(lrs), keras_steps(lrs)
    print(f"gradient 1 on every step, momentum {MOMENTUM}; step length = how far w moved")
    print(f"{'step':>4} {'lr':>7} {'PyTorch':>9} {'Keras':>9}")
    shown = (1, 2, 3, 10, 20, 21, 40, 99, 100, 101, 102, 110, 130, 170, 200)
    for k in shown:
        print(f"{k:>4} {lrs[k - 1]:7.4f} {pt[k - 1]:9.5f} {ks[k - 1]:9.5f}")
    late = next(k for k in range(DROP_AT, STEPS + 1) if ks[k - 1] < 1.01 * pt[k - 1])
    print(
        f"after the drop at step {DROP_AT}, Keras's step is within 1% of PyTorch's from "
        f"step {late} on ({late - DROP_AT} steps later)"
    )
    results = {
        "torch": {str(k): pt[k - 1] for k in shown},
        "keras": {str(k): ks[k - 1] for k in shown},
        "keras_within_1pct_from": late,
        "keras_delay": late - DROP_AT,
    }

    fig, ax = plt.subplots(figsize=(7, 3.8))
    ax.plot(range(1, STEPS + 1), pt, label="PyTorch: lr * buffer")
    ax.plot(range(1, STEPS + 1), ks, "--", label="Keras: -velocity")
    ax.plot(
        range(1, STEPS + 1), [lr / (1 - MOMENTUM) for lr in lrs], ":", label="lr / (1 - momentum)"
    )
    ax.axvline(DROP_AT, color="C6", linewidth=0.8)
    ax.set_xlabel("step")
    ax.set_ylabel("step length (gradient = 1)")
    ax.set_title("Linear warm-up, then lr x 0.1: same schedule, two momentum forms")
    ax.legend()
    fig.tight_layout()
    plt.show()
    if "DOCRUN_RESULTS" in os.environ:  # the site's build quotes these numbers on its pages
        Path(os.environ["DOCRUN_RESULTS"]).write_text(json.dumps(results))
