# %% [markdown]
# # The contour picture: gradient descent against momentum
# 100 steps of gradient descent and 50 of momentum on a long, narrow quadratic bowl, both with
# `torch.optim.SGD` and the same learning rate: their paths on the contour map, and their losses.
#
# The function is $f(x, y) = \tfrac12(\lambda_1 x^2 + \lambda_2 y^2)$ with $\lambda_1 = 1$ and
# $\lambda_2 = 50$: fifty times steeper across the valley than along it. The learning rate has to
# suit the steep direction, and then the flat one is slow. Cells that run the experiment are guarded
# by `if __name__ == "__main__":` so that the tests can import the functions.

# %%
import argparse
import json
import os
import sys
from pathlib import Path

import torch

LAMBDAS = (1.0, 50.0)  # curvatures along x and y
START = (-10.0, 1.0)
TABLE_MOMENTA = [0.0, 0.5, 0.65, 0.8, 0.9, 0.95]  # the closing table (includes the default)


def loss_fn(w):
    lam = torch.tensor(LAMBDAS, dtype=w.dtype)
    return 0.5 * (lam * w * w).sum()


def descend(lr, momentum, steps):
    """Run torch.optim.SGD from START; return the path [steps + 1, 2] and the loss at each point."""
    w = torch.tensor(START, dtype=torch.float64, requires_grad=True)
    opt = torch.optim.SGD([w], lr=lr, momentum=momentum)
    path, losses = [w.detach().clone()], [loss_fn(w).item()]
    for _ in range(steps):
        opt.zero_grad()
        loss_fn(w).backward()
        opt.step()
        path.append(w.detach().clone())
        losses.append(loss_fn(w).item())
    return torch.stack(path), losses


# %% tags=["collapse"] jupyter={"source_hidden": true}
def parse_args(argv=None):
    """Options; bad input ends the program with one line on stderr and exit status 1."""
    parser = argparse.ArgumentParser(
        prog="contour_quadratic.py", description="GD vs momentum on a quadratic"
    )
    parser.error = lambda msg: sys.exit(f"{parser.prog}: error: {msg}")
    parser.add_argument("--lr", type=float, default=0.038)
    parser.add_argument("--momentum", type=float, default=0.65)
    parser.add_argument("--gd-steps", type=int, default=100)
    parser.add_argument("--momentum-steps", type=int, default=50)
    # Tensors this small run fastest on one CPU thread; more threads mostly wait on each other.
    parser.add_argument("--threads", type=int, default=1, help="CPU threads (default 1)")
    args = parser.parse_args(argv)
    if args.threads < 1:
        parser.error(f"--threads must be >= 1, got {args.threads}")
    lr_max = 2 / max(LAMBDAS)  # beyond it gradient descent diverges along the steep axis
    if not 0 < args.lr < lr_max:
        parser.error(f"--lr must be in (0, {lr_max:g}) for this quadratic, got {args.lr}")
    if not 0 <= args.momentum < 1:
        parser.error(f"--momentum must be in [0, 1), got {args.momentum}")
    if min(args.gd_steps, args.momentum_steps) < 1:
        parser.error("--gd-steps and --momentum-steps must be >= 1")
    return args


# %% [markdown]
# ## Two runs
# The default momentum 0.65 is not arbitrary: for a learning rate $\eta$, the coefficient
# $\gamma = (1 - \sqrt{\eta\lambda_1})^2$ damps the flat direction critically (fastest, without
# oscillating), as the [quadratic picture](../quadratic/index.md) derives; the run prints its value.

# %%
if __name__ == "__main__":
    args = parse_args([] if "ipykernel" in sys.modules else None)
    torch.set_num_threads(args.threads)
    gd_path, gd_loss = descend(args.lr, 0.0, args.gd_steps)
    mo_path, mo_loss = descend(args.lr, args.momentum, args.momentum_steps)
    critical = (1 - (args.lr * LAMBDAS[0]) ** 0.5) ** 2
    print(f"learning rate {args.lr}, momentum {args.momentum}")
    print(f"critical momentum for the flat direction: {critical:.3f}")
    for name, path, loss in [
        ("gradient descent", gd_path, gd_loss),
        ("momentum", mo_path, mo_loss),
    ]:
        x, y = path[-1].tolist()
        steps = f"{name + ',':<17} {len(loss) - 1:>3} steps"
        print(f"{steps}: final loss {loss[-1]:.3e} at ({x:.2e}, {y:.2e})")

# %%
if __name__ == "__main__":
    import matplotlib.pyplot as plt

    fig, (ax, ax_loss) = plt.subplots(1, 2, figsize=(11, 4), width_ratios=[3, 2])
    xs, ys = torch.meshgrid(torch.linspace(-11, 2, 300), torch.linspace(-2, 2, 200), indexing="xy")
    zs = 0.5 * (LAMBDAS[0] * xs**2 + LAMBDAS[1] * ys**2)
    ax.contour(xs, ys, zs, levels=torch.logspace(-2, 2, 12), colors="grey", linewidths=0.6)
    for path, label in [(gd_path, "gradient descent"), (mo_path, f"momentum {args.momentum}")]:
        ax.plot(path[:, 0], path[:, 1], marker="o", markersize=2, linewidth=1, label=label)
    ax.plot(0, 0, marker="*", markersize=10, linestyle="none", label="minimum")
    ax.set(xlabel="x (flat direction)", ylabel="y (steep direction)", title="paths")
    ax.legend(loc="upper right")
    ax_loss.semilogy(gd_loss, label=f"gradient descent ({args.gd_steps} steps)")
    ax_loss.semilogy(mo_loss, label=f"momentum ({args.momentum_steps} steps)")
    ax_loss.set(xlabel="step", ylabel="loss", title="loss per step")
    ax_loss.legend()
    plt.show()

# %% [markdown]
# Gradient descent zigzags across the valley: $\eta\lambda_2$ is close to 2, so each step overshoots
# the floor and the swing shrinks only by the factor $|1 - \eta\lambda_2|$ per step. Along the
# valley it crawls, shrinking by $1 - \eta\lambda_1$ per step. Momentum adds up the steps that agree
# (along the valley) while the alternating ones partly cancel in its buffer; with these settings it
# ends far lower in half the steps, and closer to the floor in both coordinates (the final points
# printed above).
#
# ## Momentum has to fit the problem
# The same 50 steps with other coefficients. Too little momentum is close to gradient descent; too
# much, and the iterate overshoots the minimum along the valley and swings back and forth around it.

# %%
if __name__ == "__main__":
    print(f"{'momentum':>8}  final loss after {args.momentum_steps} steps")
    table = []
    for gamma in TABLE_MOMENTA:
        table.append([gamma, descend(args.lr, gamma, args.momentum_steps)[1][-1]])
        print(f"{gamma:>8}  {table[-1][1]:.3e}")

# %%
if __name__ == "__main__" and "DOCRUN_RESULTS" in os.environ:  # what the site's pages quote
    results = {
        "critical_momentum": critical,
        "final_loss": {"gd": gd_loss[-1], "momentum": mo_loss[-1]},
        "final_point": {"gd": gd_path[-1].tolist(), "momentum": mo_path[-1].tolist()},
        "table": table,  # [momentum, final loss after the momentum run's steps]
    }
    Path(os.environ["DOCRUN_RESULTS"]).write_text(json.dumps(results))
