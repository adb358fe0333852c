"""Trade gamma against lr at a fixed effective learning rate lr / (1 - gamma) on a quadratic.

Two directions: a flat one (curvature 0.001) and a steep one (curvature 1). The long-run progress
along the flat direction is set by lr / (1 - gamma); the transient along the steep one is not.
"""

import json
import os
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np


# --8<-- [start:run]
def heavy_ball_path(lr, gamma, curvature, steps, x0=1.0):
    """x_k along one eigendirection of a quadratic: v <- gamma v - lr h x; x <- x + v."""
    x, v, out = x0, 0.0, [x0]
    for _ in range(steps):
        v = gamma * v - lr * curvature * x
        x = x + v
        out.append(x)
    return np.array(out)


def roots(lr, gamma, curvature):
    """Roots of r^2 - (1 + gamma - lr h) r + gamma = 0: each mode of x_k behaves like r^k."""
    return np.roots([1.0, -(1 + gamma - lr * curvature), gamma])


def complex_band(gamma):
    """lr h inside ((1 - sqrt gamma)^2, (1 + sqrt gamma)^2): complex roots, |r| = sqrt(gamma)."""
    return (1 - gamma**0.5) ** 2, (1 + gamma**0.5) ** 2


def stability_limit(lr, gamma):
    """Largest curvature h that still converges: lr h < 2 (1 + gamma)."""
    return 2 * (1 + gamma) / lr


# --8<-- [end:run]

EFFECTIVE_LR = 0.5
GAMMAS = (0.0, 0.5, 0.9, 0.99)
FLAT, STEEP, STEPS = 0.001, 1.0, 3000


def settling_steps(path, tol=1e-3):
    """First k after which |x| stays below tol."""
    above = np.nonzero(np.abs(path) >= tol)[0]
    return int(above[-1]) + 1 if len(above) else 0


def table():
    rows = []
    for gamma in GAMMAS:
        lr = EFFECTIVE_LR * (1 - gamma)
        flat = heavy_ball_path(lr, gamma, FLAT, STEPS)
        steep = heavy_ball_path(lr, gamma, STEEP, STEPS)
        rows.append(
            {
                "gamma": gamma,
                "lr": lr,
                "flat_end": flat[-1],
                "flat_rate": max(abs(roots(lr, gamma, FLAT))),
                "overshoot": max(0.0, -steep.min()),
                "steep_rate": max(abs(roots(lr, gamma, STEEP))),
                "settle": settling_steps(steep),
                "h_max": stability_limit(lr, gamma),
            }
        )
    return rows


if __name__ == "__main__":
    rows = table()
    gd = 1 - EFFECTIVE_LR * FLAT
    print(f"lr / (1 - gamma) = {EFFECTIVE_LR} throughout; x_0 = 1 in each direction; {STEPS} steps")
    print(f"plain GD with lr {EFFECTIVE_LR}: flat x_3000 = {gd**STEPS:.4f}, rate {gd:.5f}")
    print(
        f"{'gamma':>6} {'lr':>7} | {'flat x_3000':>11} {'/ GD':>6} {'rate':>8} | {'overshoot':>9}",
        end="",
    )
    print(f" {'rate':>7} {'settle<1e-3':>11} | {'max curvature':>13}")
    for r in rows:
        print(
            f"{r['gamma']:>6} {r['lr']:>7.4f} | {r['flat_end']:>11.4f}"
            f" {r['flat_end'] / gd**STEPS:>6.3f} {r['flat_rate']:>8.5f} |"
            f" {r['overshoot']:>9.3f} {r['steep_rate']:>7.4f} {r['settle']:>11} |"
            f" {r['h_max']:>13.0f}"
        )

    print("\nsteep direction: rate sqrt(gamma) while lr h is inside the complex-root band")
    inside = []
    for r in rows[1:]:
        lo, hi = complex_band(r["gamma"])
        h_lr = r["lr"] * STEEP
        inside.append(bool(lo < h_lr < hi))
        print(
            f"  gamma {r['gamma']:<5} lr h = {h_lr:.4f} in ({lo:.2e}, {hi:.2f}): {lo < h_lr < hi};"
            f" sqrt(gamma) = {r['gamma'] ** 0.5:.4f}"
        )

    fig, (ax_flat, ax_steep) = plt.subplots(1, 2, figsize=(10, 3.8))
    for i, gamma in enumerate(GAMMAS):
        lr = EFFECTIVE_LR * (1 - gamma)
        label = f"gamma {gamma}, lr {lr:.3g}"
        ax_flat.plot(heavy_ball_path(lr, gamma, FLAT, STEPS), color=f"C{i}", label=label)
        ax_steep.plot(heavy_ball_path(lr, gamma, STEEP, 120), color=f"C{i}", label=label)
    ax_flat.set(xlabel="step k", ylabel="x_k", title=f"Flat direction (curvature {FLAT})")
    ax_steep.set(xlabel="step k", ylabel="x_k", title=f"Steep direction (curvature {STEEP})")
    ax_steep.axhline(0.0, color="grey", linewidth=0.8)
    ax_flat.legend(fontsize=8)
    fig.tight_layout()
    plt.show()

    ends = [r["flat_end"] for r in rows]
    results = {
        "gammas": list(GAMMAS),
        "gd_flat_end": gd**STEPS,
        "gd_rate": gd,
        "flat_end": ends,
        "flat_spread": 1 - min(ends) / max(ends),  # how far apart the four ends are
        "flat_rate_gap": max(abs(r["flat_rate"] - gd) for r in rows),
        "overshoot": [r["overshoot"] for r in rows],
        "settle": [r["settle"] for r in rows],
        "steep_rate": [float(r["steep_rate"]) for r in rows],
        "h_max": [r["h_max"] for r in rows],
        "all_inside_band": all(inside),
    }
    if "DOCRUN_RESULTS" in os.environ:  # the site's build quotes these numbers on its pages
        Path(os.environ["DOCRUN_RESULTS"]).write_text(json.dumps(results))
