"""Explorable: under a constant gradient the step grows to -lr g / (1 - gamma), a frame per gamma.

Each frame is labelled with its gamma and what it shows: k90, the steps to reach 90 % of the limit,
and the limit itself in units of the plain gradient step -lr g.
"""

import json
import math
import os
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np

GAMMAS = (0.5, 0.6, 0.7, 0.8, 0.85, 0.9, 0.93, 0.95, 0.97, 0.98, 0.99)
STEPS = 1000
KS = np.unique(np.geomspace(1, STEPS, 120).astype(int))  # the steps drawn: even on a log axis


# --8<-- [start:frame]
def velocity_ratio(gamma, steps=STEPS):
    """v_k / (-lr g) for k = 1..steps, from v <- gamma v - lr g with v_0 = 0: the velocity in
    units of gradient descent's step -lr g, which is u <- gamma u + 1."""
    u, out = 0.0, []
    for _ in range(steps):
        u = gamma * u + 1.0
        out.append(u)
    return np.array(out)


def k90(gamma):
    """Smallest k with 1 - gamma^k >= 0.9: ceil(ln 0.1 / ln gamma)."""
    return math.ceil(math.log(0.1) / math.log(gamma))


def draw(gamma):
    limit, k = 1 / (1 - gamma), k90(gamma)
    v = velocity_ratio(gamma)
    fig, ax = plt.subplots(figsize=(7, 3.8))
    ax.plot(KS, v[KS - 1], color="C0", label=r"$v_k / (-\eta g)$")
    ax.axhline(limit, color="C1", ls="--", lw=1, label=r"limit $1/(1-\gamma)$")
    ax.axhline(0.9 * limit, color="C1", ls=":", lw=1, label="90 %")
    ax.axhline(1, color="0.6", lw=0.8, label="plain gradient descent")
    ax.axvline(k, color="C2", lw=1)
    ax.plot(k, v[k - 1], "o", color="C2", label=rf"$k_{{90}} = {k}$")
    ax.set(xscale="log", yscale="log", xlim=(1, STEPS), ylim=(0.7, 150))
    ax.minorticks_off()  # fewer marks, lighter frames
    ax.set_xticks([1, 10, 100, 1000], ["1", "10", "100", "1000"])
    ax.set_yticks([1, 2, 5, 10, 20, 50, 100], ["1", "2", "5", "10", "20", "50", "100"])
    ax.set(xlabel="step $k$", ylabel=r"velocity $v_k / (-\eta g)$")
    ax.set_title(rf"$\gamma = {gamma}$: the step grows to {limit:.4g} times $-\eta g$")
    ax.legend(loc="upper left", fontsize=8)
    fig.tight_layout()
    fig.set_label(f"gamma={gamma:g} | k90={k}, limit={limit:.4g}")
    return {"gamma": gamma, "k90": k, "limit": limit}


# --8<-- [end:frame]

if __name__ == "__main__":
    frames = []
    for gamma in GAMMAS:
        frames.append(draw(gamma))
        plt.show()
    if "DOCRUN_RESULTS" in os.environ:  # the site's build quotes these numbers on its pages
        Path(os.environ["DOCRUN_RESULTS"]).write_text(json.dumps({"frames": frames}))
