"""The Nesterov momentum that critically damps one direction: mu_c = (1 - sqrt h) / (1 + sqrt h).

Nesterov is heavy ball with momentum mu (1 - h), h = lr * lam; heavy ball is critically damped at
beta_c = (1 - sqrt h)^2. Solving mu (1 - h) = (1 - sqrt h)^2 with 1 - h = (1 - sqrt h)(1 + sqrt h)
gives mu_c, and the rate there is sqrt(beta_c) = 1 - sqrt h, as for heavy ball.
"""

import numpy as np


def nesterov_matrix(h, mu):
    """(x, v) -> (x', v') for v' = mu v - h (x + mu v), x' = x + v' (lr * lam = h)."""
    d = 1 - h
    return np.array([[d, mu * d], [-h, mu * d]])


def rate(h, mu):
    return np.abs(np.linalg.eigvals(nesterov_matrix(h, mu))).max()


def critical_mu(h):
    return (1 - np.sqrt(h)) / (1 + np.sqrt(h))


if __name__ == "__main__":
    mus = np.linspace(0, 0.999, 4000)
    print(f"{'h':>6} {'mu_c':>8} {'beta_c HB':>10} {'rate at mu_c':>13} {'1 - sqrt h':>11}", end="")
    print(f" {'grid: best mu':>14} {'best rate':>10}")
    for h in (0.001, 0.04, 0.25):
        rates = [rate(h, mu) for mu in mus]
        best = int(np.argmin(rates))
        print(f"{h:>6} {critical_mu(h):>8.4f} {(1 - np.sqrt(h)) ** 2:>10.4f}", end="")
        print(f" {rate(h, critical_mu(h)):>13.6f} {1 - np.sqrt(h):>11.6f}", end="")
        print(f" {mus[best]:>14.4f} {rates[best]:>10.6f}")
