"""Which repeating gradients does momentum amplify, and which does it shrink?

The steady-state gain for g_k = cos(omega k) is 1 / sqrt(1 - 2 gamma cos(omega) + gamma^2). It is 1
where cos(omega) = gamma / 2: patterns that repeat every 2 pi / arccos(gamma / 2) steps or faster
are shrunk, slower ones amplified.
"""

import json
import math
import os
from pathlib import Path

import numpy as np


def gain(gamma, omega):
    return 1 / math.sqrt(1 - 2 * gamma * math.cos(omega) + gamma**2)


def measured_gain(gamma, period, periods=2000):
    """Run b <- gamma b + g with g_k = cos(2 pi k / period); the amplitude over the last period.

    For samples of a sinusoid spread evenly over whole periods, mean(b^2) = amplitude^2 / 2.
    """
    b, tail = 0.0, []
    steps = periods * period
    for k in range(steps):
        b = gamma * b + math.cos(2 * math.pi * k / period)
        if k >= steps - period:
            tail.append(b)
    return math.sqrt(2 * np.mean(np.square(tail)))


def unit_gain_period(gamma):
    return 2 * math.pi / math.acos(gamma / 2)


if __name__ == "__main__":
    print("g_k = 1, 0, -1, 0, ... (period 4): amplitude of the buffer, plain SGD = 1")
    measured = []
    for gamma in (0.5, 0.9, 0.99):
        measured.append(measured_gain(gamma, 4))
        print(f"  gamma {gamma}: measured {measured[-1]:.6f}", end="")
        print(f"   1/sqrt(1 + gamma^2) = {gain(gamma, math.pi / 2):.6f}")
    print("period with gain exactly 1: 2 pi / arccos(gamma / 2)")
    periods = [unit_gain_period(gamma) for gamma in (0.5, 0.9, 0.99)]
    for gamma, period in zip((0.5, 0.9, 0.99), periods, strict=True):
        print(f"  gamma {gamma}: {period:.4f} steps")

    results = {"gammas": [0.5, 0.9, 0.99], "period_4_gain": measured, "unit_gain_period": periods}
    if "DOCRUN_RESULTS" in os.environ:  # the site's build quotes these numbers on its pages
        Path(os.environ["DOCRUN_RESULTS"]).write_text(json.dumps(results))
