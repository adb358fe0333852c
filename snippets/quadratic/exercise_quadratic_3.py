"""In a flat direction heavy ball moves like gradient descent with step alpha / (1 - beta).

For h = alpha * lam << (1 - sqrt beta)^2 the roots of z^2 - (1 + beta - h) z + beta are real; put
z = 1 - d in the equation: d^2 - (1 - beta) d + h (1 - d) = 0, and to first order in h the small
root is d = h / (1 - beta). So rho = 1 - h / (1 - beta): gradient descent's 1 - h with a step
1 / (1 - beta) times larger.
"""

import json
import os
from pathlib import Path

import numpy as np


def rate(h, beta):
    return np.abs(np.roots([1.0, -(1 + beta - h), beta])).max()


if __name__ == "__main__":
    print(f"{'beta':>5} {'h':>7} {'1 - rho':>12} {'h / (1 - beta)':>15} {'ratio':>9}")
    ratios, seconds = {}, {}  # by beta, then by h
    for beta in (0.5, 0.9):
        print(
            f"beta {beta}: real roots while h < (1 - sqrt beta)^2 = {(1 - np.sqrt(beta)) ** 2:.5f}"
        )
        for h in (1e-4, 1e-5, 1e-6):
            exact = 1 - rate(h, beta)
            ratio = exact / (h / (1 - beta))
            print(f"{beta:>5} {h:>7g} {exact:>12.6e} {h / (1 - beta):>15.6e}", end="")
            print(f" {ratio:>9.6f}")
            b, e = f"beta_{beta}".replace(".", "_"), f"h_{h:.0e}".replace("e-0", "e-")
            ratios.setdefault(b, {})[e] = float(ratio)
            seconds.setdefault(b, {})[e] = beta * h / (1 - beta) ** 2  # ratio = 1 + this + ...
    # "within the second-order term": it leaves less than a tenth of itself unexplained (the
    # third-order rest is (1 + beta) h / (1 - beta)^2 of it: 2 % at most here)
    explained = [
        abs(ratios[b][e] - 1 - seconds[b][e]) < seconds[b][e] / 10
        for b in ratios
        for e in ratios[b]
    ]
    results = {"ratio": ratios, "second_order": seconds, "second_order_explains": all(explained)}
    if "DOCRUN_RESULTS" in os.environ:  # the site's build quotes these numbers on its pages
        Path(os.environ["DOCRUN_RESULTS"]).write_text(json.dumps(results))
