"""AggMo's terminal step under a constant gradient, derived and run.

With K buffers v_i <- beta_i v_i + g and theta <- theta - (lr / K) sum_i v_i, each buffer
tends to g / (1 - beta_i), so the step tends to lr g (1/K) sum_i 1 / (1 - beta_i).
"""

import json
import os
from pathlib import Path

import torch


def terminal_factor(betas):
    """The closed form: (1/K) sum_i 1 / (1 - beta_i)."""
    return sum(1 / (1 - b) for b in betas) / len(betas)


def run_factor(betas, lr=0.01, g=1.0, steps=20_000):
    """The step after `steps` steps of AggMo with a constant gradient, divided by lr g."""
    bufs = torch.zeros(len(betas), dtype=torch.float64)
    beta = torch.tensor(betas, dtype=torch.float64)
    for _ in range(steps):
        bufs = beta * bufs + g
    return (lr / len(betas) * bufs.sum()).item() / (lr * g)


if __name__ == "__main__":
    results = {"closed_form": [], "after_run": []}
    for betas in ([0.9], [0.0, 0.9, 0.99], [0.0, 0.9, 0.99, 0.999]):
        results["closed_form"].append(terminal_factor(betas))
        results["after_run"].append(run_factor(betas))
        print(f"betas {betas}: closed form {terminal_factor(betas):.4f}", end="")
        print(f", after 20,000 steps {run_factor(betas):.4f}")
    if "DOCRUN_RESULTS" in os.environ:  # the site's build quotes these numbers on its pages
        Path(os.environ["DOCRUN_RESULTS"]).write_text(json.dumps(results))
