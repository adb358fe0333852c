"""Weight decay and momentum: coupled (torch.optim.SGD) against decoupled (Keras 3, SGDW-style).

Coupled: torch.optim.SGD adds weight_decay * w to the gradient, so the decay goes through the
momentum buffer and is amplified like any gradient. Decoupled: Keras 3 optimizers shrink the
weights by learning_rate * weight_decay * w before the update, outside the buffer. Without
momentum the two are the same rule; with momentum they are not.
"""

import json
import math
import os
from pathlib import Path

import torch

LR, WD = 0.1, 0.01


# --8<-- [start:rules]
def coupled(grad_fn, steps, momentum, lr=LR, wd=WD, w0=1.0):
    """torch.optim.SGD(weight_decay=wd): the decay term enters the momentum buffer."""
    w = torch.tensor([w0], dtype=torch.float64, requires_grad=True)
    opt = torch.optim.SGD([w], lr=lr, momentum=momentum, weight_decay=wd)
    for _ in range(steps):
        w.grad = grad_fn(w.detach())
        opt.step()
    return w.item()


def decoupled(grad_fn, steps, momentum, lr=LR, wd=WD, w0=1.0):
    """Keras 3 style: w <- w - lr*wd*w, then the momentum step with the loss gradient only."""
    w = torch.tensor([w0], dtype=torch.float64, requires_grad=True)
    opt = torch.optim.SGD([w], lr=lr, momentum=momentum)
    for _ in range(steps):
        w.grad = grad_fn(w.detach())  # gradient at the weights before the decay, as in Keras
        with torch.no_grad():
            w.mul_(1 - lr * wd)
        opt.step()
    return w.item()


# --8<-- [end:rules]


def no_loss(w):
    return torch.zeros_like(w)  # only the decay acts


def pull_to_one(w):
    return w - 1.0  # f(w) = (w - 1)**2 / 2


def decay_per_step(run, momentum, steps=500):
    """Factor by which w shrinks per step once the start-up transient has died out."""
    return run(no_loss, steps + 1, momentum) / run(no_loss, steps, momentum)


if __name__ == "__main__":
    results = {"decay_only": {}, "settles": {}}
    print(f"lr = {LR}, weight decay = {WD}, w starts at 1\n")
    print("only the decay acts (zero loss gradient): w after 100 steps, and shrink per step")
    print(
        f"{'momentum':>8} {'coupled w':>10} {'decoupled w':>12} {'coupled /step':>14} "
        f"{'decoupled /step':>16} {'ratio of logs':>13}"
    )
    for m in (0.0, 0.9):
        c, d = coupled(no_loss, 100, m), decoupled(no_loss, 100, m)
        rc, rd = decay_per_step(coupled, m), decay_per_step(decoupled, m)
        ratio = math.log(rc) / math.log(rd)
        print(f"{m:>8} {c:10.6f} {d:12.6f} {rc:14.6f} {rd:16.6f} {ratio:13.3f}")
        results["decay_only"][str(m).replace(".", "_")] = {
            "coupled": c,
            "decoupled": d,
            "coupled_per_step": rc,
            "decoupled_per_step": rd,
            "ratio_of_logs": ratio,
        }
    print("\nf(w) = (w - 1)^2 / 2: where the weight settles (2000 steps)")
    print(f"{'momentum':>8} {'coupled':>10} {'decoupled':>10} {'decoupled, wd/(1-m)':>20}")
    for m in (0.0, 0.9):
        c = coupled(pull_to_one, 2000, m)
        d = decoupled(pull_to_one, 2000, m)
        d_scaled = decoupled(pull_to_one, 2000, m, wd=WD / (1 - m))
        print(f"{m:>8} {c:10.6f} {d:10.6f} {d_scaled:20.6f}")
        results["settles"][str(m).replace(".", "_")] = {
            "coupled": c,
            "decoupled": d,
            "decoupled_scaled": d_scaled,
        }
    m = 0.9
    print(
        f"closed forms: coupled 1/(1+wd) = {1 / (1 + WD):.6f}; "
        f"decoupled 1/(1+wd*(1-m)) at m={m} = {1 / (1 + WD * (1 - m)):.6f}"
    )
    keras = 1e-4 / (1 - m)  # the decoupled value that settles where PyTorch's 1e-4 does
    print(f"porting weight_decay=1e-4 at momentum {m} to Keras: 1e-4 / (1 - {m}) = {keras:g}")
    results["keras_for_1e-4"] = keras
    if "DOCRUN_RESULTS" in os.environ:  # the site's build quotes these numbers on its pages
        Path(os.environ["DOCRUN_RESULTS"]).write_text(json.dumps(results))
