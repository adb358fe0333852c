"""Porting a learning-rate schedule between PyTorch and Keras: rescale the momentum buffer.

torch.optim.SGD keeps b = sum of past gradients and steps by lr * b, so a new learning rate acts
at once on the whole buffer. Keras keeps velocity = sum of past steps, in which the old learning
rates stay. Multiplying PyTorch's buffer by lr_old / lr_new whenever the scheduler changes the
learning rate makes a PyTorch run take Keras's steps. Here on f(w) = (w1^2 + 10 w2^2) / 2 in
float64, with a tenfold drop (MultiStepLR) and with a cosine schedule (CosineAnnealingLR).
"""

import json
import os
from pathlib import Path

import torch

A = torch.tensor([1.0, 10.0], dtype=torch.float64)  # f(w) = sum(A * w**2) / 2
W0 = torch.tensor([1.0, 1.0], dtype=torch.float64)
LR, MOMENTUM, STEPS = 0.01, 0.9, 200


# --8<-- [start:rescale]
def rescale_buffers(optimizer, old_lrs):
    """After scheduler.step(): multiply each momentum buffer by its group's old lr / new lr, so
    that lr * buffer, the step under way, is unchanged and the new lr acts on new gradients only
    (as in Keras). Call it with the lrs read before scheduler.step(); no new lr may be 0."""
    for group, old_lr in zip(optimizer.param_groups, old_lrs, strict=True):
        if group["lr"] == old_lr:
            continue
        for p in group["params"]:
            buffer = optimizer.state[p].get("momentum_buffer")
            if buffer is not None:
                buffer.mul_(old_lr / group["lr"])


def train(make_scheduler, rescale):
    """Iterates of torch.optim.SGD under a scheduler, with or without the buffer rescaling."""
    w = W0.clone().requires_grad_()
    optimizer = torch.optim.SGD([w], lr=LR, momentum=MOMENTUM)
    scheduler = make_scheduler(optimizer)
    path = []
    for _ in range(STEPS):
        w.grad = A * w.detach()
        optimizer.step()
        path.append(w.detach().clone())
        old_lrs = [group["lr"] for group in optimizer.param_groups]
        scheduler.step()
        if rescale:
            rescale_buffers(optimizer, old_lrs)
    return torch.stack(path)


# --8<-- [end:rescale]


def keras(make_scheduler):
    """Keras's documented rule, velocity = m * velocity - lr * g; w = w + velocity, with the
    learning rates the same scheduler gives."""
    lrs = scheduled_lrs(make_scheduler)
    w, velocity, path = W0.clone(), torch.zeros_like(W0), []
    for lr in lrs:
        velocity = MOMENTUM * velocity - lr * (A * w)
        w = w + velocity
        path.append(w)
    return torch.stack(path)


def scheduled_lrs(make_scheduler):
    """The learning rate of each of the STEPS steps, as the scheduler sets it."""
    optimizer = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=LR)
    scheduler = make_scheduler(optimizer)
    lrs = []
    for _ in range(STEPS):
        lrs.append(optimizer.param_groups[0]["lr"])
        optimizer.step()
        scheduler.step()
    return lrs


SCHEDULES = {
    "tenfold drop at step 100": lambda opt: torch.optim.lr_scheduler.MultiStepLR(opt, [100]),
    "cosine to 1e-4": lambda opt: torch.optim.lr_scheduler.CosineAnnealingLR(opt, STEPS, 1e-4),
}


def differences():
    """{schedule: (max |torch - keras| without rescaling, with rescaling)} over all iterates."""
    out = {}
    for name, make in SCHEDULES.items():
        reference = keras(make)
        out[name] = tuple(
            (train(make, rescale) - reference).abs().max().item() for rescale in (False, True)
        )
    return out


if __name__ == "__main__":
    torch.set_num_threads(1)  # two numbers per step: one thread is fastest
    print(f"f(w) = (w1^2 + 10 w2^2)/2 from (1, 1); lr {LR}, momentum {MOMENTUM}; {STEPS} steps")
    print(f"{'schedule':<26} {'max |torch - Keras|':>20} {'with rescale_buffers':>21}")
    results = {}
    for key, (name, (plain, rescaled)) in zip(
        ("drop", "cosine"), differences().items(), strict=True
    ):
        print(f"{name:<26} {plain:20.2e} {rescaled:21.2e}")
        results[key] = {"plain": plain, "rescaled": rescaled}
    results["rescaled_max"] = max(r["rescaled"] for r in results.values())
    if "DOCRUN_RESULTS" in os.environ:  # the site's build quotes these numbers on its pages
        Path(os.environ["DOCRUN_RESULTS"]).write_text(json.dumps(results))
