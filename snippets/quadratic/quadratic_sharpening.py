"""Progressive sharpening and the edge of stability: trained full batch, a small network's top
Hessian eigenvalue grows until it meets the quadratic picture's stability limit, and stays there."""

import json
import os
import statistics
from pathlib import Path

import matplotlib.pyplot as plt
import torch

POINTS, DIM, WIDTH = 500, 4, 16  # 500 random points in 4-D with random targets; 369 weights
STEPS, EVERY = 2000, 20  # full-batch steps; the sharpness every 20 of them
BETA = 0.9
METHODS = {  # name: (learning rate alpha, momentum beta, Nesterov?)
    "gradient descent": (0.4, 0.0, False),
    "heavy ball": (0.2, BETA, False),
    "Nesterov": (0.2, BETA, True),
}


def make_data(points=POINTS, dim=DIM, seed=0):
    gen = torch.Generator().manual_seed(seed)
    x = torch.randn(points, dim, generator=gen, dtype=torch.float64)
    return x, torch.randn(points, 1, generator=gen, dtype=torch.float64)


def make_network(dim=DIM, width=WIDTH, seed=1):
    torch.manual_seed(seed)
    f64 = {"dtype": torch.float64}
    return torch.nn.Sequential(
        torch.nn.Linear(dim, width, **f64),
        torch.nn.Tanh(),
        torch.nn.Linear(width, width, **f64),
        torch.nn.Tanh(),
        torch.nn.Linear(width, 1, **f64),
    )


def loss_fn(net, x, y):
    return 0.5 * ((net(x) - y) ** 2).mean()


# --8<-- [start:sharpness]
def sharpness(net, x, y, v, tol=1e-3, max_iter=500):
    """Top eigenvalue of the loss's Hessian by power iteration from v; Hessian-vector products
    by differentiating the gradient again. Stops when |Hv - lam v| <= tol * |lam| (|v| = 1)."""
    params = list(net.parameters())
    grads = torch.autograd.grad(loss_fn(net, x, y), params, create_graph=True)
    for _ in range(max_iter):
        v = v / v.norm()
        parts = v.split([p.numel() for p in params])
        vs = [part.view_as(p) for part, p in zip(parts, params, strict=True)]
        hv = torch.cat([h.reshape(-1) for h in torch.autograd.grad(grads, params, vs, True)])
        lam = float(v @ hv)
        if (hv - lam * v).norm() <= tol * abs(lam):
            break
        v = hv
    return lam, v  # v: the start for the next call, a few steps later


# --8<-- [end:sharpness]


# --8<-- [start:limit]
def limit(lr, beta, nesterov):
    """The quadratic picture's largest stable curvature: lr * lam < 2 (gradient descent),
    2 + 2 beta (heavy ball), (2 + 2 beta) / (1 + 2 beta) (Nesterov)."""
    edge = (2 + 2 * beta) / (1 + 2 * beta) if nesterov else 2 + 2 * beta
    return edge / lr


# --8<-- [end:limit]


# --8<-- [start:train]
def train(lr, beta, nesterov, steps=STEPS, every=EVERY, data=None, net=None):
    """Full-batch torch.optim.SGD; the loss at every step, the sharpness every `every` steps."""
    x, y = data or make_data()
    net = net or make_network(x.shape[1])
    opt = torch.optim.SGD(net.parameters(), lr=lr, momentum=beta, nesterov=nesterov)
    n = sum(p.numel() for p in net.parameters())
    v = torch.randn(n, generator=torch.Generator().manual_seed(2), dtype=torch.float64)
    losses, sharp = [], []
    for step in range(steps + 1):
        if step % every == 0:
            lam, v = sharpness(net, x, y, v)
            sharp.append(lam)
        loss = loss_fn(net, x, y)
        losses.append(loss.item())
        if step < steps:
            opt.zero_grad()
            loss.backward()
            opt.step()
    return losses, sharp


# --8<-- [end:train]


