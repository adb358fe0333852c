"""The one-parameter loss (w - 1)^2 from w = 5, lr 0.1: with momentum 0.9, w swings past 1."""

import json
import math
import os
from pathlib import Path

import matplotlib.pyplot as plt
import torch


# --8<-- [start:run]
def run(momentum, steps=40, lr=0.1, w0=5.0):
    w = torch.nn.Parameter(torch.tensor(w0, dtype=torch.float64))
    opt = torch.optim.SGD([w], lr=lr, momentum=momentum)
    path = [w.item()]
    for _ in range(steps):
        opt.zero_grad()
        loss = (w - 1) ** 2
        loss.backward()
        opt.step()
        path.append(w.item())
    return path


# --8<-- [end:run]


def damping(lr, momentum, curvature=2.0):
    """Numbers that predict the swing; curvature = f''(w) = 2 for (w - 1)^2.

    Discrete: w_{k+1} - 1 = (1 + m - lr h)(w_k - 1) - m (w_{k-1} - 1) has roots r with |r| = sqrt(m)
    when they are complex, i.e. when m > (1 - sqrt(lr h))^2 (quadratic.md covers this in full).
    Continuous analogue: w'' + (1 - m) w' + lr h w = 0, damping ratio (1 - m) / (2 sqrt(lr h)).
    """
    ah = lr * curvature
    zeta = (1 - momentum) / (2 * math.sqrt(ah))
    return {
        "roots complex (oscillates)": momentum > (1 - math.sqrt(ah)) ** 2,
        "critical momentum (1 - sqrt(lr h))^2": (1 - math.sqrt(ah)) ** 2,
        "|r| = sqrt(momentum), shrink per step": math.sqrt(momentum),
        "damping ratio zeta": zeta,
        "overshoot exp(-pi zeta / sqrt(1 - zeta^2))": math.exp(
            -math.pi * zeta / math.sqrt(1 - zeta**2)
        ),
    }


if __name__ == "__main__":
    path = run(0.9)
    print("loss (w - 1)^2, w0 = 5, torch.optim.SGD(lr=0.1, momentum=0.9)")
    print("  ".join(f"{'k':>3} {'w_k':>8}" for _ in range(4)))
    for row in range(10):
        print("  ".join(f"{k:>3} {path[k]:>8.4f}" for k in range(row + 1, 41, 10)))
    first_below = next(k for k, w in enumerate(path) if w < 1)
    lowest = min(path)
    overshoot = (1 - lowest) / 4
    print(f"first step below 1: {first_below}; lowest w: {lowest:.4f}")
    print(f"overshoot past 1 as a fraction of the start distance 4: {overshoot:.3f}")
    numbers = damping(0.1, 0.9)
    for name, value in numbers.items():
        print(f"  {name:<44} {value if isinstance(value, bool) else f'{value:.4f}'}")

    crit = numbers["critical momentum (1 - sqrt(lr h))^2"]
    fig, ax = plt.subplots(figsize=(7, 3.5))
    ax.plot(path, marker="o", markersize=3, label="momentum 0.9")
    ax.plot(run(0.0), marker="o", markersize=3, label="momentum 0 (plain gradient descent)")
    ax.plot(run(crit), marker="o", markersize=3, label=f"momentum {crit:.3f} (critical damping)")
    ax.axhline(1.0, color="grey", linewidth=0.8, linestyle="--")
    ax.set(xlabel="step k", ylabel="w_k", title="Minimising (w - 1)^2 from w = 5 with lr 0.1")
    ax.legend()
    fig.tight_layout()
    plt.show()

    predicted = numbers["overshoot exp(-pi zeta / sqrt(1 - zeta^2))"]
    results = {
        "first_below": first_below,
        "lowest": lowest,
        "lowest_step": path.index(lowest),
        "overshoot": overshoot,
        "critical_momentum": crit,
        "shrink_per_step": numbers["|r| = sqrt(momentum), shrink per step"],
        "zeta": numbers["damping ratio zeta"],
        "overshoot_predicted": predicted,
        "prediction_within_1pct": abs(predicted - overshoot) <= 0.01 * overshoot,
        "critical_never_crosses": min(run(crit)) > 1,
    }
    if "DOCRUN_RESULTS" in os.environ:  # the site's build quotes these numbers on its pages
        Path(os.environ["DOCRUN_RESULTS"]).write_text(json.dumps(results))
