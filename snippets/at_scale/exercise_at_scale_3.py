"""A batch 8x larger, but the learning rate may only double: which momentum keeps the noise?"""

import json
import os
from fractions import Fraction
from pathlib import Path


def momentum_for(lr, batch, momentum, new_lr, new_batch):
    """The m' with new_lr / (new_batch (1 - m')) = lr / (batch (1 - m))."""
    return 1 - (1 - momentum) * new_lr * batch / (lr * new_batch)


def stationary_variance(lr, batch, momentum, h=1.0, sigma2=1.0):
    """The closed form of exercise 2 at curvature h, gradient-noise variance sigma2 / batch."""
    m, s2 = momentum, sigma2 / batch
    return lr * s2 * (1 + m) / (h * (1 - m) * (2 * (1 + m) - lr * h))


CURVATURES = (1.0, 5.0)

if __name__ == "__main__":
    m_new = momentum_for(Fraction("0.1"), 256, Fraction("0.9"), Fraction("0.2"), 2048)
    print(f"new momentum: {m_new} = {float(m_new)}")
    print("stationary variance / the old one, at curvature h:")
    print(f"{'momentum':>9}" + "".join(f"{f'h = {h:g}':>10}" for h in CURVATURES))
    ratios = {}
    for m in (0.95, float(m_new), 0.99):
        ratios[m] = [
            stationary_variance(0.2, 2048, m, h) / stationary_variance(0.1, 256, 0.9, h)
            for h in CURVATURES
        ]
        print(f"{m:>9}" + "".join(f"{ratio:>9.3f}x" for ratio in ratios[m]))
    results = {
        "momentum_new": float(m_new),
        "curvatures": CURVATURES,
        "ratio_at_new_momentum": ratios[float(m_new)],  # one per curvature
    }
    if "DOCRUN_RESULTS" in os.environ:  # the site's build quotes these numbers on its pages
        Path(os.environ["DOCRUN_RESULTS"]).write_text(json.dumps(results))
