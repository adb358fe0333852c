"""Polyak's best step and momentum for curvatures in [0.04, 1] (kappa = 25), checked numerically."""

import json
import math
import os
from pathlib import Path

import numpy as np

MU, L = 0.04, 1.0


def transition(alpha, beta, lam):
    """(x_k, x_{k-1}) -> (x_{k+1}, x_k) for heavy ball on f = lam x^2 / 2."""
    return np.array([[1 + beta - alpha * lam, -beta], [1.0, 0.0]])


def rate(alpha, beta, lams=(MU, L)):
    """Largest |eigenvalue| over the extreme curvatures (the worst is at an end of [mu, L])."""
    return max(np.abs(np.linalg.eigvals(transition(alpha, beta, lam))).max() for lam in lams)


if __name__ == "__main__":
    kappa = L / MU
    alpha = (2 / (math.sqrt(L) + math.sqrt(MU))) ** 2
    beta = ((math.sqrt(kappa) - 1) / (math.sqrt(kappa) + 1)) ** 2
    rho = (math.sqrt(kappa) - 1) / (math.sqrt(kappa) + 1)
    alpha_gd, rho_gd = 2 / (L + MU), (kappa - 1) / (kappa + 1)
    print(f"kappa = {kappa:g}")
    rho_eig, rho_gd_eig = rate(alpha, beta), rate(alpha_gd, 0.0)
    print(f"momentum: alpha* = {alpha:.4f}, beta* = {beta:.4f}, rho* = {rho:.4f}", end="")
    print(f"   (eigenvalues: {rho_eig:.6f})")
    print(f"gradient descent: alpha = {alpha_gd:.4f}, rho = {rho_gd:.4f}", end="")
    print(f"   (eigenvalues: {rho_gd_eig:.6f})")
    n_mom, n_gd = math.log(1e-6) / math.log(rho), math.log(1e-6) / math.log(rho_gd)
    print(f"ln(1e-6) / ln(rho): momentum {n_mom:.1f} steps, gradient descent {n_gd:.1f} steps")
    results = {
        "alpha_opt": alpha,
        "beta_opt": beta,
        "rho_opt": rho,
        "alpha_gd": alpha_gd,
        "rho_gd": rho_gd,
        "rho_opt_eigvals": float(rho_eig),
        "rho_gd_eigvals": float(rho_gd_eig),
        # "the same rates, to 1e-6 for the double roots": a double root computed in float64
        # splits by about sqrt(eps) = 1.5e-8, far inside 1e-6
        "eigenvalues_agree": bool(abs(rho_eig - rho) < 1e-6 and abs(rho_gd_eig - rho_gd) < 1e-6),
        "steps_momentum": n_mom,
        "steps_gd": n_gd,
    }
    if "DOCRUN_RESULTS" in os.environ:  # the site's build quotes these numbers on its pages
        Path(os.environ["DOCRUN_RESULTS"]).write_text(json.dumps(results))
