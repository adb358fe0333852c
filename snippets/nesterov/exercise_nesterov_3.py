"""The Nesterov momentum that critically damps one direction: mu_c = (1 - sqrt h) / (1 + sqrt h).

Nesterov is heavy ball with momentum mu (1 - h), h = lr * lam; heavy ball is critically damped at
beta_c = (1 - sqrt h)^2. Solving mu (1 - h) = (1 - sqrt h)^2 with 1 - h = (1 - sqrt h)(1 + sqrt h)
gives mu_c, and the rate there is sqrt(beta_c) = 1 - sqrt h, as for heavy ball.
"""

import json
import os
from pathlib import Path

import numpy as np


def nesterov_matrix(h, mu):
    """(x, v) -> (x', v') for v' = mu v - h (x + mu v), x' = x + v' (lr * lam = h)."""
    d = 1 - h
    return np.array([[d, mu * d], [-h, mu * d]])


def rate(h, mu):
    return np.abs(np.linalg.eigvals(nesterov_matrix(h, mu))).max()


def critical_mu(h):
    return (1 - np.sqrt(h)) / (1 + np.sqrt(h))


if __name__ == "__main__":
    mus = np.linspace(0, 0.999, 4000)
    print(f"{'h':>6} {'mu_c':>8} {'beta_c HB':>10} {'rate at mu_c':>13} {'1 - sqrt h':>11}", end="")
    print(f" {'grid: best mu':>14} {'best rate':>10}")
    results = {}
    for h in (0.001, 0.04, 0.25):
        rates = [rate(h, mu) for mu in mus]
        best = int(np.argmin(rates))
        r = results[f"h_{h:g}".replace(".", "_")] = {
            "mu_c": float(critical_mu(h)),
            "beta_c": float((1 - np.sqrt(h)) ** 2),  # heavy ball's critical momentum
            "rate_at_mu_c": float(rate(h, critical_mu(h))),
            "grid_best_mu": float(mus[best]),
            "grid_best_rate": float(rates[best]),
        }
        print(f"{h:>6} {r['mu_c']:>8.4f} {r['beta_c']:>10.4f}", end="")
        print(f" {r['rate_at_mu_c']:>13.6f} {1 - np.sqrt(h):>11.6f}", end="")
        print(f" {r['grid_best_mu']:>14.4f} {r['grid_best_rate']:>10.6f}")
    if "DOCRUN_RESULTS" in os.environ:  # the site's build quotes these numbers on its pages
        Path(os.environ["DOCRUN_RESULTS"]).write_text(json.dumps(results))
