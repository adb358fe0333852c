"""When momentum hurts: overshoot, slower convergence, and the stability limit 0 < lr*lam < 2 + 2m.

On f(w) = lam * w**2 / 2, from w = 1, PyTorch's heavy ball (b <- m*b + g; w <- w - lr*b) is run for
several values of lr*lam and momentum m: how many steps it needs to get |w| below 1e-6, and how
far it first swings past the minimum (overshoot, as a fraction of the start).
"""

import json
import math
import os
from pathlib import Path

LR_LAMS = (0.01, 0.1, 1.0, 1.9, 2.5, 3.5, 3.9)
MOMENTA = (0.0, 0.5, 0.9)


# --8<-- [start:heavy_ball]
def trajectory(lr_lam, m, steps):
    """w_1..w_steps of heavy ball on f(w) = lam*w^2/2 (only the product lr*lam matters)."""
    w, b, path = 1.0, 0.0, []
    for _ in range(steps):
        b = m * b + w  # the gradient is lam*w; lam is folded into lr*lam below
        w = w - lr_lam * b
        path.append(w)
        if abs(w) > 1e12:
            break  # diverged
    return path


def spectral_radius(lr_lam, m):
    """Largest |root| of r^2 - (1 + m - lr*lam) r + m = 0: per-step shrink factor (< 1 = stable)."""
    p = 1 + m - lr_lam
    disc = complex(p * p - 4 * m) ** 0.5
    return max(abs((p + disc) / 2), abs((p - disc) / 2))


# --8<-- [end:heavy_ball]


def steps_to(lr_lam, m, tol=1e-6, max_steps=20000):
    """First step after which |w| stays below tol; None when it diverges or never gets there."""
    path = trajectory(lr_lam, m, max_steps)
    if len(path) < max_steps or abs(path[-1]) >= tol:
        return None
    last_big = max((k for k, w in enumerate(path, start=1) if abs(w) >= tol), default=0)
    return last_big + 1


def overshoot(lr_lam, m, steps=2000):
    """How far w first goes past the minimum, as a fraction of the start (0 = never)."""
    return max(0.0, -min(trajectory(lr_lam, m, steps)))


def stability_limit(m, low=0.0, high=10.0, iterations=60):
    """The largest stable lr*lam, by bisection on the spectral radius (not from the formula)."""
    for _ in range(iterations):
        mid = (low + high) / 2
        low, high = (mid, high) if spectral_radius(mid, m) < 1 else (low, mid)
    return (low + high) / 2


def key(number):
    """A result name for a setting: 0.01 -> "0_01"."""
    return str(number).replace(".", "_")


if __name__ == "__main__":
    results = {"steps": {}, "overshoot": {}, "stable_limit": {}}
    print("steps until |w| < 1e-6 (overshoot past the minimum, fraction of the start)")
    print(f"{'lr*lam':>6} " + " ".join(f"{f'm = {m}':>22}" for m in MOMENTA))
    for lr_lam in LR_LAMS:
        cells = []
        results["steps"][key(lr_lam)], results["overshoot"][key(lr_lam)] = {}, {}
        for m in MOMENTA:
            n = steps_to(lr_lam, m)
            swing = overshoot(lr_lam, m)
            cells.append("diverges" if n is None else f"{n} ({swing:.2f})")
            results["steps"][key(lr_lam)][key(m)] = n  # None (null): diverges
            results["overshoot"][key(lr_lam)][key(m)] = None if n is None else swing
        print(f"{lr_lam:>6} " + " ".join(f"{c:>22}" for c in cells))
    limits = {m: stability_limit(m) for m in MOMENTA}
    print("\nlargest stable lr*lam, by bisection on the spectral radius, and 2 + 2m:")
    print(", ".join(f"m = {m}: {limit:.4f} ({2 + 2 * m:g})" for m, limit in limits.items()))
    results["stable_limit"] = {key(m): limit for m, limit in limits.items()}
    # the radius crosses 1 with a slope of order 1 there, so rounding moves the crossing by about
    # 1e-16; 1e-9 leaves room and still tells 2 + 2m from any other simple formula
    results["limit_is_2_plus_2m"] = all(abs(lim - (2 + 2 * m)) < 1e-9 for m, lim in limits.items())
    print(
        "no oscillation (overdamped) when m <= (1 - sqrt(lr*lam))^2:",
        ", ".join(f"lr*lam = {a}: m <= {(1 - math.sqrt(a)) ** 2:.3f}" for a in (0.01, 0.1)),
    )
    if "DOCRUN_RESULTS" in os.environ:  # the site's build quotes these numbers on its pages
        Path(os.environ["DOCRUN_RESULTS"]).write_text(json.dumps(results))
