"""What momentum's "acceleration" is: a square root of the condition number, not "quadratic".

On f(x, y) = (mu*x^2 + L*y^2)/2 with condition number kappa = L/mu, gradient descent with its best
fixed step needs about kappa/2 * ln(1/tol) iterations, heavy ball with its best (lr, momentum)
about sqrt(kappa)/2 * ln(1/tol): a "quadratic speed-up" in the number of iterations. Both converge
linearly: the error shrinks by a fixed factor per step, so the number of correct digits grows by
about a constant amount per step (quadratic convergence, as in Newton's method, would double it).
Heavy ball's guarantee is for quadratics only: on a strongly convex function that is not quadratic
(Lessard, Recht & Packard, 2016) heavy ball with the same tuning never converges, while Nesterov's
method with constant momentum (sqrt(kappa) - 1)/(sqrt(kappa) + 1) keeps its rate (Nesterov 2004).
"""

import itertools
import json
import math
import os
from pathlib import Path


# --8<-- [start:tuning]
def gd_tuning(mu, L):
    """Best fixed step of gradient descent on a quadratic, and its per-step rate."""
    return 2 / (L + mu), (L - mu) / (L + mu)


def heavy_ball_tuning(mu, L):
    """Polyak's best (lr, momentum) on a quadratic, and its per-step rate."""
    sk = math.sqrt(L / mu)
    lr = 4 / (math.sqrt(L) + math.sqrt(mu)) ** 2
    momentum = ((sk - 1) / (sk + 1)) ** 2
    return lr, momentum, (sk - 1) / (sk + 1)


def heavy_ball_step(x, prev, grad, lr, momentum):
    """x+ = x - lr*grad(x) + momentum*(x - x_prev); momentum 0 is gradient descent."""
    g = grad(x)
    return [xi - lr * gi + momentum * (xi - pi) for xi, gi, pi in zip(x, g, prev, strict=True)]


def iterations_to(tol, grad, lr, momentum, x0, max_iter=10**6):
    """Steps from rest at x0 until every coordinate stays below tol times its start (the minimum
    is 0): the rule of the quadratic-picture page, so both pages count the same way."""
    x, prev = list(x0), list(x0)
    last_above = 0
    for k in range(1, max_iter + 1):
        x, prev = heavy_ball_step(x, prev, grad, lr, momentum), x
        err = max(abs(xi / x0i) for xi, x0i in zip(x, x0, strict=True))
        if err > tol:
            last_above = k
        elif err < tol * 1e-3:  # far below tol: past any transient bump
            return last_above + 1
    return None


# --8<-- [end:tuning]


def quadratic_grad(mu, L):
    return lambda p: [mu * p[0], L * p[1]]


# --8<-- [start:lessard]
def lessard_f(x):
    """Lessard et al.'s function: strongly convex (mu = 1), smooth (L = 25), not quadratic."""
    if x < 1:
        return 12.5 * x**2
    return 0.5 * x**2 + 24 * x - 12 if x < 2 else 12.5 * x**2 - 24 * x + 36


def lessard_grad(p):
    x = p[0]
    return [25 * x if x < 1 else (x + 24 if x < 2 else 25 * x - 24)]


def lessard_flat_grad(p):
    """F(x, y) = lessard_f(x) + y^2 / 2: a flat direction added, still mu = 1 and L = 25."""
    return [*lessard_grad(p), p[1]]


def nesterov_tuning(mu, L):
    """Nesterov's constant-momentum scheme for strongly convex f: lr 1/L, momentum
    (sqrt(kappa) - 1)/(sqrt(kappa) + 1); guaranteed f(x_k) - f* <= (1 - 1/sqrt(kappa))^k C."""
    sk = math.sqrt(L / mu)
    return 1 / L, (sk - 1) / (sk + 1), 1 - 1 / sk


def nesterov_step(x, prev, grad, lr, momentum):
    """y = x + momentum*(x - x_prev);  x+ = y - lr*grad(y): the gradient at the lookahead point."""
    y = [xi + momentum * (xi - pi) for xi, pi in zip(x, prev, strict=True)]
    return [yi - lr * gi for yi, gi in zip(y, grad(y), strict=True)]


def run(grad, lr, momentum, x0, steps, step=heavy_ball_step):
    """Every point x_1 .. x_steps, from rest at x0."""
    x, prev, path = list(x0), list(x0), []
    for _ in range(steps):
        x, prev = step(x, prev, grad, lr, momentum), x
        path.append(x)
    return path


# --8<-- [end:lessard]


def nesterov_bound_ratio(path, x0, mu=1.0, L=25.0):
    """Largest F(x_k) / ((1 - 1/sqrt(kappa))^k (F(x0) + mu/2 |x0|^2)) over the run (F* = 0)."""

    def big_f(p):
        return lessard_f(p[0]) + (p[1] ** 2 / 2 if len(p) > 1 else 0.0)

    rate = nesterov_tuning(mu, L)[2]
    start = big_f(x0) + mu / 2 * sum(v * v for v in x0)
    return max(big_f(p) / (rate ** (k + 1) * start) for k, p in enumerate(path))


