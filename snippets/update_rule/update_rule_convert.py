"""A convention converter: the same run, written in another form's hyperparameters."""

import json
import os
from pathlib import Path

import torch
from _problem import make_problem

# --8<-- [start:convert]
FORMS = ("pytorch", "lr_outside", "lr_inside", "ema")


def convert(lr, momentum, dampening=0.0, src="pytorch", dst="lr_inside"):
    """Return (lr, momentum, dampening) for form `dst` that takes the same steps as `src`.

    pytorch:    torch.optim.SGD(lr, momentum, dampening)   b <- m b + (1 - d) g, b_1 = g
    lr_outside: b <- m b + g;        theta -= lr b   (TF1 MomentumOptimizer, optax.sgd), b_0 = 0
    lr_inside:  v <- m v - lr g;     theta += v      (form (a): Keras, cs231n), v_0 = 0
    ema:        m <- beta m + (1 - beta) g;  theta -= lr m,  m_0 = 0
    Exact while the learning rate is constant (see the schedule section for changes).
    Coupled L2 weight decay is part of g in every form: pass weight_decay through unchanged.
    """
    if src not in FORMS or dst not in FORMS:
        raise ValueError(f"forms are {FORMS}, got src={src!r}, dst={dst!r}")
    if not 0.0 <= momentum < 1.0:
        raise ValueError(f"momentum must be in [0, 1), got {momentum}")
    if dampening != 0.0 and src != "pytorch":
        raise ValueError("dampening is a torch.optim.SGD parameter; other forms have none")
    if dampening != 0.0:
        # b_1 = g instead of (1 - d) g: no zero-started buffer reproduces that first step
        raise ValueError(
            "torch.optim.SGD with dampening != 0 starts its buffer at g, not (1 - dampening) g; "
            "no other form takes exactly the same steps"
        )
    # Every form moves theta by (step size) * sum_j momentum^j g_{k-j}; find that step size.
    step = lr * (1.0 - momentum) if src == "ema" else lr
    lr_dst = step / (1.0 - momentum) if dst == "ema" else step
    return lr_dst, momentum, 0.0


# --8<-- [end:convert]


def run_form(form, lr, momentum, dampening, grad, theta0, steps):
    """Iterates of one form, each written as its formula reads (pytorch: torch.optim.SGD)."""
    if form == "pytorch":
        p = torch.nn.Parameter(theta0.clone())
        opt = torch.optim.SGD([p], lr=lr, momentum=momentum, dampening=dampening)
        path = [theta0.clone()]
        for k in range(steps):
            p.grad = grad(p.detach(), k)
            opt.step()
            path.append(p.detach().clone())
        return torch.stack(path)
    theta, s = theta0.clone(), torch.zeros_like(theta0)
    path = [theta.clone()]
    for k in range(steps):
        g = grad(theta, k)
        if form == "lr_outside":
            s = momentum * s + g
            theta = theta - lr * s
        elif form == "lr_inside":
            s = momentum * s - lr * g
            theta = theta + s
        else:  # ema
            s = momentum * s + (1 - momentum) * g
            theta = theta - lr * s
        path.append(theta.clone())
    return torch.stack(path)


if __name__ == "__main__":
    # --8<-- [start:demo]
    print("torch.optim.SGD(lr=0.1, momentum=0.9) written in each form:")
    for dst in FORMS:
        lr, m, d = convert(0.1, 0.9, src="pytorch", dst=dst)
        print(f"  {dst:<11} lr={round(lr, 12)}  momentum={m}  dampening={d}")
    lr, m, d = convert(1.0, 0.9, src="ema", dst="pytorch")
    print(
        f"an EMA recipe lr=1.0, beta=0.9 in torch.optim.SGD: lr={round(lr, 12)}  momentum={m}",
        end="",
    )
    print(f"  dampening={d}")
    try:
        convert(0.1, 0.9, dampening=0.9, src="pytorch", dst="ema")
    except ValueError as err:
        print("convert(0.1, 0.9, dampening=0.9, ...) ->", err)
    # --8<-- [end:demo]

    steps = 200
    worst = {torch.float32: 0.0, torch.float64: 0.0}
    for dtype in worst:
        grad, theta0 = make_problem(steps=steps, dtype=dtype)
        for src, args in {
            "pytorch": (0.05, 0.9),
            "lr_outside": (0.05, 0.9),
            "lr_inside": (0.05, 0.9),
            "ema": (0.5, 0.9),
        }.items():
            ref = run_form("pytorch", *convert(*args, src=src, dst="pytorch"), grad, theta0, steps)
            for dst in FORMS:
                path = run_form(dst, *convert(*args, src=src, dst=dst), grad, theta0, steps)
                worst[dtype] = max(worst[dtype], (path - ref).abs().max().item())
    print(f"all 16 (src, dst) pairs, {steps} steps, max |theta - theta(torch.optim.SGD)|:")
    for dtype, gap in worst.items():
        print(f"  {str(dtype).removeprefix('torch.'):<8} {gap:.1e}")

    # within rounding: float32 / float64 epsilon (1.2e-7 / 2.2e-16) on parameters of order 1,
    # a few roundings per step, stays below 1e-6 / 1e-12 over 200 steps
    results = {
        "max_gap_float32": worst[torch.float32],
        "max_gap_float64": worst[torch.float64],
        "within_tolerance": worst[torch.float32] <= 1e-6 and worst[torch.float64] <= 1e-12,
    }
    if "DOCRUN_RESULTS" in os.environ:  # the site's build quotes these numbers on its pages
        Path(os.environ["DOCRUN_RESULTS"]).write_text(json.dumps(results))
