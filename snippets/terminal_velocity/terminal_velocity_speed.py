"""How many steps the velocity needs to reach 90 % and 50 % of its limit."""

import json
import math
import os
from pathlib import Path


# --8<-- [start:speed]
def steps_to_fraction(gamma, fraction):
    """Smallest k with 1 - gamma^k >= fraction, i.e. k = ceil(ln(1 - fraction) / ln gamma)."""
    return math.ceil(math.log(1 - fraction) / math.log(gamma))


def half_life(gamma):
    """Steps for the remaining gap gamma^k to halve: ln 0.5 / ln gamma (not rounded)."""
    return math.log(0.5) / math.log(gamma)


def simulated_steps(gamma, fraction):
    """Count steps of the velocity in units of its first step, u <- gamma u + 1 (u = v / v_1,
    v_1 = -lr g), until u reaches fraction / (1 - gamma)."""
    u, k = 0.0, 0
    while u < fraction / (1 - gamma):
        u, k = gamma * u + 1.0, k + 1
    return k


# --8<-- [end:speed]

GAMMAS = (0.5, 0.9, 0.95, 0.99, 0.999)

if __name__ == "__main__":
    print(f"{'':>6} {'steps to 90% of the limit':^34} {'steps to 50%':^23}")
    print(f"{'gamma':>6} {'formula':>8} {'simulated':>10} {'ln10/(1-gamma)':>15}", end="")
    print(f" {'half-life':>10} {'simulated':>12}")
    for gamma in GAMMAS:
        print(
            f"{gamma:>6} {steps_to_fraction(gamma, 0.9):>8} {simulated_steps(gamma, 0.9):>10}"
            f" {math.log(10) / (1 - gamma):>15.1f} {half_life(gamma):>10.2f}"
            f" {simulated_steps(gamma, 0.5):>12}"
        )

    results = {
        "gammas": list(GAMMAS),
        "k90": [steps_to_fraction(gamma, 0.9) for gamma in GAMMAS],
        "k90_counted": [simulated_steps(gamma, 0.9) for gamma in GAMMAS],
        "half_life": [half_life(gamma) for gamma in GAMMAS],
        "formula_is_count": all(
            steps_to_fraction(gamma, 0.9) == simulated_steps(gamma, 0.9) for gamma in GAMMAS
        ),
    }
    if "DOCRUN_RESULTS" in os.environ:  # the site's build quotes these numbers on its pages
        Path(os.environ["DOCRUN_RESULTS"]).write_text(json.dumps(results))
