"""A gradient that acts for 10 steps and then stops: how far does momentum carry the parameter?

PyTorch's form, b <- gamma b + g, theta <- theta - lr b, with g = 1 on steps 1..10 and 0 after.
Each gradient enters the buffer once and then moves theta by lr g gamma^j on the j-th step after:
lr g / (1 - gamma) in all. So the total is 10 lr g / (1 - gamma), however the pulse is spread.
"""

import json
import os
from pathlib import Path

import numpy as np

LR, GAMMA, PULSE, STEPS = 0.1, 0.9, 10, 400


def steps_taken(gamma, lr=LR, pulse=PULSE, steps=STEPS):
    """The length lr * b_k of the step on each step k = 1..steps."""
    b, out = 0.0, []
    for k in range(1, steps + 1):
        b = gamma * b + (1.0 if k <= pulse else 0.0)
        out.append(lr * b)
    return np.array(out)


if __name__ == "__main__":
    plain, mom = steps_taken(0.0), steps_taken(GAMMA)
    print(f"gradient 1 on steps 1..{PULSE}, then 0; lr {LR}; distance travelled")
    print(f"{'':>22} {'during the pulse':>17} {'after it':>9} {'in all':>7} {'largest step':>13}")
    for name, s in (("plain SGD", plain), (f"momentum {GAMMA}", mom)):
        print(f"{name:>22} {s[:PULSE].sum():>17.4f} {s[PULSE:].sum():>9.4f}", end="")
        print(f" {s.sum():>7.4f} {s.max():>13.4f}")
    print(f"ratio in all: {mom.sum() / plain.sum():.6f}   1 / (1 - gamma) = {1 / (1 - GAMMA):.6f}")

    results = {
        "during_pulse": float(mom[:PULSE].sum()),
        "after_pulse": float(mom[PULSE:].sum()),
        "total": float(mom.sum()),
        "largest_step": float(mom.max()),
        "ratio": float(mom.sum() / plain.sum()),
    }
    if "DOCRUN_RESULTS" in os.environ:  # the site's build quotes these numbers on its pages
        Path(os.environ["DOCRUN_RESULTS"]).write_text(json.dumps(results))
