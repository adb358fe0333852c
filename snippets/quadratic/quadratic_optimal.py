"""Optimal momentum: iterations to a tolerance grow like sqrt(kappa), against kappa without it."""

import json
import math
import os
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np


# --8<-- [start:optimal]
def optimal_gd(mu, L):
    """Best step for gradient descent and its rate (kappa - 1)/(kappa + 1)."""
    kappa = L / mu
    return 2 / (L + mu), (kappa - 1) / (kappa + 1)


def optimal_momentum(mu, L):
    """Both ends critically damped: alpha mu = (1 - sqrt beta)^2, alpha L = (1 + sqrt beta)^2."""
    kappa = L / mu
    alpha = (2 / (math.sqrt(L) + math.sqrt(mu))) ** 2
    beta = ((math.sqrt(kappa) - 1) / (math.sqrt(kappa) + 1)) ** 2
    return alpha, beta, math.sqrt(beta)  # rate = sqrt(beta) = (sqrt k - 1)/(sqrt k + 1)


# --8<-- [end:optimal]


def iterations(alpha, beta, lams, tol):
    """Heavy ball from rest at x0 = 1 in each direction: 1 + the last k with max |x_k| > tol."""
    lams = np.asarray(lams, dtype=float)
    prev, x = np.ones_like(lams), np.ones_like(lams)
    k, last_above = 0, 0
    while True:
        err = np.abs(x).max()
        if err > tol:
            last_above = k
        elif err < tol * 1e-3:  # far below tol: past any transient bump, so done
            return last_above + 1
        prev, x = x, x - alpha * lams * x + beta * (x - prev)
        k += 1


# --8<-- [start:predict]
def predicted_gd(kappa, tol):
    """|x_k| = rho^k exactly in both extreme directions."""
    return math.ceil(math.log(tol) / math.log((kappa - 1) / (kappa + 1)))


def predicted_momentum(kappa, tol):
    """At (alpha*, beta*) the extreme roots are double, so |x_k| = (1 + k(1 +- rho)) rho^k.

    The lambda = L direction, (1 + k(1 + rho)) rho^k, is the slower one."""
    rho = (math.sqrt(kappa) - 1) / (math.sqrt(kappa) + 1)
    k = math.ceil(math.log(tol) / math.log(rho))  # a start below the answer; walk up
    while (1 + (k - 1) * (1 + rho)) * rho ** (k - 1) <= tol:
        k -= 1
    while (1 + k * (1 + rho)) * rho**k > tol:
        k += 1
    return k


# --8<-- [end:predict]

KAPPAS = (10, 30, 100, 300, 1000, 3000, 10000)
TOL = 1e-6

if __name__ == "__main__":
    # --8<-- [start:demo]
    print(f"curvatures {{mu, L}} = {{1/kappa, 1}}, start x0 = (1, 1) at rest, tolerance {TOL:g}")
    print(
        f"{'kappa':>6s}{'rate GD':>10s}{'rate mom.':>10s}"
        f"{'GD: measured':>14s}{'predicted':>10s}{'mom.: measured':>16s}{'predicted':>10s}"
        f"{'rho only':>10s}"
    )
    counts = {"gradient descent": [], "optimal momentum": []}
    rho_only = []
    rows = {}  # per kappa, for the page
    for kappa in KAPPAS:
        mu, L = 1 / kappa, 1.0
        a_gd, r_gd = optimal_gd(mu, L)
        a, b, r = optimal_momentum(mu, L)
        n_gd, n_mom = iterations(a_gd, 0.0, [mu, L], TOL), iterations(a, b, [mu, L], TOL)
        p_gd, p_mom = predicted_gd(kappa, TOL), predicted_momentum(kappa, TOL)
        counts["gradient descent"].append(n_gd)
        counts["optimal momentum"].append(n_mom)
        naive = math.ceil(math.log(TOL) / math.log(r))  # ignores the (1 + k(1 + rho)) factor
        rho_only.append(naive)
        print(
            f"{kappa:6d}{r_gd:10.5f}{r:10.5f}{n_gd:14d}{p_gd:10d}{n_mom:16d}{p_mom:10d}{naive:10d}"
        )
        rows[str(kappa)] = {
            "rate_gd": r_gd,
            "rate_momentum": r,
            "steps_gd": n_gd,
            "predicted_gd": p_gd,
            "steps_momentum": n_mom,
            "predicted_momentum": p_mom,
            "steps_rho_only": naive,
        }
    slopes = {name: np.polyfit(np.log(KAPPAS), np.log(n), 1)[0] for name, n in counts.items()}
    for name, s in slopes.items():
        print(f"fitted slope of log(iterations) against log(kappa), {name}: {s:.3f}")
    s_naive = np.polyfit(np.log(KAPPAS), np.log(rho_only), 1)[0]
    print(f"the same for the 'rho only' counts, log(tol)/log(rho): {s_naive:.3f}")
    short = [1 - r / n for r, n in zip(rho_only, counts["optimal momentum"], strict=True)]
    worst = int(np.argmax(short))
    print(
        f"the 'rho only' counts fall short by up to {100 * short[worst]:.0f} %"
        f" ({rho_only[worst]} against {counts['optimal momentum'][worst]}"
        f" at kappa = {KAPPAS[worst]})"
    )

    fig, ax = plt.subplots(figsize=(7, 4.5))
    ks = np.geomspace(KAPPAS[0], KAPPAS[-1], 100)
    ax.loglog(ks, [predicted_gd(k, TOL) for k in ks], color="C0", lw=1)
    ax.loglog(ks, [predicted_momentum(k, TOL) for k in ks], color="C1", lw=1)
    for i, (name, n) in enumerate(counts.items()):
        ax.loglog(KAPPAS, n, "o", color=f"C{i}", label=f"{name} (slope {slopes[name]:.2f})")
    ax.set(xlabel=r"condition number $\kappa = L/\mu$", ylabel=f"iterations to reach {TOL:g}")
    ax.set_title("dots: measured, lines: predicted", fontsize=10)
    ax.legend()
    fig.tight_layout()
    plt.show()
    # --8<-- [end:demo]
    exact = all(
        row["steps_gd"] == row["predicted_gd"]
        and row["steps_momentum"] == row["predicted_momentum"]
        for row in rows.values()
    )
    results = {
        "kappa": rows,
        "counts_as_predicted": exact,
        "slope_gd": float(slopes["gradient descent"]),
        "slope_momentum": float(slopes["optimal momentum"]),
        "slope_rho_only": float(s_naive),
        "shortfall_percent": 100 * short[worst],
        "shortfall_kappa": KAPPAS[worst],
        "shortfall_over_third": short[worst] > 1 / 3,
    }
    if "DOCRUN_RESULTS" in os.environ:  # the site's build quotes these numbers on its pages
        Path(os.environ["DOCRUN_RESULTS"]).write_text(json.dumps(results))
