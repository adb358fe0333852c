"""One eigendirection, fixed step: too little momentum crawls, too much rings; critical is best."""

import json
import os
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np


def spectral_radius(h, beta):
    """Larger |root| of z^2 - (1 + beta - h) z + beta = 0, with h = alpha * lambda."""
    t = 1 + beta - h
    disc = t * t - 4 * beta
    return np.sqrt(beta) if disc < 0 else (abs(t) + np.sqrt(disc)) / 2


def critical_beta(h):
    """Double root: (1 + beta - h)^2 = 4 beta, the smaller solution (0 < h < 1)."""
    return (1 - np.sqrt(h)) ** 2


def trajectory(h, beta, steps, x0=1.0):
    """x_{k+1} = x_k - h x_k + beta (x_k - x_{k-1}), from rest."""
    xs = [x0, x0]
    for _ in range(steps):
        xs.append(xs[-1] - h * xs[-1] + beta * (xs[-1] - xs[-2]))
    return np.array(xs[1:])


H = 0.04  # alpha * lambda for this direction

if __name__ == "__main__":
    # --8<-- [start:demo]
    b_crit = critical_beta(H)
    print(f"h = alpha*lambda = {H}: critical beta = (1 - sqrt h)^2 = {b_crit:.4f}")
    print(f"{'beta':>8s}{'rho':>8s}  regime")
    cases = {0.0: "gradient descent", 0.3: "overdamped (real roots)", b_crit: "critical"}
    cases |= {0.9: "underdamped (complex roots, rings)"}
    for beta, regime in cases.items():
        print(f"{beta:8.4f}{spectral_radius(H, beta):8.4f}  {regime}")
    betas = np.linspace(0, 0.999, 2000)
    rhos = np.array([spectral_radius(H, b) for b in betas])
    rho_min, beta_min = rhos.min(), betas[rhos.argmin()]
    print(f"smallest rho over beta in [0, 1): {rho_min:.4f} at beta = {beta_min:.4f}")
    rate_crit = 1 - np.sqrt(H)
    print(f"1 - sqrt(h) = {rate_crit:.4f}")

    fig, (ax_x, ax_rho) = plt.subplots(1, 2, figsize=(11, 4))
    for i, (beta, regime) in enumerate(cases.items()):
        ax_x.plot(trajectory(H, beta, 80), color=f"C{i}", label=rf"$\gamma = {beta:.2f}$: {regime}")
    ax_x.axhline(0, color="0.6", lw=0.8)
    ax_x.set(xlabel="step $k$", ylabel="$x_k$", title=rf"one eigendirection, $\eta\lambda = {H}$")
    ax_x.legend(fontsize=8)
    ax_rho.plot(betas, rhos, color="C0")
    ax_rho.plot(betas, np.sqrt(betas), ":", color="0.6", label=r"$\sqrt{\gamma}$")
    ax_rho.axvline(b_crit, color="C2", ls="--", label="critical damping")
    ax_rho.set(xlabel=r"momentum $\gamma$", ylabel=r"rate $\rho$", title="rate against momentum")
    ax_rho.legend()
    fig.tight_layout()
    plt.show()
    # --8<-- [end:demo]
    results = {
        "beta_critical": float(b_crit),
        "rate_critical": float(rate_crit),
        "rate": {
            name: float(spectral_radius(H, b))
            for name, b in zip(("gd", "beta_0_3", "critical", "beta_0_9"), cases, strict=True)
        },
        "rate_grid_min": float(rho_min),
        "beta_grid_min": float(beta_min),
    }
    if "DOCRUN_RESULTS" in os.environ:  # the site's build quotes these numbers on its pages
        Path(os.environ["DOCRUN_RESULTS"]).write_text(json.dumps(results))