def summary(name, losses, sharp, every=EVERY):
    """How a run meets its limit; the last third of the run is the part that is judged.

    "Near" is decided by a band drawn from the limits alone: closer (in ratio) to this method's
    own limit than to the nearest limit of the other two at the same learning rate."""
    lr, beta, nesterov = METHODS[name]
    lim, steps = limit(lr, beta, nesterov), len(losses) - 1
    ratio = [s / lim for s in sharp]
    first = next((i * every for i, r in enumerate(ratio) if r >= 1), None)
    judged_from = next(i * every for i in range(len(ratio)) if 3 * i * every >= 2 * steps)
    last = ratio[judged_from // every :]
    edge = {m: lr_m * limit(lr_m, b, n) for m, (lr_m, b, n) in METHODS.items()}  # lr * limit
    nearest = min(max(e / edge[name], edge[name] / e) for m, e in edge.items() if m != name)
    low, high = nearest**-0.5, nearest**0.5  # halfway (in ratio) to the nearest other limit
    median = statistics.median(last)
    at = first if first is not None else steps
    rises = sum(
        after > before for before, after in zip(losses[at:-1], losses[at + 1 :], strict=True)
    )
    return {
        "lr": lr,
        "limit": lim,
        "start_ratio": ratio[0],
        "first_at_limit": first,
        "judged_from": judged_from,
        "ratio_min": min(last),
        "ratio_median": median,
        "ratio_max": max(last),
        "band_low": low,
        "band_high": high,
        "loss_start": losses[0],
        "loss_at_limit": losses[at],
        "loss_end": losses[-1],
        "loss_rises": rises,  # steps after the limit was first reached on which the loss went up
        "sharpened": first is not None and ratio[0] < 1,
        "settles_near": low <= median <= high,
        # past the limit, back below it later: no lasting divergence as on a quadratic
        "falls_back": first is not None and min(ratio[first // every :]) < 1,
        "loss_falls_unevenly": losses[-1] < losses[at] and rises > 0,
        "sharpness": sharp,  # every `every` steps, from step 0
        "loss_sampled": losses[::every],
    }


if __name__ == "__main__":
    torch.set_num_threads(1)  # 369 weights: one thread is fastest
    # --8<-- [start:demo]
    traces = {name: train(*settings) for name, settings in METHODS.items()}
    runs = {name: summary(name, *trace) for name, trace in traces.items()}

    print(f"{POINTS} random points, MLP {DIM}-{WIDTH}-{WIDTH}-1 (tanh), float64, full batch")
    print("lam: top Hessian eigenvalue; limit: the quadratic picture's largest stable curvature")
    print(f"{'':6s}" + "".join(f"{name:>22s}" for name in METHODS))
    print(f"{'':6s}" + "".join(f"{f'alpha {a}, beta {b}':>22s}" for a, b, _ in METHODS.values()))
    print(f"{'step':>6s}" + f"{'loss':>12s}{'lam':>10s}" * len(METHODS))
    for step in range(0, STEPS + 1, 200):
        cells = (f"{loss[step]:12.4f}{lam[step // EVERY]:10.2f}" for loss, lam in traces.values())
        print(f"{step:6d}" + "".join(cells))
    print(f"{'limit':>6s}" + "".join(f"{r['limit']:22.2f}" for r in runs.values()))
    judged = runs["heavy ball"]["judged_from"]
    print(f"lam / limit from step {judged} on (every {EVERY}th step); near: inside the band")
    print(f"{'':18s}{'min':>7s}{'median':>8s}{'max':>7s}{'band':>16s}")
    for name, r in runs.items():
        print(
            f"{name:18s}{r['ratio_min']:7.3f}{r['ratio_median']:8.3f}{r['ratio_max']:7.3f}"
            f"{r['band_low']:9.3f} to {r['band_high']:.3f}"
        )
    print("the loss from the step the limit was first reached:")
    for name, r in runs.items():
        print(
            f"{name:18s}step {r['first_at_limit']}: {r['loss_at_limit']:.4f}, then up on"
            f" {r['loss_rises']} steps, down to {r['loss_end']:.4f} at step {STEPS}"
        )

    fig, (ax_s, ax_l) = plt.subplots(1, 2, figsize=(11, 4))
    for i, (name, (lr, _, _)) in enumerate(METHODS.items()):
        ax_s.plot(
            range(0, STEPS + 1, EVERY), [lr * s for s in traces[name][1]], f"C{i}", label=name
        )
        ax_s.axhline(lr * runs[name]["limit"], color=f"C{i}", ls="--", lw=1)
        ax_l.plot(traces[name][0], f"C{i}", lw=0.6)
    edges = ((2, r"$2$"), (2 + 2 * BETA, r"$2 + 2\gamma$"))
    edges += (((2 + 2 * BETA) / (1 + 2 * BETA), r"$(2 + 2\gamma)/(1 + 2\gamma)$"),)
    for edge, text in edges:
        ax_s.annotate(text, (0, edge), xytext=(4, 3), textcoords="offset points")
    ax_s.set(xlabel="step", ylabel=r"$\eta\lambda_{\max}$")
    ax_l.set(xlabel="step", ylabel="training loss (all data)", yscale="log")
    ax_s.legend(loc="lower right")
    fig.tight_layout()
    plt.show()
    # --8<-- [end:demo]
    results = {"runs": {name.replace(" ", "_").lower(): r for name, r in runs.items()}}
    if "DOCRUN_RESULTS" in os.environ:  # the site's build quotes these numbers on its pages
        Path(os.environ["DOCRUN_RESULTS"]).write_text(json.dumps(results))
