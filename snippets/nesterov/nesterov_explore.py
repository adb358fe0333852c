"""Explorable: heavy ball and Nesterov on the same narrow valley, one frame per momentum mu.

The valley of the trajectories section: f = (x_1^2 + 50 x_2^2) / 2, lr = 0.018, start (-10, 1) at
rest, 150 steps. Each frame's label carries both methods' rates: the spectral radius of their 2x2
matrices, the worst over the two curvatures.
"""

import json
import os
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np

CURVATURES = np.array([1.0, 50.0])
LR, X0, STEPS = 0.018, (-10.0, 1.0), 150
MUS = (0.0, 0.2, 0.4, 0.5, 0.6, 0.7, 0.8, 0.85, 0.9, 0.95, 0.99)


# --8<-- [start:frame]
def run(method, mu, steps=STEPS):
    """Iterates of heavy ball or Nesterov (Sutskever's form) on the valley, from rest."""
    x, v, path = np.array(X0), np.zeros(2), [np.array(X0)]
    for _ in range(steps):
        ahead = x + mu * v if method == "Nesterov" else x  # where the gradient is taken
        v = mu * v - LR * CURVATURES * ahead
        x = x + v
        path.append(x)
    return np.array(path)


def rate(method, mu):
    """Largest |eigenvalue| of the (x, v) matrix over both curvatures."""
    radii = []
    for lam in CURVATURES:
        h = LR * lam
        m = mu * (1 - h) if method == "Nesterov" else mu  # Nesterov: momentum mu (1 - h)
        radii.append(max(abs(np.linalg.eigvals([[1 - h, m], [-h, m]]))))
    return max(radii)


# --8<-- [end:frame]

METHODS = ("heavy ball", "Nesterov")
T = np.linspace(0, 2 * np.pi, 41)


def draw(mu):
    rates = {m: rate(m, mu) for m in METHODS}
    fig, (ax_path, ax_loss) = plt.subplots(1, 2, figsize=(11, 3.8))
    fig.subplots_adjust(left=0.06, right=0.98, bottom=0.14, top=0.9, wspace=0.2)
    for level in (0.5, 5, 20, 50):  # contours of f: ellipses
        ax_path.plot(
            *np.sqrt(2 * level / CURVATURES)[:, None] * [np.cos(T), np.sin(T)], color="0.75", lw=0.6
        )
    for i, method in enumerate(METHODS):
        path = run(method, mu)
        loss = 0.5 * (CURVATURES * path**2).sum(axis=1)
        label = f"{method}, rate {rates[method]:.4f}"
        ax_path.plot(path[:, 0], path[:, 1], color=f"C{i}", lw=1.8 - 0.8 * i)
        ax_loss.semilogy(loss, color=f"C{i}", lw=1.2, label=label)
    ax_path.plot(0, 0, "*", color="C4", ms=10)
    ax_path.set(xlim=(-11, 2), ylim=(-1.5, 1.5), xlabel="$x_1$", ylabel="$x_2$")
    ax_path.set_title(rf"$\gamma = {mu:g}$, $\eta = {LR}$", fontsize=10)
    ax_loss.set(xlim=(0, STEPS), ylim=(1e-12, 1e2), yticks=[1e-12, 1e-8, 1e-4, 1])
    ax_loss.minorticks_off()
    ax_loss.legend(loc="lower left", fontsize=8)
    ax_loss.set(xlabel="step $k$", ylabel=r"$f(x_k) - f^*$")
    hb, nag = rates["heavy ball"], rates["Nesterov"]
    fig.set_label(f"mu={mu:g} | rho_hb={hb:.4f}, rho_nag={nag:.4f}")
    return {"mu": mu, "rho_hb": hb, "rho_nag": nag}


if __name__ == "__main__":
    frames = []
    for mu in MUS:
        frames.append(draw(mu))
        plt.show()
    fastest = {name: min(frames, key=lambda f: f[name]) for name in ("rho_hb", "rho_nag")}
    results = {
        "frames": frames,
        "fastest": fastest,  # the frame where each method's rate is smallest
        "same_fastest_mu": fastest["rho_hb"]["mu"] == fastest["rho_nag"]["mu"],
    }
    if "DOCRUN_RESULTS" in os.environ:  # the site's build quotes these numbers on its pages
        Path(os.environ["DOCRUN_RESULTS"]).write_text(json.dumps(results))
