"""Adam's bias correction divides by 1 - beta**t, not by 1 - beta.

Adam's moving averages start at zero, so after t steps of a constant gradient g they hold
(1 - beta**t) * g, not g. Dividing by 1 - beta**t undoes exactly that. A tutorial's version that
divides by 1 - beta instead agrees on step 1 (beta**1 = beta) and is wrong from step 2 on. With a
constant gradient the correct step is lr at every t; the table shows what the others do.
"""

import json
import os
from pathlib import Path

import torch

LR, BETAS, EPS = 1e-3, (0.9, 0.999), 1e-8


# --8<-- [start:adam]
def adam_steps(grads, correction, lr=LR, betas=BETAS, eps=EPS):
    """Step sizes of a one-parameter Adam; correction: 'beta**t', '1-beta (wrong)',
    'times 1-beta**t (wrong)' or 'none'."""
    b1, b2 = betas
    m = s = 0.0
    steps = []
    for t, g in enumerate(grads, start=1):
        m = b1 * m + (1 - b1) * g
        s = b2 * s + (1 - b2) * g * g
        if correction == "beta**t":
            m_hat, s_hat = m / (1 - b1**t), s / (1 - b2**t)
        elif correction == "1-beta (wrong)":
            m_hat, s_hat = m / (1 - b1), s / (1 - b2)
        elif correction == "times 1-beta**t (wrong)":  # multiplies where it should divide
            m_hat, s_hat = m * (1 - b1**t), s * (1 - b2**t)
        elif correction == "none":
            m_hat, s_hat = m, s
        else:
            raise ValueError(f"unknown correction {correction!r}")
        steps.append(lr * m_hat / (s_hat**0.5 + eps))
    return steps


# --8<-- [end:adam]


def torch_adam_steps(grads, lr=LR, betas=BETAS, eps=EPS):
    """Step sizes of torch.optim.Adam (float64) fed the same gradients."""
    w = torch.zeros(1, dtype=torch.float64, requires_grad=True)
    opt = torch.optim.Adam([w], lr=lr, betas=betas, eps=eps)
    steps, previous = [], 0.0
    for g in grads:
        w.grad = torch.tensor([g], dtype=torch.float64)
        opt.step()
        steps.append(previous - w.item())
        previous = w.item()
    return steps


if __name__ == "__main__":
    n = 3000
    grads = [1.0] * n  # a constant gradient: the correct answer is a step of lr every time
    runs = {
        "torch.optim.Adam": torch_adam_steps(grads),
        "1 - beta**t": adam_steps(grads, "beta**t"),
        "1 - beta (wrong)": adam_steps(grads, "1-beta (wrong)"),
        "no correction": adam_steps(grads, "none"),
        "x (1 - beta**t)": adam_steps(grads, "times 1-beta**t (wrong)"),
    }
    print("step size / lr under a constant gradient (betas 0.9, 0.999); correct is 1.000")
    print(f"{'t':>5} " + " ".join(f"{name:>17}" for name in runs))
    for t in (1, 2, 3, 5, 10, 30, 100, 300, 1000, 3000):
        print(f"{t:>5} " + " ".join(f"{steps[t - 1] / LR:17.3f}" for steps in runs.values()))
    wrong = runs["1 - beta (wrong)"]
    t_max = max(range(n), key=lambda i: wrong[i]) + 1
    b1, b2 = BETAS
    limit = (1 - b2) ** 0.5 / (1 - b1)  # m_hat -> g/(1-b1), s_hat -> g*g/(1-b2)
    print(
        f"\nthe wrong version's largest step: {wrong[t_max - 1] / LR:.3f} x lr at t = {t_max}; "
        f"it tends to sqrt(1-b2)/(1-b1) = {limit:.3f} x lr"
    )
    keys = dict(zip(runs, ("torch", "right", "one_minus_beta", "none", "times"), strict=True))
    results = {  # step / lr at t = 1, 2, 3, 5, 10, ..., 3000, for each column
        keys[name]: {str(t): steps[t - 1] / LR for t in (1, 2, 3, 5, 10, 30, 100, 300, 1000, 3000)}
        for name, steps in runs.items()
    }
    results.update(wrong_max=wrong[t_max - 1] / LR, wrong_max_at=t_max, wrong_limit=limit)
    if "DOCRUN_RESULTS" in os.environ:  # the site's build quotes these numbers on its pages
        Path(os.environ["DOCRUN_RESULTS"]).write_text(json.dumps(results))
