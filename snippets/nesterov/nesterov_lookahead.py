"""One step of heavy ball and one step of Nesterov, drawn as arrows on a quadratic's contours."""

import json
import os
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np

H = np.diag([1.0, 8.0])  # f(x) = x^T H x / 2: a valley along the first axis


def f(x):
    return 0.5 * x @ H @ x


def grad(x):
    return H @ x


# --8<-- [start:steps]
def heavy_ball_step(grad, theta, v, lr, mu):
    """Classic momentum: the gradient is taken where we stand."""
    momentum, correction = mu * v, -lr * grad(theta)
    return theta + momentum + correction, momentum, correction


def nesterov_step(grad, theta, v, lr, mu):
    """Nesterov: first the momentum step, then the gradient where it lands (the lookahead)."""
    momentum = mu * v
    correction = -lr * grad(theta + momentum)
    return theta + momentum + correction, momentum, correction


# --8<-- [end:steps]

THETA, V, LR, MU = np.array([-3.0, 0.6]), np.array([0.6, -0.9]), 0.1, 0.9

if __name__ == "__main__":
    hb, hb_m, hb_g = heavy_ball_step(grad, THETA, V, LR, MU)
    ne, ne_m, ne_g = nesterov_step(grad, THETA, V, LR, MU)
    print(f"theta = {THETA},  v = {V},  lr = {LR},  mu = {MU},  f(theta) = {f(THETA):.3f}")
    print(f"{'':12s}{'momentum step':>18s}{'gradient step':>18s}{'new theta':>18s}{'f':>8s}")
    for name, new, m, g in (("heavy ball", hb, hb_m, hb_g), ("Nesterov", ne, ne_m, ne_g)):
        row = "".join(f"{np.array2string(a, precision=3):>18s}" for a in (m, g, new))
        print(f"{name:12s}{row}{f(new):8.3f}")

    xs, ys = np.meshgrid(np.linspace(-3.4, -1.4, 200), np.linspace(-1.0, 0.9, 200))
    zs = 0.5 * (H[0, 0] * xs**2 + H[1, 1] * ys**2)
    fig, axes = plt.subplots(1, 2, figsize=(10, 4.6), sharey=True)
    # Tip to tail: classic = gradient at theta, then momentum; Nesterov = momentum, then gradient.
    panels = (
        ("Classic (heavy ball)", hb_g, hb_m, False),
        ("Nesterov (lookahead)", ne_m, ne_g, True),
    )
    for ax, (title, first, second, lookahead) in zip(axes, panels, strict=True):
        ax.contour(xs, ys, zs, levels=np.linspace(1, 6, 11), cmap="viridis", linewidths=0.8)
        colours = ("C0", "C1") if lookahead else ("C1", "C0")
        arrow = dict(arrowstyle="-|>", lw=2.5, mutation_scale=18, shrinkA=0, shrinkB=0)
        ax.annotate("", THETA + first, THETA, arrowprops=dict(arrow, color=colours[0]))
        ax.annotate(
            "", THETA + first + second, THETA + first, arrowprops=dict(arrow, color=colours[1])
        )
        ax.plot(*THETA, "o", color="C2", ms=8)
        ax.plot(*(THETA + first + second), "s", color="C3", ms=8)
        if lookahead:
            ax.plot(*(THETA + first), "D", color="C4", ms=7)
        ax.set_title(title)
        ax.set_xlabel("$x_1$")
        ax.set_aspect("equal")
    axes[0].set_ylabel("$x_2$")
    handles = [
        plt.Line2D([], [], color="C0", lw=2.5, label=r"momentum step $\gamma v$"),
        plt.Line2D([], [], color="C1", lw=2.5, label=r"gradient step $-\eta\nabla f$"),
        plt.Line2D([], [], color="C2", marker="o", ls="", label=r"start $\theta$"),
        plt.Line2D([], [], color="C4", marker="D", ls="", label=r"lookahead $\theta+\gamma v$"),
        plt.Line2D([], [], color="C3", marker="s", ls="", label=r"new $\theta$"),
    ]
    fig.legend(handles=handles, loc="lower center", ncol=5, frameon=False)
    fig.tight_layout(rect=(0, 0.07, 1, 1))
    plt.show()

    results = {  # each new point's x_2 and loss, as printed
        "x2_heavy_ball": float(hb[1]),
        "x2_nesterov": float(ne[1]),
        "f_heavy_ball": float(f(hb)),
        "f_nesterov": float(f(ne)),
    }
    if "DOCRUN_RESULTS" in os.environ:  # the site's build quotes these numbers on its pages
        Path(os.environ["DOCRUN_RESULTS"]).write_text(json.dumps(results))
