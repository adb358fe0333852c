"""Gradient descent against momentum on the same narrow valley: the picture on the home page.

f(x, y) = (x^2 + 50 y^2) / 2 is fifty times steeper across the valley (y) than along it (x).
Both runs are torch.optim.SGD with the same learning rate, from the same start, for the same
number of steps; one has momentum 0, the other momentum 0.65. One frame is drawn per momentum
coefficient, labelled with it and with the rate at which the distance shrinks in the long run:
the page shows them as one figure with a slider.
"""

import json
import os
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import torch

CURVATURES = (1.0, 50.0)  # along the valley (x), across it (y)
START = (-10.0, 1.0)
LR, MOMENTUM, STEPS = 0.038, 0.65, 40  # lr * 50 = 1.9: close to the limit 2 of the steep side
MOMENTA = (0.0, 0.3, 0.5, 0.65, 0.8, 0.9, 0.95)  # the slider; the middle one is shown first


# --8<-- [start:run]
def path(momentum, lr=LR, steps=STEPS):
    """The points torch.optim.SGD visits on f(x, y) = (x^2 + 50 y^2) / 2, start included."""
    w = torch.tensor(START, dtype=torch.float64, requires_grad=True)
    curvatures = torch.tensor(CURVATURES, dtype=torch.float64)
    opt = torch.optim.SGD([w], lr=lr, momentum=momentum)
    points = [w.detach().clone()]
    for _ in range(steps):
        opt.zero_grad()
        loss = 0.5 * (curvatures * w**2).sum()
        loss.backward()
        opt.step()
        points.append(w.detach().clone())
    return torch.stack(points)


def rate(momentum, lr=LR):
    """The factor by which the distance shrinks per step in the long run: the largest |root| of
    r^2 - (1 + momentum - lr h) r + momentum over the two curvatures h."""
    return max(max(abs(np.roots([1.0, -(1 + momentum - lr * h), momentum]))) for h in CURVATURES)


# --8<-- [end:run]


def distances(points, at=(10, 20, 40)):
    """{k: distance from the minimum (0, 0) after k steps}."""
    return {k: points[k].norm().item() for k in at}


def draw(momentum, gradient_descent):
    """One frame: gradient descent's path and momentum's on the contours of the valley."""
    fig, ax = plt.subplots(figsize=(5, 2.8))  # 10-pt text stays 9 CSS px or more on a phone
    xs, ys = torch.meshgrid(
        torch.linspace(-11, 8, 400), torch.linspace(-1.6, 1.6, 200), indexing="xy"
    )
    zs = 0.5 * (CURVATURES[0] * xs**2 + CURVATURES[1] * ys**2)
    ax.contour(xs, ys, zs, levels=torch.logspace(-2, 2, 12), colors="grey", linewidths=0.6)
    runs = {"gradient descent": gradient_descent}
    if momentum > 0:  # momentum 0 is gradient descent itself
        runs[f"momentum {momentum:g}"] = path(momentum)
    for name, points in runs.items():
        ax.plot(points[:, 0], points[:, 1], marker="o", markersize=3, linewidth=1.2, label=name)
    ax.plot(0, 0, marker="*", markersize=12, color="C2", linestyle="none", label="minimum")
    ax.set(xlabel="x (along the valley)", ylabel="y (across it)", xlim=(-11, 8), ylim=(-1.6, 1.6))
    ax.set_title(f"{STEPS} steps each, same learning rate {LR}")
    ax.legend(loc="upper right")
    fig.tight_layout()
    fig.set_label(f"gamma={momentum:g} | rho={rate(momentum):.3f}")
    return fig


if __name__ == "__main__":
    torch.set_num_threads(1)  # two numbers per step: one thread is fastest
    print("device: cpu (a two-parameter problem; no GPU needed)")
    runs = {"gradient descent": path(0.0), f"momentum {MOMENTUM}": path(MOMENTUM)}
    print(f"f(x, y) = (x^2 + 50 y^2)/2 from {START}; lr {LR}; distance to the minimum")
    print(f"{'after k steps':<18}" + "".join(f"{k:>10}" for k in (10, 20, 40)))
    dist = {name: distances(points) for name, points in runs.items()}
    for name, d in dist.items():
        print(f"{name:<18}" + "".join(f"{x:10.2e}" for x in d.values()))
    print("rate per step in the long run, by momentum:")
    rates = {m: rate(m) for m in MOMENTA}
    print("  ".join(f"{m:g}: {r:.3f}" for m, r in rates.items()))

    for momentum in MOMENTA:
        draw(momentum, runs["gradient descent"])
        plt.show()

    gd, mom = dist["gradient descent"][STEPS], dist[f"momentum {MOMENTUM}"][STEPS]
    results = {
        "steps": [10, 20, 40],
        "gd_distances": list(dist["gradient descent"].values()),
        "momentum_distances": list(dist[f"momentum {MOMENTUM}"].values()),
        "gd_distance": gd,
        "momentum_distance": mom,
        "closer_by": gd / mom,
        "over_100x_closer": gd / mom > 100,
        # gradient descent's factor per step on each coordinate: 1 - lr * curvature
        "gd_factor_along": 1 - LR * CURVATURES[0],
        "gd_factor_across": 1 - LR * CURVATURES[1],
        "momenta": list(MOMENTA),
        "rates": [float(r) for r in rates.values()],  # in the order of momenta
        "shown_is_fastest": min(rates, key=rates.get) == MOMENTUM,
    }
    if "DOCRUN_RESULTS" in os.environ:  # the site's build quotes these numbers on its pages
        Path(os.environ["DOCRUN_RESULTS"]).write_text(json.dumps(results))
