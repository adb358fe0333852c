"""O(1/k) for gradient descent, O(1/k^2) for Nesterov: measured on two smooth convex problems."""

import json
import os
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np


# --8<-- [start:run]
def run(grad, f, x0, lr, steps, momentum):
    """f(theta_k) for k = 0..steps; momentum(k) = mu_k (0 for gradient descent). Sutskever form."""
    theta, v = x0.copy(), np.zeros_like(x0)
    losses = [f(theta)]
    for k in range(steps):
        mu = momentum(k)
        v = mu * v - lr * grad(theta + mu * v)
        theta = theta + v
        losses.append(f(theta))
    return np.array(losses)


def gradient_descent(k):
    return 0.0


def nesterov_schedule(k):
    return k / (k + 3)  # mu_k -> 1: the schedule the O(1/k^2) theorem needs


def constant_09(k):
    return 0.9  # what torch.optim.SGD(momentum=0.9, nesterov=True) does


# --8<-- [end:run]

# Problem 1: f(x) = sum(lam_i x_i^2) / 2 with 2000 curvatures log-spaced in [1e-8, 1], x0 = 1.
# Each lam_i stands for a stretch of curvatures as wide as lam_i, so lam_i x0_i^2 = lam_i spreads
# the starting loss evenly over all curvatures: the worst case for gradient descent at every k.
LAM = np.geomspace(1e-8, 1.0, 2000)
SPREAD = dict(
    grad=lambda x: LAM * x, f=lambda x: 0.5 * np.sum(LAM * x**2), x0=np.ones_like(LAM), f_star=0.0
)


# Problem 2: Nesterov's worst function ("the chain"), L = 1, n = 4001, started at 0:
# f(x) = (L/4) [ (x_1^2 + sum (x_i - x_{i+1})^2 + x_n^2) / 2 - x_1 ].
def chain_grad(x, L=1.0):
    t = 2 * x
    t[1:] -= x[:-1]
    t[:-1] -= x[1:]
    t[0] -= 1.0
    return (L / 4) * t


def chain_f(x, L=1.0):
    return (L / 4) * (0.5 * (x[0] ** 2 + np.sum(np.diff(x) ** 2) + x[-1] ** 2) - x[0])


N_CHAIN = 4001
CHAIN = dict(
    grad=chain_grad, f=chain_f, x0=np.zeros(N_CHAIN), f_star=(1 / 8) * (-1 + 1 / (N_CHAIN + 1))
)
CHAIN_X_STAR = 1 - np.arange(1, N_CHAIN + 1) / (N_CHAIN + 1)


def chain_lower_bound(k, n=N_CHAIN, L=1.0):
    """From 0, k gradient steps reach only x_1..x_k; the best f there is (L/8)(-1 + 1/(k+1))."""
    return (L / 8) * (1 / (k + 1) - 1 / (n + 1))


STEPS = 2000  # <= (n - 1) / 2 for the chain: the range where its lower bound holds
FIT = (30, STEPS)  # fit log(f - f*) against log k over this range of k


def fitted_slope(gap, k0=FIT[0], k1=FIT[1]):
    k = np.arange(k0, k1 + 1)
    return np.polyfit(np.log(k), np.log(gap[k0 : k1 + 1]), 1)[0]


def measure(problem, steps=STEPS):
    """f(theta_k) - f* for each method, lr = 1/L with L = 1."""
    return {
        name: run(problem["grad"], problem["f"], problem["x0"], 1.0, steps, mom) - problem["f_star"]
        for name, mom in METHODS.items()
    }


METHODS = {
    "gradient descent": gradient_descent,
    "Nesterov, gamma_k = k/(k+3)": nesterov_schedule,
    "Nesterov, gamma = 0.9": constant_09,
}

KEYS = dict(zip(METHODS, ("gd", "schedule", "constant"), strict=True))  # result names

