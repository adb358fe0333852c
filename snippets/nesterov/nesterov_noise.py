"""With noisy gradients the noise floor, not the rate, decides: acceleration buys nothing."""

import json
import os
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import torch

LAM = np.geomspace(1e-2, 1.0, 100)  # curvatures of f(x) = sum(lam_i x_i^2) / 2, so L = 1
X0 = np.full(100, 10.0)
SIGMA = 0.01  # standard deviation of the noise added to each gradient coordinate
STEPS, SEEDS = 2000, 20


# --8<-- [start:run]
def run_noisy(lr, momentum, sigma, steps=STEPS, seeds=SEEDS):
    """f(theta_k) of each seed, (steps + 1, seeds): Sutskever's form, gradient + N(0, sigma^2)
    per coordinate."""
    rng = np.random.default_rng(0)
    theta = np.tile(X0, (seeds, 1))  # one row per seed
    v = np.zeros_like(theta)
    losses = [0.5 * (LAM * theta**2).sum(axis=1)]
    for k in range(steps):
        mu = momentum(k)
        g = LAM * (theta + mu * v) + sigma * rng.standard_normal(theta.shape)
        v = mu * v - lr * g
        theta = theta + v
        losses.append(0.5 * (LAM * theta**2).sum(axis=1))
    return np.array(losses)


def noise_floor(lr, mu, sigma, lam=LAM, lookahead=False):
    """Stationary mean f for constant lr, mu: solve P = M P M^T + b b^T in each eigendirection;
    f at theta, or (lookahead) at theta + mu v, the tensor torch.optim.SGD(nesterov=True) holds."""
    e = np.array([1.0, mu if lookahead else 0.0])  # the point: e . (x, v)
    total = 0.0
    for h in lr * lam:
        M = np.array([[1 - h, mu * (1 - h)], [-h, mu * (1 - h)]])  # (x, v) -> (x', v')
        b = np.array([-lr * sigma, -lr * sigma])  # the noise enters v and, through v, x
        P = np.linalg.solve(np.eye(4) - np.kron(M, M), np.outer(b, b).ravel()).reshape(2, 2)
        total += 0.5 * (h / lr) * (e @ P @ e)
    return total


def gd_floor(lr, sigma, lam=LAM):
    """mu = 0 in closed form: variance lr sigma^2 / (lam (2 - lr lam)) in each direction."""
    return np.sum(lr * sigma**2 / (2 * (2 - lr * lam)))


# --8<-- [end:run]


# --8<-- [start:spectrum]
def floor_ratio(a, mu=0.9):
    """Nesterov's floor (lr 1 - mu, momentum mu) over SGD's (lr 1): the same effective lr, 1.
    a: the curvatures, so a = effective lr x curvature; the floors are summed over them."""
    a = np.atleast_1d(a)
    return noise_floor(1 - mu, mu, 1.0, lam=a) / gd_floor(1.0, 1.0, lam=a)  # sigma cancels


# --8<-- [end:spectrum]


# --8<-- [start:torch]
def torch_floors(lr, mu, sigma, steps=STEPS, seeds=SEEDS):
    """torch.optim.SGD(nesterov=True) with run_noisy's noise: each seed's mean f over the second
    half at the tensor p it holds, and at theta = p + mu lr b (b its momentum buffer)."""
    rng = np.random.default_rng(0)
    lam = torch.tensor(LAM)
    p = torch.tensor(np.tile(X0, (seeds, 1)), requires_grad=True)  # float64, one row per seed
    opt = torch.optim.SGD([p], lr=lr, momentum=mu, nesterov=True)
    f_p, f_theta = [], []
    for k in range(1, steps + 1):
        p.grad = lam * p.detach() + sigma * torch.from_numpy(rng.standard_normal(p.shape))
        opt.step()
        if k >= steps // 2:
            theta = p.detach() + mu * lr * opt.state[p]["momentum_buffer"]
            f_p.append((0.5 * lam * p.detach() ** 2).sum(dim=1))
            f_theta.append((0.5 * lam * theta**2).sum(dim=1))
    return torch.stack(f_p).mean(dim=0).numpy(), torch.stack(f_theta).mean(dim=0).numpy()


