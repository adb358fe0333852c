"""Muon's lead in the optimizer sweep, ablated: SGD with Nesterov momentum and AdamW get Muon's
parameter split (the hidden weight matrix to the optimizer under test, AdamW for the head and the
biases) and Muon's weight decay, on the sweep's problem: its MLP, its offline MNIST data, its
steps, batch size and seeds."""

import contextlib
import io
import json
import os
import sys
import time
from pathlib import Path

import torch

STEPS, BATCH_SIZE, SEEDS = 300, 64, 3  # the sweep's CPU profile
WEIGHT_DECAY = 0.1  # Muon's default, decoupled: theta <- (1 - lr * 0.1) theta, for all three
REST = {"lr": 1e-3}  # the sweep's AdamW for the head and the biases (its default decay, 0.01)


def load_mnist(root):
    """The sweep's loader: images [N, 784] scaled to [-1, 1], labels [N]; train, then test."""
    from torchvision.datasets import MNIST

    try:
        with contextlib.redirect_stdout(io.StringIO()):  # torchvision's chatter about mirrors
            sets = [MNIST(root, train=train, download=True) for train in (True, False)]
    except (OSError, RuntimeError) as err:  # no files here and no network
        first = str(err).splitlines()[0] if str(err) else type(err).__name__
        sys.exit(f"mnist: cannot load MNIST from {root!r} ({first}); offline: nox -s mnist_offline")
    subset = (Path(root) / "MNIST" / "OFFLINE_SUBSET.txt").exists()
    out = []
    for ds in sets:
        x = ds.data.to(dtype=torch.float32).div_(127.5).sub_(1.0)  # [0, 255] -> [-1, 1]
        out += [x.reshape(len(x), -1), ds.targets]
    return (*out, "offline subset" if subset else "MNIST")


def make_mlp(seed):
    """The sweep's 784-200-10 MLP: same seed, same initial weights."""
    torch.manual_seed(seed)
    return torch.nn.Sequential(torch.nn.Linear(784, 200), torch.nn.ReLU(), torch.nn.Linear(200, 10))


