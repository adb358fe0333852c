"""A gradient that grows steadily, g_k = c k: the buffer lags gamma / (1 - gamma) steps behind.

b_{k+1} = sum_j gamma^j g_{k-j} = c sum_j gamma^j (k - j), which tends to
c k / (1 - gamma) - c gamma / (1 - gamma)^2. So (1 - gamma) b_{k+1} = c (k - gamma / (1 - gamma)),
the gradient of step k - gamma / (1 - gamma): the weights (1 - gamma) gamma^j have mean age
gamma / (1 - gamma).
"""

import json
import os
from pathlib import Path

import numpy as np

C, STEPS = 0.01, 5000


def delay(gamma, c=C, steps=STEPS):
    """Steps by which (1 - gamma) * b lags behind the current gradient, after `steps` steps."""
    b = 0.0
    for k in range(steps):
        b = gamma * b + c * k
    return (c * (steps - 1) - (1 - gamma) * b) / c


def mean_age(gamma, terms=200_000):
    """sum_j j (1 - gamma) gamma^j, summed term by term."""
    j = np.arange(terms)
    return float(np.sum(j * (1 - gamma) * gamma**j))


if __name__ == "__main__":
    print(f"g_k = {C} k; delay of (1 - gamma) b behind g after {STEPS} steps, in steps")
    print(f"{'gamma':>6} {'measured':>10} {'gamma/(1-gamma)':>16} {'mean age of weights':>20}")
    delays, ages, error = [], [], 0.0
    for gamma in (0.5, 0.9, 0.99):
        print(f"{gamma:>6} {delay(gamma):>10.6f} {gamma / (1 - gamma):>16.6f}", end="")
        print(f" {mean_age(gamma):>20.6f}")
        delays.append(delay(gamma))
        ages.append(mean_age(gamma))
        error = max(error, *(abs(x / (gamma / (1 - gamma)) - 1) for x in (delays[-1], ages[-1])))

    results = {
        "delay": delays,
        "mean_age": ages,
        "relative_error": error,
        # what is left after 5000 steps: gamma^5000 terms, below 1e-21 even for gamma = 0.99
        # (times the sums' size, 1e4); float64 rounding of sums near 1e6 is about 1e-10
        # relative: 1e-9 bounds both
        "to_1e-9": error < 1e-9,
    }
    if "DOCRUN_RESULTS" in os.environ:  # the site's build quotes these numbers on its pages
        Path(os.environ["DOCRUN_RESULTS"]).write_text(json.dumps(results))
