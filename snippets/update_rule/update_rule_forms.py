"""Polyak's heavy ball and the three ways tutorials write momentum, run on one problem.

Each form is written exactly as its formula reads; torch.optim.SGD is the reference.
"""

import json
import os
from pathlib import Path

import torch
from _problem import make_problem


def _lr_at(lr, k):
    # a learning rate may be a number or a schedule k -> lr_k
    return lr(k) if callable(lr) else lr


# --8<-- [start:polyak]
def heavy_ball(grad, theta0, lr, gamma, steps):
    """Polyak (1964): theta_{k+1} = theta_k - lr g_k + gamma (theta_k - theta_{k-1})."""
    theta, prev = theta0.clone(), theta0.clone()  # theta_{-1} = theta_0: no initial motion
    path = [theta.clone()]
    for k in range(steps):
        theta, prev = theta - lr * grad(theta, k) + gamma * (theta - prev), theta
        path.append(theta.clone())
    return torch.stack(path)


# --8<-- [end:polyak]


# --8<-- [start:lr_inside]
def lr_inside(grad, theta0, lr, gamma, steps):
    """(a) v <- gamma v - lr g;  theta <- theta + v   (as Keras, cs231n and Goodfellow et al.)."""
    theta, v = theta0.clone(), torch.zeros_like(theta0)
    path = [theta.clone()]
    for k in range(steps):
        v = gamma * v - _lr_at(lr, k) * grad(theta, k)
        theta = theta + v
        path.append(theta.clone())
    return torch.stack(path)


# --8<-- [end:lr_inside]


# --8<-- [start:lr_outside]
def lr_outside(grad, theta0, lr, gamma, steps):
    """(b) b <- gamma b + g;  theta <- theta - lr b   (torch.optim.SGD, TF1, optax)."""
    theta, buf = theta0.clone(), torch.zeros_like(theta0)
    path = [theta.clone()]
    for k in range(steps):
        buf = gamma * buf + grad(theta, k)
        theta = theta - _lr_at(lr, k) * buf
        path.append(theta.clone())
    return torch.stack(path)


# --8<-- [end:lr_outside]


# --8<-- [start:moving_average]
def moving_average(grad, theta0, lr, beta, steps):
    """(c) m <- beta m + (1 - beta) g;  theta <- theta - lr m   (an exponential moving average)."""
    theta, m = theta0.clone(), torch.zeros_like(theta0)
    path = [theta.clone()]
    for k in range(steps):
        m = beta * m + (1 - beta) * grad(theta, k)
        theta = theta - _lr_at(lr, k) * m
        path.append(theta.clone())
    return torch.stack(path)


# --8<-- [end:moving_average]


def torch_sgd(grad, theta0, steps, lr, schedule=None, **sgd_kwargs):
    """The reference: torch.optim.SGD fed the same gradients. schedule(k) sets lr before step k."""
    p = torch.nn.Parameter(theta0.clone())
    opt = torch.optim.SGD([p], lr=lr, **sgd_kwargs)
    path = [p.detach().clone()]
    for k in range(steps):
        if schedule is not None:
            opt.param_groups[0]["lr"] = schedule(k)
        p.grad = grad(p.detach(), k)
        opt.step()
        path.append(p.detach().clone())
    return torch.stack(path)


if __name__ == "__main__":
    steps, eta, gamma = 200, 0.1, 0.9
    grad, theta0 = make_problem(steps=steps)
    ref = torch_sgd(grad, theta0, steps, lr=eta, momentum=gamma)

    # --8<-- [start:compare]
    runs = {
        "heavy ball      lr=0.1, gamma=0.9": heavy_ball(grad, theta0, eta, gamma, steps),
        "(a) lr inside   lr=0.1, gamma=0.9": lr_inside(grad, theta0, eta, gamma, steps),
        "(b) lr outside  lr=0.1, gamma=0.9": lr_outside(grad, theta0, eta, gamma, steps),
        # (c) needs lr / (1 - beta) to take the same steps as (b)
        "(c) EMA         lr=1.0, beta=0.9": moving_average(
            grad, theta0, eta / (1 - gamma), gamma, steps
        ),
        "torch SGD       lr=1.0, momentum=0.9, dampening=0.9": torch_sgd(
            grad, theta0, steps, lr=eta / (1 - gamma), momentum=gamma, dampening=gamma
        ),
    }
    print("|theta_k - theta_k(torch SGD lr=0.1, momentum=0.9)|, float64, 200 steps")
    print(f"  {'':<52} {'largest':>8} {'at step':>8} {'step 200':>9}")
    gaps = {}
    for name, path in runs.items():
        gap = (path - ref).abs().amax(dim=1)  # per step, worst coordinate
        largest = gap.max().item()
        at = gap.argmax().item() if largest > 1e-12 else "-"  # rounding has no place
        print(f"  {name:<52} {largest:>8.1e} {at:>8} {gap[-1].item():>9.1e}")
        gaps[name.split()[0]] = (largest, gap.argmax().item(), gap[-1].item())
    # --8<-- [end:compare]

    same = [gaps[form][0] for form in ("heavy", "(a)", "(b)", "(c)")]
    results = {
        "largest_gap": {
            "heavy_ball": gaps["heavy"][0],
            "lr_inside": gaps["(a)"][0],
            "lr_outside": gaps["(b)"][0],
            "ema": gaps["(c)"][0],
            "torch_dampened": gaps["torch"][0],
        },
        "same_forms_gap": max(same),
        # rounding, not a different run: 200 steps of a few float64 roundings (2.2e-16 each)
        # on parameters of order 1 stay far below 1e-12
        "same_up_to_rounding": max(same) < 1e-12,
        "dampened_worst_step": gaps["torch"][1],
        "dampened_final_gap": gaps["torch"][2],
    }
    if "DOCRUN_RESULTS" in os.environ:  # the site's build quotes these numbers on its pages
        Path(os.environ["DOCRUN_RESULTS"]).write_text(json.dumps(results))
