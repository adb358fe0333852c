"""Momentum as a filter on the gradient sequence: gain 1 / |1 - gamma e^{-i omega}|."""

import json
import math
import os
from pathlib import Path

import matplotlib.pyplot as plt
import torch


# --8<-- [start:gain]
def gain(gamma, omega):
    """Steady |v| / (lr |g|) for v <- gamma v - lr g with g_k = e^{i omega k}.

    = 1 / |1 - gamma e^{-i omega}|; a real cos(omega k) input gets the same gain.
    """
    return 1.0 / abs(1 - gamma * complex(math.cos(omega), -math.sin(omega)))


def measured_gain(gamma, omega, steps=4000):
    """Feed g_k = e^{i omega k} (cos is its real part), lr = 1; return |v| after `steps` steps."""
    v = 0j
    for k in range(steps):
        v = gamma * v - complex(math.cos(omega * k), math.sin(omega * k))
    return abs(v)


# --8<-- [end:gain]


# --8<-- [start:noise]
def velocity_variance_mc(gamma, lr=0.1, sigma=1.0, chains=20000, steps=1500, seed=0):
    """Monte-Carlo Var(v_N) for v <- gamma v - lr g, g_k i.i.d. N(0, sigma^2), v_0 = 0."""
    gen = torch.Generator().manual_seed(seed)
    v = torch.zeros(chains, dtype=torch.float64)
    for _ in range(steps):
        v = gamma * v - lr * sigma * torch.randn(chains, generator=gen, dtype=torch.float64)
    return v.var().item()


def velocity_variance_exact(gamma, lr=0.1, sigma=1.0, steps=None):
    """lr^2 sigma^2 (1 + gamma^2 + gamma^4 + ...): the sum over N steps, or its limit."""
    if steps is None:
        return lr**2 * sigma**2 / (1 - gamma**2)
    return lr**2 * sigma**2 * (1 - gamma ** (2 * steps)) / (1 - gamma**2)


def mean_squared_gain(gamma, n=20000):
    """Average of gain^2 over omega in [0, pi] (midpoint rule); Parseval says 1 / (1 - gamma^2)."""
    return sum(gain(gamma, math.pi * (i + 0.5) / n) ** 2 for i in range(n)) / n


# --8<-- [end:noise]

GAMMAS = (0.5, 0.9, 0.99)

if __name__ == "__main__":
    print("sign-alternating gradient g_k = (-1)^k (omega = pi): steady |v| / lr")
    alternating = []
    for gamma in GAMMAS:
        measured = measured_gain(gamma, math.pi)
        print(f"  gamma {gamma:<5} measured {measured:.6f}   1/(1+gamma) {1 / (1 + gamma):.6f}")
        alternating.append(measured)

    print("i.i.d. gradient noise, lr = 0.1, sigma = 1: Var(v) / (lr sigma)^2")
    print(f"  {'gamma':>6} {'Monte Carlo':>12} {'1/(1-gamma^2)':>14}", end="")
    print(f" {'MC/exact - 1':>13} {'(1-g)/(1+g)':>12}")
    mc_errors, same_lr_ratio, parseval = [], [], []
    for gamma in GAMMAS:
        mc = velocity_variance_mc(gamma) / 0.01
        exact = 1 / (1 - gamma**2)
        ratio = (1 - gamma) / (1 + gamma)
        print(f"  {gamma:>6} {mc:>12.3f} {exact:>14.3f} {mc / exact - 1:>+13.3f} {ratio:>12.4f}")
        mc_errors.append(mc / exact - 1)
        same_lr_ratio.append(ratio)
    standard_error = math.sqrt(2 / 19999)  # of a variance ratio from 20,000 samples
    print(f"  (20,000 chains, 1,500 steps; standard error of the ratio {standard_error:.1%})")
    for gamma in GAMMAS:
        parseval.append(mean_squared_gain(gamma))
        print(f"  gamma {gamma:<5} mean of gain^2 over [0, pi]: {parseval[-1]:.3f}")

    print("gain at three frequencies, gamma = 0.9 (measured by running the recursion)")
    gain_error = 0.0
    for name, omega in [
        ("0 (constant)", 0.0),
        ("pi/2", math.pi / 2),
        ("pi (alternating)", math.pi),
    ]:
        formula, measured = gain(0.9, omega), measured_gain(0.9, omega)
        print(f"  omega {name:<17} formula {formula:8.4f}   measured {measured:8.4f}")
        gain_error = max(gain_error, abs(measured / formula - 1))

    omegas = [math.pi * i / 400 for i in range(401)]
    fig, ax = plt.subplots(figsize=(7, 3.8))
    for i, gamma in enumerate(GAMMAS):
        ax.plot(omegas, [gain(gamma, w) for w in omegas], color=f"C{i}", label=f"gamma = {gamma}")
        ax.plot([0, math.pi], [1 / (1 - gamma), 1 / (1 + gamma)], "o", color=f"C{i}")
    ax.axhline(1.0, color="grey", linewidth=0.8, linestyle="--")
    ax.set(xlabel="frequency omega (radians per step; pi = sign flips every step)", ylabel="gain")
    ax.set(yscale="log", xlim=(0, math.pi), title="Momentum's gain 1/|1 - gamma e^(-i omega)|")
    ax.set_xticks([0, math.pi / 4, math.pi / 2, 3 * math.pi / 4, math.pi])
    ax.set_xticklabels(["0", "pi/4", "pi/2", "3pi/4", "pi"])
    ax.legend()
    fig.tight_layout()
    plt.show()

    # below 1 - gamma radians per step: the smallest gain there, as a fraction of 1 / (1 - gamma)
    slow = [
        min(gain(gamma, (1 - gamma) * i / 100) for i in range(101)) * (1 - gamma)
        for gamma in GAMMAS
    ]
    results = {
        "gammas": list(GAMMAS),
        "alternating_gain": alternating,
        "mc_error": mc_errors,
        "mc_standard_error": standard_error,
        "mc_within_1pct": all(abs(e) < 0.01 for e in mc_errors),
        "same_lr_variance": same_lr_ratio,  # momentum's step variance / plain SGD's at lr/(1-g)
        "mean_squared_gain": parseval,
        "gain_error": gain_error,
        # 4000 steps leave gamma^4000 < 1e-18 of the start-up transient: only rounding is left
        "gain_to_1e-9": gain_error < 1e-9,
        "slow_gain_fraction": min(slow),
        "slow_keep_70pct": min(slow) >= 0.7,
    }
    if "DOCRUN_RESULTS" in os.environ:  # the site's build quotes these numbers on its pages
        Path(os.environ["DOCRUN_RESULTS"]).write_text(json.dumps(results))
