"""On a quadratic, Nesterov is heavy ball with momentum mu(1 - lr*lambda) in each eigendirection."""

import json
import os
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np


# --8<-- [start:matrices]
def heavy_ball_matrix(lr, mu, lam):
    """(x, v) -> (x', v') for v' = mu v - lr lam x,  x' = x + v'  (f = lam x^2 / 2)."""
    return np.array([[1 - lr * lam, mu], [-lr * lam, mu]])


def nesterov_matrix(lr, mu, lam):
    """(x, v) -> (x', v') for v' = mu v - lr lam (x + mu v),  x' = x + v'."""
    d = 1 - lr * lam
    return np.array([[d, mu * d], [-lr * lam, mu * d]])


def effective_momentum(lr, mu, lam):
    return mu * (1 - lr * lam)


# --8<-- [end:matrices]


def spectral_radius(M):
    return np.abs(np.linalg.eigvals(M)).max()


# --8<-- [start:stability]
def heavy_ball_stable(h, beta):
    """Schur-Cohn (Jury) test for z^2 - (1 + beta - h) z + beta, for any real beta, negative
    included: both roots inside the unit circle iff |beta| < 1 and 0 < h < 2 + 2 beta."""
    return abs(beta) < 1 and 0 < h < 2 + 2 * beta


def nesterov_stability_limit(mu):
    """Largest lr*lam for which Nesterov's matrix has spectral radius < 1 (0 <= mu < 1).

    With beta = mu (1 - h): h < 2 + 2 beta gives h < (2 + 2 mu) / (1 + 2 mu), and |beta| < 1
    gives h < 1 + 1/mu, which is larger, so the first bound is the limit."""
    return (2 + 2 * mu) / (1 + 2 * mu)


# --8<-- [end:stability]


if __name__ == "__main__":
    mu = 0.9
    # --8<-- [start:table]
    print(f"momentum mu = {mu}; h = lr * lambda is the step in units of the curvature")
    print(f"{'h':>7s} {'mu(1-h)':>9s} {'rho heavy ball':>15s} {'rho Nesterov':>13s}")
    hs = (0.001, 0.01, 0.1, 0.5, 1.0, 1.3, 1.4, 2.0, 3.7, 3.9)
    rho_hb = [spectral_radius(heavy_ball_matrix(h, mu, 1.0)) for h in hs]
    rho_ne = [spectral_radius(nesterov_matrix(h, mu, 1.0)) for h in hs]
    for h, r_hb, r_ne in zip(hs, rho_hb, rho_ne, strict=True):
        print(f"{h:7.3f} {effective_momentum(h, mu, 1.0):9.4f} {r_hb:15.4f} {r_ne:13.4f}")
    hb_limit, h_lim = 2 + 2 * mu, nesterov_stability_limit(mu)
    beta_lim = effective_momentum(h_lim, mu, 1.0)
    print(f"heavy ball stable for h < 2 + 2 mu = {hb_limit:.4f}")
    print(f"Nesterov   stable for h < (2 + 2 mu) / (1 + 2 mu) = {h_lim:.4f}")
    print(
        f"  there beta = mu (1 - h) = {beta_lim:.4f}, inside |beta| < 1;"
        f" |beta| < 1 alone allows h up to 1 + 1/mu = {1 + 1 / mu:.4f}"
    )
    # --8<-- [end:table]

    results = {
        "hs": list(hs),  # the table's rows: rho_*.i is the row of hs.i
        "rho_heavy_ball": [float(r) for r in rho_hb],
        "rho_nesterov": [float(r) for r in rho_ne],
        "hb_limit": hb_limit,
        "nesterov_limit": h_lim,
        "beta_at_limit": beta_lim,
        "beta_bound_limit": 1 + 1 / mu,  # where |beta| < 1 alone would stop
    }

    hs = np.geomspace(1e-3, 4, 600)
    fig, ax = plt.subplots(figsize=(7, 4))
    ax.plot(hs, np.abs(1 - hs), label="gradient descent", color="C0")
    ax.plot(
        hs,
        [spectral_radius(heavy_ball_matrix(h, mu, 1)) for h in hs],
        label="heavy ball",
        color="C1",
    )
    ax.plot(
        hs, [spectral_radius(nesterov_matrix(h, mu, 1)) for h in hs], label="Nesterov", color="C2"
    )
    ax.axhline(1, color="0.6", lw=0.8, ls="--")
    ax.set_xscale("log")
    ax.set_ylim(0, 1.6)
    ax.set_xlabel(r"$h = \eta\lambda$ (learning rate times curvature)")
    ax.set_ylabel(r"spectral radius $\rho$ (error factor per step)")
    ax.set_title(rf"One eigendirection, $\gamma = {mu}$: below 1 converges, above 1 diverges")
    ax.legend()
    fig.tight_layout()
    plt.show()

    if "DOCRUN_RESULTS" in os.environ:  # the site's build quotes these numbers on its pages
        Path(os.environ["DOCRUN_RESULTS"]).write_text(json.dumps(results))
