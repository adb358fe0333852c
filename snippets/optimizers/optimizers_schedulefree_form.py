"""Schedule-free SGD as momentum: its three sequences raced against schedulefree.SGDScheduleFree
in float64, the heavy ball they hide, and a race against momentum SGD with a cosine schedule."""

import importlib.metadata
import json
import os
from pathlib import Path

import numpy as np


# --8<-- [start:form]
def schedule_free(grad, w0, lr, beta=0.9, steps=200):
    """Defazio et al. 2024 at a constant learning rate; grad(y, k) is the gradient at y in step
    k. Returns the x's (what you evaluate) and the y's (where the gradients are taken)."""
    z, x = w0.copy(), w0.copy()
    xs, ys = [x], []
    for k in range(steps):
        y = (1 - beta) * z + beta * x  # y_k
        z = z - lr * grad(y, k)  # z_{k+1}
        c = 1 / (k + 1)  # c_{k+1}; 1 at the first step: x_1 = z_1, the start drops out
        x = (1 - c) * x + c * z  # x_{k+1}
        xs.append(x)
        ys.append(y)
    return np.array(xs), np.array(ys)


# --8<-- [end:form]


# --8<-- [start:heavy_ball]
def momentum_coefficient(k):
    """gamma_k = c_{k+1} (1 - c_k) / c_k with c_{k+1} = 1/(k+1): (k-1)/(k+1)."""
    return (k - 1) / (k + 1)


def heavy_ball_form(grad, w0, lr, beta=0.9, steps=200):
    """The same x's as schedule_free, as a heavy ball on x: momentum gamma_k, learning rate
    lr c_{k+1} = lr/(k+1), and the gradient taken ahead of x, at y_k."""
    xs, ys = [w0, w0], []  # x_{-1} = x_0: no velocity before the first step
    for k in range(steps):
        x, velocity = xs[-1], xs[-1] - xs[-2]  # x_k, x_k - x_{k-1}
        y = x + (1 - beta) * (k - 1) * velocity  # y_k = x_k + (1 - beta)(z_k - x_k)
        xs.append(x + momentum_coefficient(k) * velocity - lr / (k + 1) * grad(y, k))
        ys.append(y)
    return np.array(xs[1:]), np.array(ys)


# --8<-- [end:heavy_ball]


def logistic_problem(n=1000, d=20, batch=10, steps=2000, seeds=3):
    """Logistic regression on synthetic data: features of scales 1 to 0.1, labels drawn from a
    true model, so that the data cannot be separated. Each seed is one order of mini-batches."""
    gen = np.random.default_rng(0)
    features = gen.standard_normal((n, d)) * np.logspace(0, -1, d)
    truth = gen.standard_normal(d) * 2
    labels = np.where(gen.random(n) < 1 / (1 + np.exp(-features @ truth)), 1.0, -1.0)
    orders = np.stack(
        [np.random.default_rng(1 + s).integers(0, n, (steps, batch)) for s in range(seeds)]
    )
    return features, labels, orders


def loss(w, features, labels):
    """Mean logistic loss on the whole data set, for each row of w."""
    return np.logaddexp(0, -labels * (w @ features.T)).mean(-1)


def minimum(features, labels, iterations=30):
    """The lowest loss, by Newton's method."""
    w = np.zeros(features.shape[1])
    for _ in range(iterations):
        p = 1 / (1 + np.exp(labels * (features @ w)))  # sigmoid(-y x.w)
        g = -(features * (labels * p)[:, None]).mean(0)
        h = (features * (p * (1 - p))[:, None]).T @ features / len(labels)
        w = w - np.linalg.solve(h, g)
    return loss(w, features, labels)


def minibatch_gradient(features, labels, orders, rows_seed):
    """grad(w, t) for w of shape [rows, d]: row r sees seed rows_seed[r]'s batch of step t."""

    def grad(w, t):
        idx = orders[rows_seed, t]  # [rows, batch]
        a, b = features[idx], labels[idx]  # [rows, batch, d], [rows, batch]
        p = 1 / (1 + np.exp(b * np.einsum("rbd,rd->rb", a, w)))
        return -np.einsum("rbd,rb->rd", a, b * p) / idx.shape[1]

    return grad


