"""In a flat direction heavy ball moves like gradient descent with step alpha / (1 - beta).

For h = alpha * lam << (1 - sqrt beta)^2 the roots of z^2 - (1 + beta - h) z + beta are real; put
z = 1 - d in the equation: d^2 - (1 - beta) d + h (1 - d) = 0, and to first order in h the small
root is d = h / (1 - beta). So rho = 1 - h / (1 - beta): gradient descent's 1 - h with a step
1 / (1 - beta) times larger.
"""

import numpy as np


def rate(h, beta):
    return np.abs(np.roots([1.0, -(1 + beta - h), beta])).max()


if __name__ == "__main__":
    print(f"{'beta':>5} {'h':>7} {'1 - rho':>12} {'h / (1 - beta)':>15} {'ratio':>9}")
    for beta in (0.5, 0.9):
        print(
            f"beta {beta}: real roots while h < (1 - sqrt beta)^2 = {(1 - np.sqrt(beta)) ** 2:.5f}"
        )
        for h in (1e-4, 1e-5, 1e-6):
            exact = 1 - rate(h, beta)
            print(f"{beta:>5} {h:>7g} {exact:>12.6e} {h / (1 - beta):>15.6e}", end="")
            print(f" {exact / (h / (1 - beta)):>9.6f}")
