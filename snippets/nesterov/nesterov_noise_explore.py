"""Explorable: the noise floor of plain SGD and of Nesterov momentum, one frame per batch size.

The quadratic of the noisy-gradients section (100 curvatures in [0.01, 1]). A batch of B samples
averages B independent gradient errors, so its noise has standard deviation sigma_1 / sqrt(B). Both
methods run at the same effective learning rate: SGD with lr 1, Nesterov with mu = 0.9 and lr 0.1.
Each frame's label carries the two predicted floors.
"""

import json
import os
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np

LAM = np.geomspace(1e-2, 1.0, 100)
X0 = np.full(100, 10.0)
SIGMA_1 = 0.1  # noise of one sample's gradient, per coordinate: B = 100 gives the page's 0.01
STEPS, SEEDS = 2000, 20
BATCHES = (1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024)
RUNS = (("SGD, lr 1", 1.0, 0.0), ("Nesterov, gamma 0.9, lr 0.1", 0.1, 0.9))  # (name, lr, mu)


# --8<-- [start:frame]
def run_noisy(lr, mu, sigma, steps=STEPS, seeds=SEEDS):
    """Mean over seeds of f(theta_k), Sutskever's form, gradient + N(0, sigma^2) per coordinate."""
    rng = np.random.default_rng(0)
    theta, v = np.tile(X0, (seeds, 1)), np.zeros((seeds, len(X0)))
    losses = [0.5 * (LAM * X0**2).sum()]
    for _ in range(steps):
        g = LAM * (theta + mu * v) + sigma * rng.standard_normal(theta.shape)
        v = mu * v - lr * g
        theta = theta + v
        losses.append(0.5 * (LAM * theta**2).sum(axis=1).mean())
    return np.array(losses)


def noise_floor(lr, mu, sigma):
    """Stationary mean f: solve P = M P M^T + b b^T for (x, v) in each eigendirection."""
    total = 0.0
    for h in lr * LAM:
        M = np.array([[1 - h, mu * (1 - h)], [-h, mu * (1 - h)]])
        b = np.array([-lr * sigma, -lr * sigma])  # the noise enters v and, through v, x
        P = np.linalg.solve(np.eye(4) - np.kron(M, M), np.outer(b, b).ravel()).reshape(2, 2)
        total += 0.5 * (h / lr) * P[0, 0]
    return total


# --8<-- [end:frame]

KS = np.unique(np.geomspace(1, STEPS, 150).astype(int))  # the steps drawn: even on a log axis


def short(x):
    return f"{x:.2e}".replace("e-0", "e-").replace("e+0", "e")


def draw(batch):
    sigma = SIGMA_1 / np.sqrt(batch)
    floors = [noise_floor(lr, mu, sigma) for _, lr, mu in RUNS]
    fig, ax = plt.subplots(figsize=(7.5, 4))
    fig.subplots_adjust(left=0.1, right=0.97, bottom=0.13, top=0.9)
    tails = []  # each run's mean loss over the second half, where it has settled
    for i, ((name, lr, mu), floor) in enumerate(zip(RUNS, floors, strict=True)):
        loss = run_noisy(lr, mu, sigma)
        tails.append(loss[STEPS // 2 :].mean())
        ax.loglog(KS, loss[KS], color=f"C{i}", lw=1.2, label=f"{name}: floor {short(floor)}")
        ax.axhline(floor, color=f"C{i}", ls="--", lw=0.8)
    ax.set(xlim=(1, STEPS), ylim=(1e-5, 2e3), yticks=[1e-4, 1e-2, 1, 1e2])
    ax.minorticks_off()
    ax.set(xlabel="step $k$", ylabel=r"mean $f(\theta_k) - f^*$")
    ax.set_title(rf"batch {batch}: noise $\sigma = {sigma:.3g}$; dashed: predicted floors")
    ax.legend(loc="lower left", fontsize=8)
    fig.set_label(f"batch={batch} | floor_sgd={short(floors[0])}, floor_mom={short(floors[1])}")
    return {"batch": batch, "floor_sgd": floors[0], "floor_mom": floors[1], "tail_means": tails}


if __name__ == "__main__":
    frames = []
    for batch in BATCHES:
        frames.append(draw(batch))
        plt.show()
    if "DOCRUN_RESULTS" in os.environ:  # the site's build quotes these numbers on its pages
        Path(os.environ["DOCRUN_RESULTS"]).write_text(json.dumps({"frames": frames}))