if __name__ == "__main__":
    k = np.arange(STEPS + 1)
    results = {}
    # --8<-- [start:demo]
    fig, axes = plt.subplots(1, 2, figsize=(11, 4.2))
    for ax, (title, problem, r2) in zip(
        axes,
        (
            ("curvatures spread evenly in [1e-8, 1]", SPREAD, np.sum(SPREAD["x0"] ** 2)),
            ("Nesterov's chain, n = 4001, from 0", CHAIN, np.sum(CHAIN_X_STAR**2)),
        ),
        strict=True,
    ):
        gaps = measure(problem)
        out = results["spread" if problem is SPREAD else "chain"] = {}
        print(f"{title}:  |x0 - x*|^2 = {r2:.4g},  fit over k = {FIT[0]}..{FIT[1]}")
        print(f"{'':>26s}{'slope':>7s}{'k * (f - f*)':>20s}{'k^2 * (f - f*)':>22s}")
        print(f"{'':>33s}{'k = 100':>10s}{'2000':>10s}{'k = 100':>11s}{'2000':>11s}")
        for i, (name, gap) in enumerate(gaps.items()):
            kg, k2g = k * gap, k**2 * gap
            row = f"{kg[100]:10.3g}{kg[-1]:10.3g}{k2g[100]:11.4g}{k2g[-1]:11.4g}"
            print(f"{name:>26s}{fitted_slope(gap):7.2f}{row}")
            out[KEYS[name]] = {
                "slope": float(fitted_slope(gap)),
                "k_gap": {"100": float(kg[100]), "2000": float(kg[-1])},
                "k2_gap": {"100": float(k2g[100]), "2000": float(k2g[-1]), "max": float(k2g.max())},
            }
            ax.loglog(k[1:], gap[1:], color=f"C{i}", label=name)
        # The two theorems (L = 1, lr = 1/L), at every step: the largest gap / bound
        gd, schedule = gaps["gradient descent"], gaps["Nesterov, gamma_k = k/(k+3)"]
        out["gd_bound_ratio"] = float(np.max(gd[1:] * 2 * k[1:] / r2))
        out["schedule_bound_ratio"] = float(np.max(schedule * (k + 1) ** 2 / (2 * r2)))
        out["bounds_hold"] = bool(out["gd_bound_ratio"] <= 1 and out["schedule_bound_ratio"] <= 1)
        if problem is CHAIN:  # every method's gap over the lower bound, smallest and largest
            ratios = {KEYS[n]: gap[1:] / chain_lower_bound(k[1:]) for n, gap in gaps.items()}
            out["lower_bound_ratio"] = {
                n: {"min": float(r.min()), "max": float(r.max())} for n, r in ratios.items()
            }
        ax.loglog(k[1:], r2 / (2 * k[1:]), ":", color="C0", label=r"bound $L R^2 / 2k$")
        ax.loglog(
            k[1:], 2 * r2 / (k[1:] + 1) ** 2, ":", color="C1", label=r"bound $2 L R^2/(k+1)^2$"
        )
        ax.set(title=title, xlabel="step $k$", ylabel=r"$f(\theta_k) - f^*$")
        if problem is CHAIN:  # no method whose steps are built from gradients can beat this
            ax.loglog(k[1:], chain_lower_bound(k[1:]), "--", color="0.6", label="lower bound")
        ax.set_ylim(bottom=1e-9 if problem is SPREAD else 1e-5)
        ax.legend(fontsize=8)
    fig.tight_layout()
    plt.show()
    # --8<-- [end:demo]

    spread = results["spread"]  # the constant momentum's gain over gradient descent at k = 2000
    results["constant_gain"] = spread["gd"]["k_gap"]["2000"] / spread["constant"]["k_gap"]["2000"]
    if "DOCRUN_RESULTS" in os.environ:  # the site's build quotes these numbers on its pages
        Path(os.environ["DOCRUN_RESULTS"]).write_text(json.dumps(results))
