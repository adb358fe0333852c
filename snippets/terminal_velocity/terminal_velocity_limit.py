"""Under a constant gradient g the velocity climbs to -lr g / (1 - gamma): a geometric series."""

import json
import os
from pathlib import Path

import matplotlib.pyplot as plt
import torch


# --8<-- [start:velocity]
def velocities(lr, gamma, g, steps):
    """v_k of v <- gamma v - lr g (form (a)), from v_0 = 0, for k = 0..steps."""
    v, out = 0.0, [0.0]
    for _ in range(steps):
        v = gamma * v - lr * g
        out.append(v)
    return out


def partial_sum(lr, gamma, g, k):
    """-lr g (1 + gamma + ... + gamma^(k-1)) = -lr g (1 - gamma^k) / (1 - gamma)."""
    return -lr * g * (1 - gamma**k) / (1 - gamma)


def limit(lr, gamma, g):
    return -lr * g / (1 - gamma)


# --8<-- [end:velocity]


def torch_step_after(lr, momentum, g, steps):
    """-lr * momentum_buffer of torch.optim.SGD (its step) after `steps` steps of a gradient g."""
    p = torch.nn.Parameter(torch.zeros(1, dtype=torch.float64))
    opt = torch.optim.SGD([p], lr=lr, momentum=momentum)
    for _ in range(steps):
        p.grad = torch.full((1,), g, dtype=torch.float64)
        opt.step()
    return -lr * opt.state[p]["momentum_buffer"].item()


GAMMAS = (0.5, 0.9, 0.99)

if __name__ == "__main__":
    lr, g, steps = 0.1, 1.0, 5000
    print(f"lr = {lr}, constant gradient g = {g}, {steps} steps")
    print(f"  {'gamma':>6} {'1/(1-gamma)':>12} {'v_5000':>10} {'-lr*g/(1-gamma)':>16}", end="")
    print(f" {'torch -lr*buffer':>16} {'max|v_k - sum|':>15}")
    ends, torch_ends, sum_gaps = [], [], []
    for gamma in GAMMAS:
        v = velocities(lr, gamma, g, steps)
        gap = max(abs(v[k] - partial_sum(lr, gamma, g, k)) for k in range(steps + 1))
        t = torch_step_after(lr, gamma, g, steps)
        ends.append(v[-1])
        torch_ends.append(t)
        sum_gaps.append(gap)
        print(
            f"  {gamma:>6} {1 / (1 - gamma):>11.0f}x {v[-1]:>10.6f} {limit(lr, gamma, g):>16.6f}",
            end="",
        )
        print(f" {t:>16.6f} {gap:>15.1e}")

    fig, ax = plt.subplots(figsize=(7, 3.8))
    for i, gamma in enumerate(GAMMAS):
        v = velocities(lr, gamma, g, 2000)
        ax.plot(
            range(1, 2001), [x / (-lr * g) for x in v[1:]], color=f"C{i}", label=f"gamma = {gamma}"
        )
        ax.axhline(1 / (1 - gamma), color=f"C{i}", linestyle="--", linewidth=1)
    ax.set(xscale="log", yscale="log", xlabel="step k", ylabel="v_k / (-lr g)")
    ax.set_title("Velocity under a constant gradient; dashed: the limit 1/(1 - gamma)")
    ax.legend()
    fig.tight_layout()
    plt.show()

    limits = [limit(lr, gamma, g) for gamma in GAMMAS]
    results = {
        "gammas": list(GAMMAS),
        "velocity_end": ends,
        "torch_end": torch_ends,
        "amplification": [x / (-lr * g) for x in ends],
        # gamma^5000 is below 1e-21 for every gamma here: the printed six decimals are the limit
        "equals_limit": all(
            abs(x - lim) < 1e-6 and abs(t - lim) < 1e-6
            for x, t, lim in zip(ends, torch_ends, limits, strict=True)
        ),
        "partial_sum_gap": sum_gaps,
        # rounding: the sum of k float64 terms below 10 is off by at most k * 10 * 2.2e-16,
        # 1.1e-11 for k = 5000
        "partial_sums_to_rounding": all(x < steps * 10 * 2.2e-16 for x in sum_gaps),
    }
    if "DOCRUN_RESULTS" in os.environ:  # the site's build quotes these numbers on its pages
        Path(os.environ["DOCRUN_RESULTS"]).write_text(json.dumps(results))
