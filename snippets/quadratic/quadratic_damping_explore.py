"""Explorable: one eigendirection with alpha * lambda = 0.04, one frame per momentum beta.

Each frame shows the coordinate x_k and the two roots of z^2 - (1 + beta - h) z + beta = 0 in the
complex plane against the unit circle; its label carries their moduli and the damping regime.
"""

import json
import os
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np

H = 0.04  # alpha * lambda, as in the static figure: critical damping at beta = 0.64
BETAS = (0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.64, 0.7, 0.8, 0.9, 0.95, 0.99)
STEPS = 80


# --8<-- [start:frame]
def roots(beta, h=H):
    """Both roots, the larger modulus first; a complex pair when (1 + beta - h)^2 < 4 beta."""
    t = 1 + beta - h
    sq = np.sqrt(complex(t * t - 4 * beta))
    return (t + sq) / 2, (t - sq) / 2


def regime(beta, h=H):
    disc = (1 + beta - h) ** 2 - 4 * beta
    return "over" if disc > 1e-9 else "critical" if disc >= -1e-9 else "under"


def trajectory(beta, h=H, steps=STEPS):
    """x_{k+1} = x_k - h x_k + beta (x_k - x_{k-1}), from rest at x_0 = 1."""
    prev, x, out = 1.0, 1.0, [1.0]
    for _ in range(steps):
        prev, x = x, x - h * x + beta * (x - prev)
        out.append(x)
    return np.array(out)


# --8<-- [end:frame]

LOCUS = np.array([roots(b) for b in np.linspace(0, 0.999, 60)])  # the roots' paths as beta grows
CIRCLE = np.exp(1j * np.linspace(-0.6, 0.6, 25))  # the part of the unit circle in view


def draw(beta):
    z1, z2 = roots(beta)
    fig, (ax_x, ax_z) = plt.subplots(1, 2, figsize=(10, 4), gridspec_kw={"width_ratios": [1.6, 1]})
    fig.subplots_adjust(left=0.07, right=0.98, bottom=0.13, top=0.9, wspace=0.25)
    ax_x.plot(trajectory(beta), color="C0", lw=1.2)
    ax_x.axhline(0, color="0.6", lw=0.8)
    ax_x.set(xlim=(0, STEPS), ylim=(-1, 1.05), xlabel="step $k$", ylabel="$x_k$")
    ax_x.set_title(rf"$\gamma = {beta:g}$, $\eta\lambda = {H}$", fontsize=10)
    ax_z.plot(CIRCLE.real, CIRCLE.imag, color="0.5", lw=1)  # the unit circle: |z| = 1
    ax_z.plot(LOCUS.real, LOCUS.imag, color="0.75", lw=1)
    ax_z.plot([z1.real, z2.real], [z1.imag, z2.imag], "o", color="C1", ms=8)
    ax_z.set(xlim=(-0.1, 1.1), ylim=(-0.6, 0.6), aspect="equal", xticks=[0, 0.5, 1])
    ax_z.set(yticks=[-0.5, 0, 0.5], xlabel="Re $z$", ylabel="Im $z$")
    ax_z.set_title(rf"$|z_1| = {abs(z1):.4f}$, $|z_2| = {abs(z2):.4f}$", fontsize=10)
    fig.set_label(
        f"beta={beta:g} | abs_z1={abs(z1):.4f}, abs_z2={abs(z2):.4f}, regime={regime(beta)}"
    )
    return {"beta": beta, "abs_z1": abs(z1), "abs_z2": abs(z2), "regime": regime(beta)}


if __name__ == "__main__":
    frames = []
    for beta in BETAS:
        frames.append(draw(beta))
        plt.show()
    if "DOCRUN_RESULTS" in os.environ:  # the site's build quotes these numbers on its pages
        Path(os.environ["DOCRUN_RESULTS"]).write_text(json.dumps({"frames": frames}))
