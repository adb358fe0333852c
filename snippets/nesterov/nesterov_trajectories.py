"""Gradient descent, heavy ball and Nesterov on a narrow valley and on Rosenbrock's function."""

import json
import os
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np


# --8<-- [start:run]
def run(method, grad, x0, lr, mu, steps):
    """Iterates of "gradient descent", "heavy ball" or "Nesterov" (Sutskever's form), from rest."""
    x, v = np.array(x0, dtype=float), np.zeros(len(x0))
    path = [x.copy()]
    for _ in range(steps):
        if method == "gradient descent":
            v = -lr * grad(x)
        elif method == "heavy ball":
            v = mu * v - lr * grad(x)
        else:  # Nesterov: gradient at the lookahead point
            v = mu * v - lr * grad(x + mu * v)
        x = x + v
        path.append(x.copy())
    return np.array(path)


# --8<-- [end:run]

VALLEY = np.array([1.0, 50.0])  # curvatures: condition number 50


def valley_f(p):
    return 0.5 * (VALLEY * p**2).sum(axis=-1)


def valley_grad(p):
    return VALLEY * p


def rosenbrock_f(p):
    x, y = p[..., 0], p[..., 1]
    return (1 - x) ** 2 + 100 * (y - x**2) ** 2


def rosenbrock_grad(p):
    x, y = p
    return np.array([-2 * (1 - x) - 400 * x * (y - x**2), 200 * (y - x**2)])


METHODS = ("gradient descent", "heavy ball", "Nesterov")
VALLEY_RUN = dict(x0=(-10.0, 1.0), lr=0.018, mu=0.9, steps=150)  # lr * 50 = 0.9
ROSENBROCK_RUN = dict(x0=(-1.2, 1.0), lr=1e-3, mu=0.9, steps=3000)


def plot_problem(title, f, paths, xlim, ylim, minimum):
    fig, (ax_path, ax_loss) = plt.subplots(1, 2, figsize=(11, 4))
    xs, ys = np.meshgrid(np.linspace(*xlim, 300), np.linspace(*ylim, 300))
    zs = f(np.stack([xs, ys], axis=-1))
    levels = np.geomspace(zs.min() + 1e-3, zs.max(), 15)
    ax_path.contour(xs, ys, zs, levels=levels, cmap="viridis", linewidths=0.6)
    for i, (name, path) in enumerate(paths.items()):
        # later curves thinner, so that one lying on another still shows; dots mark the steps
        style = ".-" if len(path) <= 500 else "-"
        ax_path.plot(path[:, 0], path[:, 1], style, ms=3 - i, lw=2.5 - 0.7 * i, color=f"C{i}")
        ax_loss.semilogy(f(path) - f(np.array(minimum)) + 1e-300, color=f"C{i}", label=name)
    ax_path.plot(*minimum, "*", ms=12, color="C4")
    ax_path.set(xlim=xlim, ylim=ylim, xlabel="$x_1$", ylabel="$x_2$", title=title)
    ax_loss.set(xlabel="step", ylabel=r"$f(x_k) - f^*$", title="loss (log scale)")
    ax_loss.legend()
    fig.tight_layout()
    plt.show()


if __name__ == "__main__":
    # --8<-- [start:demo]
    problems = {
        "narrow valley": (valley_f, valley_grad, VALLEY_RUN, ((-11, 2), (-1.5, 1.5)), (0, 0)),
        "Rosenbrock": (
            rosenbrock_f,
            rosenbrock_grad,
            ROSENBROCK_RUN,
            ((-1.6, 1.4), (-0.4, 1.6)),
            (1, 1),
        ),
    }
    final = {}  # each problem's f(x_k) - f* at its last step, by method
    for title, (f, grad, cfg, (xlim, ylim), minimum) in problems.items():
        paths = {m: run(m, grad, cfg["x0"], cfg["lr"], cfg["mu"], cfg["steps"]) for m in METHODS}
        final[title] = {m: float(f(path[-1])) for m, path in paths.items()}
        checkpoints = [k for k in (10, 30, 100, 150, 300, 1000, 3000) if k <= cfg["steps"]]
        print(f"{title}: lr {cfg['lr']}, momentum {cfg['mu']}, start {cfg['x0']};  f(x_k) - f*")
        print(f"{'step':>16s}" + "".join(f"{k:>10d}" for k in checkpoints))
        for name, path in paths.items():
            print(f"{name:>16s}" + "".join(f"{f(path[k]):10.1e}" for k in checkpoints))
        plot_problem(title, f, paths, xlim, ylim, minimum)
    # --8<-- [end:demo]

    # --8<-- [start:too_far]
    # A larger step: at Rosenbrock's minimum the largest curvature is ~1001.6, so lr = 1.5e-3
    # puts lr * lambda_max = 1.50 past Nesterov's limit (2 + 2 mu) / (1 + 2 mu) = 1.357 for
    # mu = 0.9, but well inside heavy ball's limit 2 + 2 mu = 3.8.
    lam_max = np.linalg.eigvalsh(np.array([[802.0, -400.0], [-400.0, 200.0]])).max()
    print(
        f"Rosenbrock at (1, 1): largest curvature {lam_max:.1f}; lr 1.5e-3 -> lr*lambda = ", end=""
    )
    print(f"{1.5e-3 * lam_max:.3f}")
    too_far = {}
    for name in ("heavy ball", "Nesterov"):
        too_far[name] = rosenbrock_f(run(name, rosenbrock_grad, (-1.2, 1.0), 1.5e-3, 0.9, 3000)[-1])
        print(f"{name:>12s}: f(x_3000) - f* = {too_far[name]:.1e}")
    # --8<-- [end:too_far]

    valley, rosen = final["narrow valley"], final["Rosenbrock"]
    results = {
        "valley": {m.replace(" ", "_"): x for m, x in valley.items()},  # step 150
        "rosenbrock": {m.replace(" ", "_"): x for m, x in rosen.items()},  # step 3000
        "order_valley": bool(  # Nesterov lowest, then heavy ball, then gradient descent
            valley["Nesterov"] < valley["heavy ball"] < valley["gradient descent"]
        ),
        "nesterov_not_faster": bool(rosen["Nesterov"] > rosen["heavy ball"]),  # on Rosenbrock
        "lam_max": float(lam_max),
        "h_too_far": float(1.5e-3 * lam_max),
        "too_far": {m.replace(" ", "_"): float(x) for m, x in too_far.items()},
    }
    if "DOCRUN_RESULTS" in os.environ:  # the site's build quotes these numbers on its pages
        Path(os.environ["DOCRUN_RESULTS"]).write_text(json.dumps(results))
