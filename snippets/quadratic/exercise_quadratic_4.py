"""How wrong may the largest curvature L be before the tuned method diverges?

Gradient descent at alpha = 2 / (L + mu) diverges once a curvature exceeds 2 / alpha = L + mu.
Heavy ball at Polyak's (alpha*, beta*) diverges once alpha* lam > 2 + 2 beta*, that is
lam > L (2 + 2 beta*) / (alpha* L) = L (1 + 1/kappa). Both tolerate a factor 1 + 1/kappa, no more.
"""

import json
import math
import os
from pathlib import Path

import numpy as np


def rho(alpha, beta, lam):
    return np.abs(np.roots([1.0, -(1 + beta - alpha * lam), beta])).max()


def largest_stable_curvature(alpha, beta, lo, hi):
    """Bisect for the curvature at which the spectral radius reaches 1 (lo stable, hi not)."""
    for _ in range(200):
        mid = 0.5 * (lo + hi)
        lo, hi = (mid, hi) if rho(alpha, beta, mid) < 1 else (lo, mid)
    return lo


def tolerances(kappa, mu=1.0):
    """Largest curvature / L that each tuned method still survives."""
    L = kappa * mu
    s = math.sqrt(kappa)
    alpha_hb = (2 / (math.sqrt(L) + math.sqrt(mu))) ** 2
    beta_hb = ((s - 1) / (s + 1)) ** 2
    alpha_gd = 2 / (L + mu)
    hb = largest_stable_curvature(alpha_hb, beta_hb, L / 2, 4 * L) / L
    gd = largest_stable_curvature(alpha_gd, 0.0, L / 2, 4 * L) / L
    return gd, hb


if __name__ == "__main__":
    print(f"{'kappa':>6} {'gradient descent':>17} {'heavy ball':>11} {'1 + 1/kappa':>12}")
    rows = {}
    for kappa in (10, 100, 1000):
        gd, hb = tolerances(kappa)
        print(f"{kappa:>6} {gd:>17.9f} {hb:>11.9f} {1 + 1 / kappa:>12.9f}")
        rows[str(kappa)] = {"gradient_descent": gd, "heavy_ball": hb}
    gap = max(abs(t - (1 + 1 / int(k))) for k, row in rows.items() for t in row.values())
    results = {
        "kappa": rows,
        "bisection_gap": gap,
        "bisection_agrees": gap < 1e-9,  # "the same limits to 1e-9", the digits printed
    }
    if "DOCRUN_RESULTS" in os.environ:  # the site's build quotes these numbers on its pages
        Path(os.environ["DOCRUN_RESULTS"]).write_text(json.dumps(results))