# --8<-- [start:cosine]
def momentum_sgd(grad, w0, lr, steps, horizon=None, momentum=0.9, cosine=True):
    """PyTorch's form, b <- gamma b + g, w <- w - lr_t b, with the cosine schedule
    lr_t = lr (1 + cos(pi t / horizon)) / 2 planned for `horizon` steps (default: `steps`).
    Returns the w's after every step."""
    horizon = horizon or steps
    w, b, ws = w0.copy(), np.zeros_like(w0), [w0]
    for t in range(steps):
        b = momentum * b + grad(w, t)
        w = w - (lr * (1 + np.cos(np.pi * t / horizon)) / 2 if cosine else lr) * b
        ws.append(w)
    return np.array(ws)


# --8<-- [end:cosine]


# --8<-- [start:package]
def package_trajectory(grad, w0, lr, beta=0.9, steps=200):
    """schedulefree.SGDScheduleFree in float64 on the same gradients: its x's and y's, and the
    gradients it was given. Training holds y in the parameters; x is read the way eval() reads
    it, from y and the stored z, without switching."""
    import schedulefree
    import torch

    p = torch.tensor(w0, dtype=torch.float64, requires_grad=True)
    opt = schedulefree.SGDScheduleFree([p], lr=lr, momentum=beta)
    opt.train()
    xs, ys, grads = [w0.copy()], [], []
    for t in range(steps):
        ys.append(p.detach().numpy().copy())
        grads.append(grad(ys[-1], t))
        p.grad = torch.from_numpy(grads[-1].copy())
        opt.step()
        x = torch.lerp(p.detach(), opt.state[p]["z"], 1 - 1 / beta)  # what eval() computes
        xs.append(x.numpy().copy())
    return np.array(xs), np.array(ys), np.array(grads)


def fitted_momentum(xs, grads, lr):
    """gamma_k read off a trajectory, k = 1, 2, ...: the least-squares fit of
    x_{k+1} - x_k + lr c_{k+1} g_k = gamma_k (x_k - x_{k-1})."""
    out = []
    for k in range(1, len(grads)):
        before, after = xs[k] - xs[k - 1], xs[k + 1] - xs[k] + lr / (k + 1) * grads[k]
        out.append(float(np.sum(before * after) / np.sum(before * before)))
    return np.array(out)


# --8<-- [end:package]


SGD_LRS = (0.01, 0.0316, 0.1, 0.316, 1.0, 3.16)  # half-decades
SF_LRS = tuple(10 * lr for lr in SGD_LRS)  # the same steps: SGD's step grows to lr/(1 - 0.9)


def race(problem, steps=2000, checkpoints=(500, 1000, 2000), seeds=3):
    """Excess loss f - f* of every contender at every checkpoint, learning rate and seed:
    {contender: array [checkpoint, lr, seed]}, on the same batches."""
    features, labels, orders = problem
    best = minimum(features, labels)

    def rows(lrs):  # one row per (learning rate, seed)
        seed = np.tile(np.arange(seeds), len(lrs))
        lr = np.repeat(np.asarray(lrs, dtype=float), seeds)[:, None]
        w0 = np.zeros((len(seed), features.shape[1]))
        return minibatch_gradient(features, labels, orders, seed), w0, lr

    def excess(ws):  # ws: [checkpoint, row, d]
        return (loss(ws, features, labels) - best).reshape(len(ws), -1, seeds)

    grad, w0, lr = rows(SGD_LRS)
    at = list(checkpoints)
    out = {
        "constant": excess(momentum_sgd(grad, w0, lr, steps, cosine=False)[at]),
        "cosine_stopped": excess(momentum_sgd(grad, w0, lr, steps)[at]),  # planned for `steps`
        "cosine": excess(np.stack([momentum_sgd(grad, w0, lr, n)[-1] for n in checkpoints])),
    }
    grad, w0, lr = rows(SF_LRS)
    out["schedule_free"] = excess(schedule_free(grad, w0, lr, steps=steps)[0][at])
    return out


