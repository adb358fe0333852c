"""What momentum's "acceleration" is: a square root of the condition number, not "quadratic".

On f(x, y) = (mu*x^2 + L*y^2)/2 with condition number kappa = L/mu, gradient descent with its best
fixed step needs about kappa/2 * ln(1/tol) iterations, heavy ball with its best (lr, momentum)
about sqrt(kappa)/2 * ln(1/tol). Both converge linearly: the error shrinks by a fixed factor per
step, so the number of correct digits grows by a constant amount per step (quadratic convergence,
as in Newton's method, would double it). And the guarantee is for quadratics only: on a
strongly convex function that is not quadratic (Lessard, Recht & Packard, 2016) heavy ball with the
same tuning never converges.
"""

import math


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
    """Steps from rest at x0 until the distance to the minimum (0) is below tol * |x0|."""
    x, prev = list(x0), list(x0)
    size0 = math.hypot(*x0)
    for k in range(1, max_iter + 1):
        x, prev = heavy_ball_step(x, prev, grad, lr, momentum), x
        if math.hypot(*x) < tol * size0:
            return k
    return None


# --8<-- [end:tuning]


def quadratic_grad(mu, L):
    return lambda p: [mu * p[0], L * p[1]]


def lessard_grad(x):
    """Gradient of a strongly convex (mu = 1), smooth (L = 25) function that is not quadratic."""
    return [25 * x[0] if x[0] < 1 else (x[0] + 24 if x[0] < 2 else 25 * x[0] - 24)]


def run(grad, lr, momentum, x0, steps):
    x, prev, path = list(x0), list(x0), []
    for _ in range(steps):
        x, prev = heavy_ball_step(x, prev, grad, lr, momentum), x
        path.append(x[0])
    return path


if __name__ == "__main__":
    tol = 1e-6
    print(f"iterations until the error is below {tol:g} of the start, best tuning for each")
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

    mu, L = 1 / 100, 1.0
    lr, m, rate = heavy_ball_tuning(mu, L)
    path = run(quadratic_grad(mu, L), lr, m, (1.0, 1.0), 200)
    print(
        f"\nkappa = 100, heavy ball: correct digits (-log10 |x|) every 40 steps; "
        f"rate {rate:.4f} gives {-40 * math.log10(rate):.2f} digits per 40 steps"
    )
    print("  ".join(f"k={k}: {-math.log10(abs(path[k - 1])):.2f}" for k in (40, 80, 120, 160, 200)))

    lr, m, _ = heavy_ball_tuning(1.0, 25.0)
    hb = run(lessard_grad, lr, m, (3.3,), 3000)
    gd = run(lessard_grad, gd_tuning(1.0, 25.0)[0], 0.0, (3.3,), 3000)
    print(
        f"\nnon-quadratic f (mu = 1, L = 25), from x = 3.3 at rest; lr = {lr:.4f}, "
        f"momentum = {m:.4f}"
    )
    print("heavy ball, steps 2995-3000:", " ".join(f"{v:.4f}" for v in hb[-6:]))
    print("gradient descent, step 3000:", f"{gd[-1]:.1e}")