# --8<-- [end:torch]

SIGMA_1 = 0.1  # one sample's gradient noise, per coordinate: a batch of 100 gives SIGMA
A = (0.001, 0.01, 0.1, 0.5, 1.0)  # effective lr x curvature, one direction at a time

# (name, lr, momentum schedule, constant mu or None): the last has GD's effective lr/(1 - mu) = 1
RUNS = (
    ("gradient descent, lr 1", 1.0, lambda k: 0.0, 0.0),
    ("Nesterov gamma_k = k/(k+3), lr 1", 1.0, lambda k: k / (k + 3), None),
    ("Nesterov gamma = 0.9, lr 1", 1.0, lambda k: 0.9, 0.9),
    ("Nesterov gamma = 0.9, lr 0.1", 0.1, lambda k: 0.9, 0.9),
)
TAIL = slice(STEPS // 2, STEPS + 1)  # the second half: where the noise has taken over


def tail_slope(loss):
    k = np.arange(len(loss))[TAIL]
    return np.polyfit(np.log(k), np.log(loss[TAIL]), 1)[0]


if __name__ == "__main__":
    # --8<-- [start:demo]
    print("f = sum(lam_i x_i^2)/2, 100 curvatures log-spaced in [0.01, 1]", end="")
    print(f", noise sigma = {SIGMA}, {SEEDS} seeds")
    print(f"gradient descent's floor in closed form: {gd_floor(1.0, SIGMA):.3e}")
    print(f"{'':>30s}{'exact':>10s}{'noisy gradients':>40s}")
    print(f"{'':>30s}{'f(2000)':>10s}{'mean f, k>=1000':>17s}{'predicted':>11s}{'tail slope':>12s}")
    fig, ax = plt.subplots(figsize=(7.5, 4.2))
    runs = {}
    for i, (name, lr, momentum, mu) in enumerate(RUNS):
        exact = run_noisy(lr, momentum, 0.0, seeds=1)[:, 0]
        seeds = run_noisy(lr, momentum, SIGMA)
        noisy = seeds.mean(axis=1)  # the mean over seeds
        runs[name] = {"exact": exact[-1], "floor": noisy[TAIL].mean(), "slope": tail_slope(noisy)}
        runs[name]["seeds"] = seeds  # each seed's run, for the standard errors
        pred = "--"
        if mu is not None:
            runs[name]["predicted"] = noise_floor(lr, mu, SIGMA)
            pred = f"{runs[name]['predicted']:.2e}"
        cols = f"{exact[-1]:10.1e}{runs[name]['floor']:17.2e}{pred:>11s}{runs[name]['slope']:12.2f}"
        print(f"{name:>30s}{cols}")
        ax.loglog(exact, ":", color=f"C{i}")
        ax.loglog(noisy, color=f"C{i}", label=name)
    ax.axhline(gd_floor(1.0, SIGMA), color="0.6", lw=0.8, ls="--", label="closed-form floor (GD)")
    ax.set(xlabel="step $k$", ylabel=r"mean $f(\theta_k) - f^*$", ylim=(1e-8, 1e3))
    ax.set_title("solid: noisy gradients, dotted: exact gradients", fontsize=10)
    ax.legend(fontsize=8)
    fig.tight_layout()
    plt.show()
    # --8<-- [end:demo]

    # --8<-- [start:depends]
    print("\nthe same effective lr 1 (SGD lr 1; Nesterov 0.9, lr 0.1): Nesterov's floor / SGD's")
    direction = [floor_ratio(a) for a in A]
    print(f"  one direction, a = effective lr x curvature{''.join(f'{a:>8g}' for a in A)}")
    print(f"{'':>45s}{''.join(f'{r:>8.4f}' for r in direction)}")
    spectra = {"[0.01, 1]": LAM, "[0.001, 0.1]": LAM / 10}
    spectrum = {name: floor_ratio(lam) for name, lam in spectra.items()}
    print("  100 curvatures log-spaced in ", end="")
    print(";  in ".join(f"{name}: {r:.3f}" for name, r in spectrum.items()))

    # Where the floor is measured: Sutskever's theta, or the tensor PyTorch holds, theta + mu v.
    theta_pred, p_pred = (noise_floor(0.1, 0.9, SIGMA_1, lookahead=la) for la in (False, True))
    p_seeds, theta_seeds = torch_floors(0.1, 0.9, SIGMA_1)
    p_meas, theta_meas = p_seeds.mean(), theta_seeds.mean()
    print(f"batch 1 (sigma {SIGMA_1}), Nesterov 0.9, lr 0.1:{'predicted':>22s}{'measured':>11s}")
    print(f"  at theta (Sutskever's form, as above){theta_pred:>24.3e}{theta_meas:>11.3e}")
    print(f"  at p = theta + mu v (torch.optim.SGD)  {p_pred:>22.3e}{p_meas:>11.3e}")
    # --8<-- [end:depends]

    keys = dict(zip(runs, ("gd", "schedule", "same_lr", "same_eff"), strict=True))
    gd = runs["gradient descent, lr 1"]["floor"]
    floors = {keys[n]: float(r["floor"]) for n, r in runs.items()}
    slopes = [float(r["slope"]) for r in runs.values()]
    results = {
        "gd_closed_form": float(gd_floor(1.0, SIGMA)),
        "floors": floors,  # mean f over k >= 1000, noisy gradients
        # each seed's mean f over k >= 1000, and each seed's tail slope: their spread across the
        # independent seeds gives the floors' and the slopes' standard errors
        "seed_floors": {keys[n]: r["seeds"][TAIL].mean(axis=0).tolist() for n, r in runs.items()},
        "seed_slopes": {
            keys[n]: [float(tail_slope(s)) for s in r["seeds"].T] for n, r in runs.items()
        },
        "predicted": {keys[n]: float(r["predicted"]) for n, r in runs.items() if "predicted" in r},
        "exact": {keys[n]: float(r["exact"]) for n, r in runs.items()},  # f(2000), exact gradients
        "over_gd": {key: f / gd for key, f in floors.items()},  # floor / gradient descent's
        "slopes": {keys[n]: s for n, s in zip(runs, slopes, strict=True)},
        "slope_min": min(slopes),
        "slope_max": max(slopes),
        # each measured floor equals its prediction to the three digits printed
        "floors_match": all(
            f"{r['floor']:.2e}" == f"{r['predicted']:.2e}"
            for r in runs.values()
            if "predicted" in r
        ),
        "a": list(A),
        "direction_ratio": [float(r) for r in direction],
        "spectrum_ratio": dict(
            zip(("page", "flatter"), map(float, spectrum.values()), strict=True)
        ),
        "batch_1": {
            "theta_predicted": float(theta_pred),
            "theta_measured": float(theta_meas),
            "p_predicted": float(p_pred),
            "p_measured": float(p_meas),
            "theta_seeds": theta_seeds.tolist(),  # each seed's mean f over k >= 1000
            "p_seeds": p_seeds.tolist(),
            "p_excess": float(p_pred / theta_pred - 1),  # how much higher PyTorch's tensor sits
            "p_ratio_sgd": float(p_pred / gd_floor(1.0, SIGMA_1)),  # its floor over SGD's
        },
    }
    if "DOCRUN_RESULTS" in os.environ:  # the site's build quotes these numbers on its pages
        Path(os.environ["DOCRUN_RESULTS"]).write_text(json.dumps(results))