if __name__ == "__main__":
    tol = 1e-6
    results = {"iterations": {}}
    print(f"iterations until every coordinate stays below {tol:g} of its start, best tuning each")
    print(
        f"{'kappa':>7} {'gradient descent':>17} {'heavy ball':>11} {'ratio':>7} {'sqrt(kappa)':>12}"
    )
    for kappa in (10, 100, 1000, 10000):
        mu, L = 1 / kappa, 1.0
        grad = quadratic_grad(mu, L)
        gd = iterations_to(tol, grad, gd_tuning(mu, L)[0], 0.0, (1.0, 1.0))
        lr, m, _ = heavy_ball_tuning(mu, L)
        hb = iterations_to(tol, grad, lr, m, (1.0, 1.0))
        print(f"{kappa:>7} {gd:>17} {hb:>11} {gd / hb:7.1f} {math.sqrt(kappa):12.1f}")
        results["iterations"][str(kappa)] = {"gd": gd, "hb": hb, "per_sqrt": gd / hb / kappa**0.5}
    shares = [row["per_sqrt"] for row in results["iterations"].values()]
    results["per_sqrt_min"], results["per_sqrt_max"] = min(shares), max(shares)

    mu, L = 1 / 100, 1.0
    lr, m, rate = heavy_ball_tuning(mu, L)
    path = run(quadratic_grad(mu, L), lr, m, (1.0, 1.0), 200)
    digits = [-math.log10(abs(path[k - 1][0])) for k in (40, 80, 120, 160, 200)]
    print("\nkappa = 100, heavy ball, flat coordinate: correct digits (-log10 |x|) every 40 steps")
    print(
        "  ".join(f"k={k}: {d:.2f}" for k, d in zip((40, 80, 120, 160, 200), digits, strict=True))
    )
    gains = [b - a for a, b in itertools.pairwise(digits)]
    print(f"digits gained per 40 steps: {' '.join(f'{g:.2f}' for g in gains)}; the rate", end=" ")
    print(f"{rate:.4f} alone gives {-40 * math.log10(rate):.2f}, the limit as k grows")
    results.update(digits_gained=gains, digits_limit=-40 * math.log10(rate), rate_kappa_100=rate)

    lr, m, _ = heavy_ball_tuning(1.0, 25.0)
    hb = run(lessard_grad, lr, m, (3.3,), 3000)
    gd = run(lessard_grad, gd_tuning(1.0, 25.0)[0], 0.0, (3.3,), 3000)
    print(
        f"\nnon-quadratic f (mu = 1, L = 25), from x = 3.3 at rest; lr = {lr:.4f}, "
        f"momentum = {m:.4f}"
    )
    print("heavy ball, steps 2995-3000:", " ".join(f"{p[0]:.4f}" for p in hb[-6:]))
    print("gradient descent, step 3000:", f"{gd[-1][0]:.1e}")
    results["lessard"] = {"hb_last": [p[0] for p in hb[-6:]], "gd_last": gd[-1][0]}

    # --8<-- [start:nesterov]
    lr, m, rate = nesterov_tuning(1.0, 25.0)
    ne = run(lessard_grad, lr, m, (3.3,), 3000, step=nesterov_step)
    print(f"Nesterov, lr = 1/L = {lr:.2f}, momentum = {m:.4f}:", end=" ")
    print(" ".join(f"{p[0]:.4f}" for p in ne[:4]), "...; step 3000:", f"{ne[-1][0]:.1e}")
    x0 = (3.3, 1.0)
    print(f"with a flat direction, F(x, y) = f(x) + y^2/2 (still mu = 1, L = 25), from {x0}:")
    hb = run(lessard_flat_grad, *heavy_ball_tuning(1.0, 25.0)[:2], x0, 3000)
    ne_flat = run(lessard_flat_grad, lr, m, x0, 200, step=nesterov_step)
    print("  heavy ball, x at steps 2998-3000:", " ".join(f"{p[0]:.4f}" for p in hb[-3:]))
    gd = run(lessard_flat_grad, gd_tuning(1.0, 25.0)[0], 0.0, x0, 200)
    per_step = {}
    for name, path in (("Nesterov", ne_flat), ("gradient descent", gd)):
        per_step[name] = (math.hypot(*path[-1]) / math.hypot(*path[99])) ** (1 / 100)
        print(f"  {name}, |error| shrinks per step (steps 100-200) by {per_step[name]:.4f}")
    print(f"  1 - 1/sqrt(kappa) = {rate:.4f}")
    ratio = nesterov_bound_ratio(ne_flat, x0)
    print(f"  Nesterov, largest F(x_k) / guaranteed bound over 200 steps: {ratio:.3f}")
    # --8<-- [end:nesterov]
    results["nesterov"] = {
        "momentum": m,
        "first_steps": [p[0] for p in ne[:4]],
        "last": ne[-1][0],
        "at_minimum_from": next(k for k in range(1, 3001) if all(p[0] == 0 for p in ne[k - 1 :])),
        "flat_per_step": per_step["Nesterov"],
        "flat_bound_ratio": ratio,
        "guaranteed_rate": rate,
    }
    results["gd_flat_per_step"] = per_step["gradient descent"]
    results["hb_flat_last"] = [p[0] for p in hb[-3:]]
    if "DOCRUN_RESULTS" in os.environ:  # the site's build quotes these numbers on its pages
        Path(os.environ["DOCRUN_RESULTS"]).write_text(json.dumps(results))
