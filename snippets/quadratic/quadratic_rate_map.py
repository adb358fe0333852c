"""The convergence rate of heavy ball over (alpha, beta) for curvatures in [mu, L]."""

import json
import os
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np


# --8<-- [start:rate]
def spectral_radius(alpha, beta, lam):
    """Larger |root| of z^2 - (1 + beta - alpha lam) z + beta = 0; works on arrays."""
    t = 1 + beta - alpha * lam
    disc = t * t - 4 * beta
    real = (np.abs(t) + np.sqrt(np.maximum(disc, 0))) / 2
    return np.where(disc < 0, np.sqrt(beta), real)


def rate(alpha, beta, mu, L):
    """Worst spectral radius over all curvatures in [mu, L]: it sits at an end of the interval."""
    return np.maximum(spectral_radius(alpha, beta, mu), spectral_radius(alpha, beta, L))


def optimal(mu, L):
    """Polyak's tuning: alpha* = (2/(sqrt L + sqrt mu))^2, beta* = ((sqrt k - 1)/(sqrt k + 1))^2."""
    kappa = L / mu
    alpha = (2 / (np.sqrt(L) + np.sqrt(mu))) ** 2
    beta = ((np.sqrt(kappa) - 1) / (np.sqrt(kappa) + 1)) ** 2
    return alpha, beta


# --8<-- [end:rate]

MU, L = 0.01, 1.0  # condition number 100

if __name__ == "__main__":
    # --8<-- [start:demo]
    a_opt, b_opt = optimal(MU, L)
    a_gd = 2 / (L + MU)  # the best plain gradient descent can do
    print(f"curvatures in [{MU}, {L}], condition number {L / MU:.0f}")
    print(f"{'':>34s}{'alpha':>8s}{'beta':>8s}{'rate':>9s}")
    rows = {  # the short name of each row: its result name
        "gd": ("gradient descent, alpha = 2/(L+mu)", a_gd, 0.0),
        "optimal": ("momentum, optimal (alpha*, beta*)", a_opt, b_opt),
        "beta_0_9": ("alpha*, beta = 0.9", a_opt, 0.9),
        "beta_0_5": ("alpha*, beta = 0.5", a_opt, 0.5),
        "alpha_1": ("alpha = 1, beta = 0.9", 1.0, 0.9),
    }
    rates = {}
    for key, (name, a, b) in rows.items():
        rates[key] = float(rate(a, b, MU, L))
        print(f"{name:>34s}{a:8.4f}{b:8.4f}{rates[key]:9.4f}")

    alphas = np.linspace(0.005, 4.2, 600)  # in units of 1/L
    betas = np.linspace(0.0, 0.999, 500)
    A, B = np.meshgrid(alphas, betas)
    rho = rate(A, B, MU, L)
    fig, ax = plt.subplots(figsize=(7.5, 5))
    image = ax.imshow(  # a raster image: small in SVG, unlike one patch per grid cell
        np.ma.masked_where(rho >= 1, rho),
        extent=(alphas[0], alphas[-1], betas[0], betas[-1]),
        origin="lower",
        aspect="auto",
        cmap="viridis",
        vmin=0.8,
        vmax=1,
        interpolation="nearest",
    )
    fig.colorbar(image, label=r"rate $\rho$ (error factor per step; blank: diverges)")
    lines = ax.contour(A, B, rho, levels=[0.85, 0.9, 0.95, 0.99], colors="0.6", linewidths=0.7)
    ax.clabel(lines, fontsize=7)
    ax.plot(
        (2 + 2 * betas) / L,
        betas,
        color="C3",
        lw=2,
        label=r"stability edge $\eta L = 2 + 2\gamma$",
    )
    sq = np.sqrt(betas)  # critical damping of the two extreme curvatures
    inside = (1 - sq) ** 2 / MU < (2 + 2 * betas) / L
    ax.plot(
        ((1 - sq) ** 2 / MU)[inside],
        betas[inside],
        "--",
        color="C4",
        label=r"$\eta\mu = (1-\sqrt{\gamma})^2$",
    )
    ax.plot(
        (1 + sq) ** 2 / L, betas, ":", color="C4", lw=2, label=r"$\eta L = (1+\sqrt{\gamma})^2$"
    )
    ax.plot(a_opt * L, b_opt, "*", color="C3", ms=14, label=r"optimum $(\eta^*, \gamma^*)$")
    ax.plot(a_gd * L, 0, "o", color="C0", ms=8, clip_on=False, label="best gradient descent")
    ax.set(
        xlim=(0, 4.2),
        ylim=(0, 1),
        xlabel=r"$\eta L$ (learning rate times $L$)",
        ylabel=r"momentum $\gamma$",
    )
    ax.set_title(r"Heavy ball on curvatures in $[\mu, L]$, $\kappa = 100$")
    ax.legend(loc="lower left", fontsize=8)
    fig.tight_layout()
    plt.show()
    # --8<-- [end:demo]
    results = {
        "alpha_gd": a_gd,
        "alpha_opt": float(a_opt),
        "beta_opt": float(b_opt),
        "rate": rates,
        "beta_0_5_diverges": rates["beta_0_5"] >= 1,
        "beta_0_9_slower": rates["beta_0_9"] > rates["optimal"],
    }
    if "DOCRUN_RESULTS" in os.environ:  # the site's build quotes these numbers on its pages
        Path(os.environ["DOCRUN_RESULTS"]).write_text(json.dumps(results))