if __name__ == "__main__":
    print(f"numpy {np.__version__}; schedulefree {importlib.metadata.version('schedulefree')}")
    problem = logistic_problem()
    features, labels, orders = problem
    grad = minibatch_gradient(features, labels, orders, np.array([0]))  # one row: seed 0
    w0, lr, beta, steps = np.zeros((1, features.shape[1])), 1.0, 0.9, 200
    xs, ys = schedule_free(grad, w0, lr, beta, steps)
    px, py, pg = package_trajectory(lambda y, k: grad(y[None], k)[0], w0[0], lr, beta, steps)
    hx, hy = heavy_ball_form(grad, w0, lr, beta, steps)
    fitted = fitted_momentum(px, pg, lr)  # fitted[k - 1] is gamma_k
    results = {
        "largest_x": float(np.abs(xs).max()),
        "race_gap": float(max(np.abs(xs[:, 0] - px).max(), np.abs(ys[:, 0] - py).max())),
        "heavy_ball_gap": float(max(np.abs(xs - hx).max(), np.abs(ys - hy).max())),
        "fit_gap": float(np.abs(fitted - momentum_coefficient(np.arange(1, steps))).max()),
        "gamma": {k: float(fitted[k - 1]) for k in (1, 2, 10, 100, 199)},
        "smallest_step": float(np.linalg.norm(np.diff(px[:-1], axis=0), axis=1).min()),
    }
    print(f"logistic regression, lr {lr}, beta {beta}, {steps} steps, float64", end=" ")
    print(f"(|x| up to {results['largest_x']:.2f})")
    print("  largest difference in x or y from SGDScheduleFree: three-line form", end=" ")
    print(f"{results['race_gap']:.1e}, heavy-ball form {results['heavy_ball_gap']:.1e}")
    print("momentum of x in step k: derived, fitted to the package's x's, and 1 - c_{k+1}:")
    print(f"  {'k':>4} {'(k-1)/(k+1)':>12} {'fitted - it':>12} {'1 - 1/(k+1)':>12}")
    for k, g in results["gamma"].items():
        derived = momentum_coefficient(k)
        print(f"  {k:>4} {derived:>12.6f} {g - derived:>12.1e} {1 - 1 / (k + 1):>12.6f}")
    print(f"  largest |fitted - (k-1)/(k+1)|, k = 1 to {steps - 1}: {results['fit_gap']:.1e}")

    checkpoints = (500, 1000, 2000)
    excess = race(problem, steps=checkpoints[-1], checkpoints=checkpoints)
    names = {
        "constant": "momentum SGD, constant lr",
        "cosine_stopped": "momentum SGD, cosine to 2000",
        "cosine": "momentum SGD, cosine to each",
        "schedule_free": "schedule-free SGD, one run",
    }
    print("race on the same problem, batches of 10, seeds 0-2: excess loss f - f*, mean over")
    print("the seeds, at each column's best learning rate of the grid (in brackets)")
    print(f"{'':<29}" + "".join(f"{f'after {n} steps':>21}" for n in checkpoints))
    results["race"], results["sgd_lrs"] = {}, list(SGD_LRS)
    for key, name in names.items():
        grid = SF_LRS if key == "schedule_free" else SGD_LRS
        means = excess[key].mean(-1)  # [checkpoint, lr]
        best = means.argmin(-1)
        results["race"][key] = {
            "mean": [float(means[i, j]) for i, j in enumerate(best)],
            "lr": [grid[j] for j in best],
            "final": [float(v) for v in excess[key][-1, best[-1]]],  # the seeds, at the end
        }
        cells = [f"{means[i, j]:.2e} ({grid[j]:g})" for i, j in enumerate(best)]
        print(f"{name:<29}" + "".join(f"{c:>21}" for c in cells))
    final = {k: v["mean"][-1] for k, v in results["race"].items()}
    early = {k: v["mean"][:-1] for k, v in results["race"].items()}
    seeds = {k: v["final"] for k, v in results["race"].items()}
    print("after 2000 steps, lowest and highest seed:")
    for key in ("constant", "cosine", "schedule_free"):
        print(f"  {names[key]:<29} [{min(seeds[key]):.2e}, {max(seeds[key]):.2e}]")
    results.update(
        sf_over_cosine=final["schedule_free"] / final["cosine"],
        constant_over_sf=final["constant"] / final["schedule_free"],
        cosine_lowest=final["cosine"] < min(final["schedule_free"], final["constant"]),
        sf_within_1_5x=final["schedule_free"] <= 1.5 * final["cosine"],
        sf_below_constant=all(
            s < c
            for s, c in zip(
                results["race"]["schedule_free"]["mean"],
                results["race"]["constant"]["mean"],
                strict=True,
            )
        ),
        sf_one_lr=len(set(results["race"]["schedule_free"]["lr"])) == 1,
        sf_below_stopped=all(
            s < c for s, c in zip(early["schedule_free"], early["cosine_stopped"], strict=True)
        ),
    )

    if "DOCRUN_RESULTS" in os.environ:  # the site's build quotes these numbers on its pages
        Path(os.environ["DOCRUN_RESULTS"]).write_text(json.dumps(results))
