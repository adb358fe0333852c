"""One direction, f(x) = lam x^2 / 2, with lr = 1 / lam: heavy ball against Nesterov, mu = 0.9.

Nesterov is heavy ball with momentum mu (1 - lr lam) in this direction: zero here, so it is plain
gradient descent with the ideal step, which lands on the minimum at once.
"""

import json
import os
from pathlib import Path

LAM, MU, TOL = 4.0, 0.9, 1e-6
LR = 1 / LAM


def run(method, steps=400, x0=1.0):
    """Sutskever et al.'s form from rest; the gradient at x (heavy ball) or x + mu v (Nesterov)."""
    x, v, path = x0, 0.0, [x0]
    for _ in range(steps):
        at = x + MU * v if method == "nesterov" else x
        v = MU * v - LR * LAM * at
        x = x + v
        path.append(x)
    return path


def steps_to(path, tol=TOL):
    """First k after which |x| stays below tol."""
    above = [k for k, x in enumerate(path) if abs(x) >= tol]
    return above[-1] + 1


if __name__ == "__main__":
    results = {}
    for method in ("heavy ball", "nesterov"):
        path = run(method)
        print(f"{method:>10}: x_1 = {path[1]:+.6f}, x_2 = {path[2]:+.6f}, ", end="")
        print(f"|x| stays below {TOL:g} from step {steps_to(path)}")
        key = method.replace(" ", "_")
        results[key] = {"x_1": path[1], "x_2": path[2], "steps_to_tol": steps_to(path)}
    if "DOCRUN_RESULTS" in os.environ:  # the site's build quotes these numbers on its pages
        Path(os.environ["DOCRUN_RESULTS"]).write_text(json.dumps(results))
