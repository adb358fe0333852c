"""Porting momentum SGD between frameworks: which settings give the same run.

On a fixed quadratic, 200 steps of torch.optim.SGD are compared with the update rules other
frameworks document: Keras's SGD (velocity = momentum * velocity - learning_rate * g;
w = w + velocity), Sutskever et al.'s Nesterov form, and the moving-average ("EMA") form of many
textbooks (m = beta * m + (1 - beta) * g; w = w - lr * m). All in float64.
"""

import inspect
import json
import os
from pathlib import Path

import torch

A = torch.tensor([1.0, 10.0], dtype=torch.float64)  # f(w) = sum(A * w**2) / 2
W0 = torch.tensor([1.0, 1.0], dtype=torch.float64)
STEPS = 200


def grad(w):
    return A * w


def constant(lr):
    return [lr] * STEPS


def step_drop(lr, at=100, factor=0.1):
    """A step schedule: lr for `at` steps, then lr * factor."""
    return [lr if k < at else lr * factor for k in range(STEPS)]


# --8<-- [start:rules]
def torch_sgd(lrs, momentum, nesterov=False, dampening=0.0):
    """Iterates of torch.optim.SGD with the learning rate set to lrs[k] before step k."""
    w = W0.clone().requires_grad_()
    opt = torch.optim.SGD([w], lr=lrs[0], momentum=momentum, nesterov=nesterov, dampening=dampening)
    path = []
    for lr in lrs:
        opt.param_groups[0]["lr"] = lr
        w.grad = grad(w.detach())
        opt.step()
        path.append(w.detach().clone())
    return torch.stack(path)


def keras_sgd(lrs, momentum, nesterov=False):
    """Keras's documented rule: velocity = momentum * velocity - learning_rate * g."""
    w, velocity, path = W0.clone(), torch.zeros_like(W0), []
    for lr in lrs:
        g = grad(w)
        velocity = momentum * velocity - lr * g
        w = w + momentum * velocity - lr * g if nesterov else w + velocity
        path.append(w)
    return torch.stack(path)


def sutskever_nag(lrs, momentum):
    """Sutskever et al. (2013): v = mu*v - lr*grad(theta + mu*v); theta = theta + v.

    Returns the lookahead points theta + mu*v, the variable PyTorch and Keras store.
    """
    theta, v, path = W0.clone(), torch.zeros_like(W0), []
    for lr in lrs:
        v = momentum * v - lr * grad(theta + momentum * v)
        theta = theta + v
        path.append(theta + momentum * v)
    return torch.stack(path)


def ema_sgd(lrs, beta):
    """The moving-average form: m = beta*m + (1-beta)*g (m starts at 0); w = w - lr*m."""
    w, m, path = W0.clone(), torch.zeros_like(W0), []
    for lr in lrs:
        m = beta * m + (1 - beta) * grad(w)
        w = w - lr * m
        path.append(w)
    return torch.stack(path)


# --8<-- [end:rules]


def comparisons(lr=0.01, momentum=0.9):
    """(description, max |difference| between the two runs' iterates over all steps)."""
    eta = lr / (1 - momentum)  # the EMA form's learning rate that matches PyTorch's lr
    pairs = [
        (
            "Keras(lr, m) vs torch(lr, m)",
            keras_sgd(constant(lr), momentum),
            torch_sgd(constant(lr), momentum),
        ),
        (
            "Keras nesterov vs torch nesterov",
            keras_sgd(constant(lr), momentum, True),
            torch_sgd(constant(lr), momentum, True),
        ),
        (
            "Sutskever NAG (lookahead) vs torch nesterov",
            sutskever_nag(constant(lr), momentum),
            torch_sgd(constant(lr), momentum, True),
        ),
        (
            "EMA(lr/(1-m), m) vs torch(lr, m)",
            ema_sgd(constant(eta), momentum),
            torch_sgd(constant(lr), momentum),
        ),
        (
            "EMA(lr/(1-m), m) vs torch(lr/(1-m), m, dampening=m)",
            ema_sgd(constant(eta), momentum),
            torch_sgd(constant(eta), momentum, dampening=momentum),
        ),
        (
            "Keras vs torch, lr x0.1 at step 100",
            keras_sgd(step_drop(lr), momentum),
            torch_sgd(step_drop(lr), momentum),
        ),
    ]
    return [(name, (a - b).abs().max().item()) for name, a, b in pairs]


KEYS = ("keras", "keras_nesterov", "sutskever_nesterov", "ema", "ema_vs_dampening", "lr_drop")

if __name__ == "__main__":
    print(f"f(w) = (w1^2 + 10 w2^2)/2 from (1, 1); lr = 0.01, momentum m = 0.9; {STEPS} steps")
    print(f"{'runs compared':<54} {'max |difference|':>16}")
    results = {}
    for key, (name, diff) in zip(KEYS, comparisons(), strict=True):
        print(f"{name:<54} {diff:16.2e}")
        results[key] = diff
    # the pairs that are the same run while the learning rate is constant, and the largest gap
    same = [results[key] for key in ("keras", "keras_nesterov", "sutskever_nesterov")]
    results["same_run_max"] = max(same)
    default_lr = inspect.signature(torch.optim.SGD).parameters["lr"].default
    print(f"torch.optim.SGD's default lr: {default_lr}")
    results["torch_default_lr"] = default_lr
    if "DOCRUN_RESULTS" in os.environ:  # the site's build quotes these numbers on its pages
        Path(os.environ["DOCRUN_RESULTS"]).write_text(json.dumps(results))
