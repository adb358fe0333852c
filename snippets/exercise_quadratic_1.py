"""Polyak's best step and momentum for curvatures in [0.04, 1] (kappa = 25), checked numerically."""

import math

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
    print(f"momentum: alpha* = {alpha:.4f}, beta* = {beta:.4f}, rho* = {rho:.4f}", end="")
    print(f"   (eigenvalues: {rate(alpha, beta):.6f})")
    print(f"gradient descent: alpha = {alpha_gd:.4f}, rho = {rho_gd:.4f}", end="")
    print(f"   (eigenvalues: {rate(alpha_gd, 0.0):.6f})")
    n_mom, n_gd = math.log(1e-6) / math.log(rho), math.log(1e-6) / math.log(rho_gd)
    print(f"ln(1e-6) / ln(rho): momentum {n_mom:.1f} steps, gradient descent {n_gd:.1f} steps")
