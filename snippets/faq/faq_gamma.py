"""Choosing the momentum coefficient: what a value of gamma means in numbers.

For PyTorch's form (b <- gamma*b + g; w <- w - lr*b): a steady gradient ends up amplified by
1/(1 - gamma); a single gradient's influence halves every ln(1/2)/ln(gamma) steps; and on a
quadratic with condition number kappa the best momentum is ((sqrt(kappa) - 1)/(sqrt(kappa) + 1))^2.
"""

import json
import math
import os
from pathlib import Path


# --8<-- [start:numbers]
def amplification(gamma):
    """Step under a steady gradient, in units of lr * g: 1 + gamma + gamma^2 + ... ."""
    return 1 / (1 - gamma)


def half_life(gamma):
    """Steps after which one gradient's weight in the buffer has halved."""
    return math.log(0.5) / math.log(gamma)


def best_momentum(kappa):
    """Polyak's optimal momentum for a quadratic with condition number kappa."""
    s = math.sqrt(kappa)
    return ((s - 1) / (s + 1)) ** 2


def kappa_for(gamma):
    """The condition number for which gamma is the optimal momentum (inverse of best_momentum)."""
    r = math.sqrt(gamma)
    return ((1 + r) / (1 - r)) ** 2


# --8<-- [end:numbers]

GAMMAS = (0.5, 0.9, 0.95, 0.99)
KAPPAS = (10, 100, 1000, 10000)


def key(number):
    """A result name for a setting: 0.99 -> "0_99"."""
    return str(number).replace(".", "_")


if __name__ == "__main__":
    results = {"amplification": {}, "half_life": {}, "forgotten_99": {}, "kappa_for": {}}
    print(
        f"{'gamma':>6} {'amplification':>13} {'half-life':>9} {'steps to 99% forgotten':>22} "
        f"{'optimal for kappa':>17}"
    )
    for gamma in GAMMAS:
        forgotten = math.log(0.01) / math.log(gamma)
        print(
            f"{gamma:>6} {amplification(gamma):13.0f} {half_life(gamma):9.1f} "
            f"{forgotten:22.0f} {kappa_for(gamma):17.0f}"
        )
        results["amplification"][key(gamma)] = amplification(gamma)
        results["half_life"][key(gamma)] = half_life(gamma)
        results["forgotten_99"][key(gamma)] = forgotten
        results["kappa_for"][key(gamma)] = kappa_for(gamma)
    print(f"\n{'kappa':>7} {'best momentum':>13}")
    results["best_momentum"] = {}
    for kappa in KAPPAS:
        print(f"{kappa:>7} {best_momentum(kappa):13.3f}")
        results["best_momentum"][key(kappa)] = best_momentum(kappa)
    if "DOCRUN_RESULTS" in os.environ:  # the site's build quotes these numbers on its pages
        Path(os.environ["DOCRUN_RESULTS"]).write_text(json.dumps(results))
