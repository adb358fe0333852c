"""With noisy gradients the noise floor, not the rate, decides: acceleration buys nothing."""

import matplotlib.pyplot as plt
import numpy as np

LAM = np.geomspace(1e-2, 1.0, 100)  # curvatures of f(x) = sum(lam_i x_i^2) / 2, so L = 1
X0 = np.full(100, 10.0)
SIGMA = 0.01  # standard deviation of the noise added to each gradient coordinate
STEPS, SEEDS = 2000, 20


# --8<-- [start:run]
def run_noisy(lr, momentum, sigma, steps=STEPS, seeds=SEEDS):
    """Mean over seeds of f(theta_k), Sutskever's form, gradient + N(0, sigma^2) per coordinate."""
    rng = np.random.default_rng(0)
    theta = np.tile(X0, (seeds, 1))  # one row per seed
    v = np.zeros_like(theta)
    losses = [0.5 * (LAM * theta**2).sum(axis=1).mean()]
    for k in range(steps):
        mu = momentum(k)
        g = LAM * (theta + mu * v) + sigma * rng.standard_normal(theta.shape)
        v = mu * v - lr * g
        theta = theta + v
        losses.append(0.5 * (LAM * theta**2).sum(axis=1).mean())
    return np.array(losses)


def noise_floor(lr, mu, sigma, lam=LAM):
    """Stationary mean f for constant lr, mu: solve P = M P M^T + b b^T in each eigendirection."""
    total = 0.0
    for h in lr * lam:
        M = np.array([[1 - h, mu * (1 - h)], [-h, mu * (1 - h)]])  # (x, v) -> (x', v')
        b = np.array([-lr * sigma, -lr * sigma])  # the noise enters v and, through v, x
        P = np.linalg.solve(np.eye(4) - np.kron(M, M), np.outer(b, b).ravel()).reshape(2, 2)
        total += 0.5 * (h / lr) * P[0, 0]
    return total


def gd_floor(lr, sigma, lam=LAM):
    """mu = 0 in closed form: variance lr sigma^2 / (lam (2 - lr lam)) in each direction."""
    return np.sum(lr * sigma**2 / (2 * (2 - lr * lam)))


# --8<-- [end:run]

# (name, lr, momentum schedule, constant mu or None): the last has GD's effective lr/(1 - mu) = 1
RUNS = (
    ("gradient descent, lr 1", 1.0, lambda k: 0.0, 0.0),
    ("Nesterov mu_k = k/(k+3), lr 1", 1.0, lambda k: k / (k + 3), None),
    ("Nesterov mu = 0.9, lr 1", 1.0, lambda k: 0.9, 0.9),
    ("Nesterov mu = 0.9, lr 0.1", 0.1, lambda k: 0.9, 0.9),
)
TAIL = slice(STEPS // 2, STEPS + 1)  # the second half: where the noise has taken over


def tail_slope(loss):
    k = np.arange(len(loss))[TAIL]
    return np.polyfit(np.log(k), np.log(loss[TAIL]), 1)[0]


if __name__ == "__main__":
    # --8<-- [start:demo]
    print(
        f"f = sum(lam_i x_i^2)/2, 100 curvatures in [0.01, 1], noise sigma = {SIGMA}, {SEEDS} seeds"
    )
    print(f"gradient descent's floor in closed form: {gd_floor(1.0, SIGMA):.3e}")
    print(f"{'':>30s}{'exact':>10s}{'noisy gradients':>40s}")
    print(f"{'':>30s}{'f(2000)':>10s}{'mean f, k>=1000':>17s}{'predicted':>11s}{'tail slope':>12s}")
    fig, ax = plt.subplots(figsize=(7.5, 4.2))
    for i, (name, lr, momentum, mu) in enumerate(RUNS):
        exact, noisy = run_noisy(lr, momentum, 0.0), run_noisy(lr, momentum, SIGMA)
        pred = "--" if mu is None else f"{noise_floor(lr, mu, SIGMA):.2e}"
        cols = f"{exact[-1]:10.1e}{noisy[TAIL].mean():17.2e}{pred:>11s}{tail_slope(noisy):12.2f}"
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
