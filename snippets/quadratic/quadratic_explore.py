"""Explorable: heavy ball on an ill-conditioned quadratic, one frame per learning rate and momentum.

Curvatures mu = 0.01 and L = 1 (condition number 100), written in the eigenbasis. Each frame shows
the path, the error along each eigendirection, and the point (alpha, beta) on the rate map. Its
label carries the rate rho and the regime of the direction that sets it.
"""

import json
import os
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np

MU, L = 0.01, 1.0
X0 = np.array([-10.0, 1.0])  # the same loss, 0.5, along each direction
STEPS = 100
ALPHAS = (0.2, 1.0, 1.6, 2.4, 3.3, 3.7)  # in units of 1/L
BETAS = (0.0, 0.3, 0.5, 0.67, 0.81, 0.9)


# --8<-- [start:frame]
def roots(alpha, beta, lam):
    """Roots of z^2 - (1 + beta - alpha lam) z + beta = 0: each mode of x_k behaves like z^k."""
    t = 1 + beta - alpha * lam
    sq = np.sqrt(complex(t * t - 4 * beta))
    return (t + sq) / 2, (t - sq) / 2


def rate_and_regime(alpha, beta):
    """rho = the largest |root| over both curvatures, and how the direction that sets it is
    damped. Where both directions decay equally fast but differently, both regimes, mu's first:
    "critical+under"."""
    radius = {lam: max(abs(z) for z in roots(alpha, beta, lam)) for lam in (MU, L)}
    rho = max(radius.values())
    if rho >= 1:
        return rho, "diverges"
    # Equally slow to 1e-6: a double root computed in float64 splits by sqrt(eps) ~ 1e-8.
    slowest = [lam for lam in (MU, L) if radius[lam] > rho - 1e-6]
    return rho, "+".join(dict.fromkeys(damping(alpha, beta, lam) for lam in slowest))


def damping(alpha, beta, lam):
    disc = (1 + beta - alpha * lam) ** 2 - 4 * beta
    if disc > 1e-9:
        return "over"  # two real roots: creeps towards 0
    if disc >= -1e-9:
        return "critical"  # a double root
    return "under"  # a complex pair: rings through 0


def heavy_ball(alpha, beta, steps=STEPS):
    """x_{k+1} = x_k - alpha A x_k + beta (x_k - x_{k-1}) with A = diag(MU, L), from rest."""
    lam = np.array([MU, L])
    prev, x, path = X0.copy(), X0.copy(), [X0.copy()]
    for _ in range(steps):
        prev, x = x, x - alpha * lam * x + beta * (x - prev)
        path.append(x.copy())
        if np.abs(x).max() > 1e4:  # diverging: far off every axis already
            break
    return np.array(path)


# --8<-- [end:frame]


def rate_map(alphas, betas):
    """rho over a grid, for the background of the third panel."""
    return np.array([[rate_and_regime(a, b)[0] for a in alphas] for b in betas])


MAP_ALPHAS, MAP_BETAS = np.linspace(0.0, 4.2, 71), np.linspace(0.0, 0.99, 34)
MAP = rate_map(MAP_ALPHAS, MAP_BETAS)
ELLIPSE = np.array([np.cos(np.linspace(0, 2 * np.pi, 41)), np.sin(np.linspace(0, 2 * np.pi, 41))])


def draw(alpha, beta):
    rho, regime = rate_and_regime(alpha, beta)
    path = heavy_ball(alpha, beta)
    fig, (ax_path, ax_err, ax_map) = plt.subplots(
        1, 3, figsize=(12, 3.6), gridspec_kw={"width_ratios": [1.3, 1, 1]}
    )
    fig.subplots_adjust(left=0.05, right=0.99, bottom=0.14, top=0.9, wspace=0.28)
    fig.suptitle(rf"$\eta = {alpha:g}$, $\gamma = {beta:g}$, $\rho = {rho:.3f}$")
    for level in (0.02, 0.1, 0.5, 1.5):  # contours of f: ellipses, 10 times wider than tall
        ax_path.plot(*ELLIPSE * np.sqrt(2 * level / np.array([[MU], [L]])), color="0.7", lw=0.6)
    ax_path.plot(path[:, 0], path[:, 1], color="C0", lw=1)
    ax_path.plot(0, 0, "*", color="C4", ms=10)
    ax_path.set(xlim=(-12, 12), ylim=(-2, 2), xticks=[-10, 0, 10], yticks=[-2, 0, 2])
    ax_path.set(xlabel="$x_1$", ylabel="$x_2$")

    k = np.arange(len(path))
    for i, name in enumerate((r"$x_1$ ($\mu$)", r"$x_2$ ($L$)")):
        ax_err.semilogy(k, np.abs(path[:, i] / X0[i]) + 1e-300, color=f"C{i}", lw=1, label=name)
    ax_err.semilogy(k, rho**k, "--", color="0.5", lw=1, label=r"$\rho^k$")
    ax_err.set(xlim=(0, STEPS), ylim=(1e-6, 1e2), xticks=[0, 50, 100], yticks=[1e-6, 1e-3, 1])
    ax_err.minorticks_off()
    ax_err.set(xlabel="step $k$", ylabel=r"$|x_k| / |x_0|$")
    ax_err.legend(loc="lower left", fontsize=8)

    ax_map.imshow(  # the rate map: a small raster, blank where it diverges
        np.ma.masked_where(MAP >= 1, MAP),
        extent=(MAP_ALPHAS[0], MAP_ALPHAS[-1], MAP_BETAS[0], MAP_BETAS[-1]),
        origin="lower",
        aspect="auto",
        cmap="viridis",
        vmin=0.8,
        vmax=1,
        interpolation="nearest",
    )
    b = np.linspace(0, 0.99, 30)
    ax_map.plot(2 + 2 * b, b, color="C3", lw=1.5)  # stability edge
    ax_map.plot((1 + np.sqrt(b)) ** 2, b, ":", color="C4", lw=1.5)  # L critically damped
    ax_map.plot((1 - np.sqrt(b)) ** 2 / MU, b, "--", color="C4", lw=1)  # mu critically damped
    ax_map.plot(alpha, beta, "o", color="C1", ms=9, mec="white")
    ax_map.set(xlim=(0, 4.2), ylim=(0, 1), xticks=[0, 1, 2, 3, 4], yticks=[0, 0.5, 1])
    ax_map.set(xlabel=r"$\eta L$ (learning rate times $L$)", ylabel=r"momentum $\gamma$")
    fig.set_label(f"alpha={alpha:g}, beta={beta:g} | rho={rho:.3f}, regime={regime}")
    end = np.abs(path[-1] / X0).max()  # the larger error left after the last step drawn
    return {"alpha": alpha, "beta": beta, "rho": rho, "regime": regime, "end_error": end}


if __name__ == "__main__":
    frames = []
    for beta in BETAS:
        for alpha in ALPHAS:
            frames.append(draw(alpha, beta))
            plt.show()
    best = min(frames, key=lambda f: f["rho"])  # the fastest point of the grid
    if "DOCRUN_RESULTS" in os.environ:  # the site's build quotes these numbers on its pages
        Path(os.environ["DOCRUN_RESULTS"]).write_text(json.dumps({"frames": frames, "best": best}))