def batch_order(seed, n, steps, batch_size):
    """The sweep's batches: fresh permutations of range(n), from the seed."""
    gen = torch.Generator().manual_seed(seed)
    epochs = -(-steps * batch_size // n)
    perm = torch.cat(
        [torch.randperm(n, generator=gen)[: n - n % batch_size] for _ in range(epochs)]
    )
    return perm[: steps * batch_size].view(steps, batch_size)


def bfloat16_products_are_native():
    """Whether PyTorch computes bfloat16 matrix products on this CPU with oneDNN."""
    return torch.ops.mkldnn._is_mkldnn_bf16_supported()


def newton_schulz_in_float32(grad, ns_coefficients, ns_steps, eps):
    """The sweep's stand-in for torch.optim.Muon's orthogonalisation where bfloat16 products are
    not native: each product in float32, rounded to bfloat16 once."""
    a, b, c = ns_coefficients
    x = grad.bfloat16()
    if grad.size(0) > grad.size(1):
        x = x.T
    x = x / x.norm().clamp(min=eps)
    for _ in range(ns_steps):
        x32 = x.float()
        gram = (x32 @ x32.T).bfloat16().float()
        gram_update = torch.addmm(gram, gram, gram, beta=b, alpha=c).bfloat16().float()
        x = torch.addmm(x32, gram_update, x32, beta=a).bfloat16()
    return x.T if grad.size(0) > grad.size(1) else x


# --8<-- [start:split]
class SGDW(torch.optim.SGD):
    """torch.optim.SGD with decoupled weight decay, applied as AdamW and Muon apply it:
    theta <- (1 - lr * weight_decay) theta, then the step."""

    def __init__(self, params, lr, weight_decay, **kwargs):
        super().__init__(params, lr=lr, **kwargs)
        self.decay = weight_decay

    @torch.no_grad()
    def step(self):
        for group in self.param_groups:
            for p in group["params"]:
                p.mul_(1 - group["lr"] * self.decay)
        return super().step()


HIDDEN = {  # the hidden weight matrix's optimizer, and its learning rate in the sweep's grid
    "Muon": lambda ps, lr: torch.optim.Muon(ps, lr=lr, weight_decay=WEIGHT_DECAY),
    "SGD+Nesterov": lambda ps, lr: SGDW(ps, lr, WEIGHT_DECAY, momentum=0.9, nesterov=True),
    "AdamW": lambda ps, lr: torch.optim.AdamW(ps, lr=lr, weight_decay=WEIGHT_DECAY),
}


def split(model, name, lr):
    """Muon's split from the sweep: `name` for the hidden weight matrix, AdamW for the rest."""
    hidden = [model[0].weight]  # 200 x 784
    rest = [p for p in model.parameters() if p is not model[0].weight]
    return [HIDDEN[name](hidden, lr), torch.optim.AdamW(rest, **REST)]


# --8<-- [end:split]


def run(build, name, lr, seed, data):
    """The sweep's run, its optimizers from build(model, name, lr): the final training loss."""
    xtr, ytr = data[0], data[1]
    model = make_mlp(seed)
    opts = build(model, name, lr)
    for idx in batch_order(seed, len(xtr), STEPS, BATCH_SIZE):
        loss = torch.nn.functional.cross_entropy(model(xtr[idx]), ytr[idx])
        for opt in opts:
            opt.zero_grad()
        loss.backward()
        for opt in opts:
            opt.step()
    with torch.no_grad():
        final = torch.nn.functional.cross_entropy(model(xtr), ytr).item()
    return final if final == final else float("inf")  # NaN: diverged, an infinite loss


def no_split(model, name, lr):
    """The sweep's own setup for SGD+Nesterov and AdamW: one optimizer for every parameter,
    at its default weight decay (SGD none, AdamW 0.01)."""
    if name == "SGD+Nesterov":
        return [torch.optim.SGD(model.parameters(), lr=lr, momentum=0.9, nesterov=True)]
    return [torch.optim.AdamW(model.parameters(), lr=lr)]


# The sweep's defaults (1e-3 for all three) and factors of its grid, LR_FACTORS, around each
# optimizer's best there. Muon's setup is the sweep's own: its seven factors there stand.
GRID = {  # row: (optimizer on the hidden matrix, split?, default lr, factors)
    "muon": ("Muon", True, 1e-3, (31.6,)),
    "sgd_nesterov": ("SGD+Nesterov", False, 1e-3, (31.6,)),
    "sgd_nesterov_split": ("SGD+Nesterov", True, 1e-3, (10.0, 31.6, 100.0)),
    "adamw": ("AdamW", False, 1e-3, (3.16,)),
    "adamw_split": ("AdamW", True, 1e-3, (3.16, 10.0, 31.6)),
}


def findings(rows):
    """What the page reads in the table, as numbers and as true or false."""
    muon = rows["muon"]["mean"]
    before = min(rows["sgd_nesterov"]["mean"], rows["adamw"]["mean"])
    after = min(rows["sgd_nesterov_split"]["mean"], rows["adamw_split"]["mean"])
    return {
        "lead_without_split": before / muon,
        "lead_with_split": after / muon,
        "split_hurts_both": all(
            rows[f"{k}_split"]["mean"] > rows[k]["mean"] for k in ("sgd_nesterov", "adamw")
        ),
        "muon_10x_lower": 10 * muon < after,
        "muon_outside_ranges": rows["muon"]["max"]
        < min(r["min"] for k, r in rows.items() if k != "muon"),
        "split_best_inside": all(
            GRID[k][3][0] < rows[k]["best_factor"] < GRID[k][3][-1]
            for k in ("sgd_nesterov_split", "adamw_split")
        ),
    }


if __name__ == "__main__":
    torch.set_num_threads(1)  # the sweep's default: one thread per process
    native = bfloat16_products_are_native()
    if not native:  # as the sweep does: Muon's products in float32, each rounded to bfloat16
        torch.optim._muon._zeropower_via_newtonschulz = newton_schulz_in_float32
    *data, source = load_mnist(os.environ.get("MNIST_ROOT", "data"))
    print(f"device: cpu (1 thread); torch {torch.__version__}; data: {source}")
    how = "PyTorch's own (oneDNN)" if native else "float32, each rounded to bfloat16"
    print(f"Muon's Newton-Schulz products: {how}")
    print(f"{STEPS} steps of batch {BATCH_SIZE}, seeds 0-{SEEDS - 1}, as in the sweep")
    print("split: the hidden weight matrix to the optimizer named, AdamW(lr=1e-3) for the rest;")
    print(f"the hidden matrix's weight decay {WEIGHT_DECAY}, decoupled, for all three")
    t0, rows = time.perf_counter(), {}
    for key, (name, with_split, default, factors) in GRID.items():
        build = split if with_split else no_split
        cells = {f: [run(build, name, default * f, s, data) for s in range(SEEDS)] for f in factors}
        best = min(factors, key=lambda f: sum(cells[f]))
        rows[key] = {
            "means": [sum(cells[f]) / SEEDS for f in factors],
            "best_factor": best,
            "losses": cells[best],
            "mean": sum(cells[best]) / SEEDS,
            "min": min(cells[best]),
            "max": max(cells[best]),
        }
    runs = sum(len(factors) for *_, factors in GRID.values()) * SEEDS
    print(f"{runs} runs in {time.perf_counter() - t0:.0f} s")
    print(f"{'hidden matrix':<14} {'split':<6} {'factors tried':<15} {'best':>5}", end="")
    print(f"  {'final training loss, mean [min, max]'}")
    for key, (name, with_split, _, factors) in GRID.items():
        r, tried = rows[key], ", ".join(f"{f:g}" for f in factors)
        print(f"{name:<14} {'yes' if with_split else 'no':<6} {tried:<15}", end="")
        print(f" {r['best_factor']:>5g}  {r['mean']:.4f} [{r['min']:.4f}, {r['max']:.4f}]")
    print("mean final training loss at each factor tried, with the split:")
    for key in ("sgd_nesterov_split", "adamw_split"):
        pairs = zip(GRID[key][3], rows[key]["means"], strict=True)
        print(f"  {GRID[key][0]:<12}  " + ", ".join(f"{f:g}: {m:.4f}" for f, m in pairs))
    factors = {key: list(grid[3]) for key, grid in GRID.items()}
    results = {"native_bf16": native, "runs": runs, "factors": factors, "rows": rows}
    results.update(findings(rows))
    print(
        f"the next lowest mean is {results['lead_without_split']:.1f} times Muon's without", end=""
    )
    print(f" the split, {results['lead_with_split']:.1f} times with it")

    if "DOCRUN_RESULTS" in os.environ:  # the site's build quotes these numbers on its pages
        Path(os.environ["DOCRUN_RESULTS"]).write_text(json.dumps(results))
