"""What the optimizer step costs against a whole training step, on two small MNIST models.

The 784-200-10 MLP of the optimizer sweep and the ConvNet of the MNIST example, at the sweep's
batch size (64) and at 512: the time of zero_grad, forward, loss and backward, and the time of one
optimizer.step() right after it, for SGD, SGD with momentum (for-loop and fused) and AdamW, on the
CPU with one thread; then the step's share of the training step, and what momentum adds to it.
"""

import json
import os
import statistics
import time
from pathlib import Path

import torch
from torch import nn
from torch.nn import functional as F

# --8<-- [start:config]
BATCHES = (64, 512)  # the sweep's batch size on the CPU, and a larger one
OPTIMIZERS = {  # name -> (label, class, keyword arguments besides lr), torch's defaults otherwise
    "sgd": ("SGD", torch.optim.SGD, {}),
    "momentum": ("SGD momentum", torch.optim.SGD, {"momentum": 0.9}),
    "momentum_fused": ("SGD momentum fused", torch.optim.SGD, {"momentum": 0.9, "fused": True}),
    "adamw": ("AdamW", torch.optim.AdamW, {}),
}
LR = 1e-9  # a tiny step keeps the weights as they are; the work of a step does not depend on lr
THREADS = 1  # the site is built on a shared 2-core machine: one thread, as in the examples
CASE_SECONDS = 0.25  # rounds of each model and batch go on this long: 3 to 25 per optimizer
# --8<-- [end:config]


def make_mlp():
    """The optimizer sweep's MLP (examples/optimizer_sweep.py): 784-200-10."""
    return nn.Sequential(nn.Linear(784, 200), nn.ReLU(), nn.Linear(200, 10))


class ConvNet(nn.Module):
    """The MNIST example's network (examples/mnist_convnet.py): PyTorch's classic MNIST net."""

    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 10, kernel_size=5)  # 28x28 -> 24x24, pooled to 12x12
        self.conv2 = nn.Conv2d(10, 20, kernel_size=5)  # 12x12 -> 8x8, pooled to 4x4: 20*4*4 = 320
        self.conv2_drop = nn.Dropout2d()
        self.fc1 = nn.Linear(320, 50)
        self.fc2 = nn.Linear(50, 10)

    def forward(self, x):
        x = F.relu(F.max_pool2d(self.conv1(x), 2))
        x = F.relu(F.max_pool2d(self.conv2_drop(self.conv2(x)), 2))
        x = F.dropout(F.relu(self.fc1(x.flatten(1))), training=self.training)
        return self.fc2(x)


MODELS = {  # name -> (label, constructor, shape of one input)
    "mlp": ("MLP", make_mlp, (784,)),
    "convnet": ("ConvNet", ConvNet, (1, 28, 28)),
}


def count_params(model):
    return sum(p.numel() for p in model.parameters())


def macs_per_sample(model, shape):
    """Multiply-adds of one sample's forward pass in its Linear and Conv2d layers: each output
    element is a dot product of as many terms as one output unit has weights (weight[0])."""
    macs = []

    def count(module, inputs, output):
        if isinstance(module, nn.Linear | nn.Conv2d):
            macs.append(output.numel() * module.weight[0].numel())

    hooks = [module.register_forward_hook(count) for module in model.modules()]
    with torch.no_grad():
        model(torch.zeros(1, *shape))
    for hook in hooks:
        hook.remove()
    return sum(macs)


def unsupported_reason(cls, kwargs):
    """None when cls(**kwargs) can step an fp32 CPU tensor, else the error it raised."""
    p = torch.zeros(4, requires_grad=True)
    p.grad = torch.ones(4)
    try:
        cls([p], lr=LR, **kwargs).step()
    except (RuntimeError, ValueError) as err:
        return str(err).splitlines()[0]
    return None


# --8<-- [start:measure]
def measure(model, shape, batch, optimizers, budget=CASE_SECONDS, seed=0):
    """Median seconds of forward+backward, and of each optimizer's step right after it.

    Each round is one training step: zero_grad, forward, loss and backward (timed), then one
    optimizer's step (timed), the optimizers taking turns; all step the same parameters, each
    with its own state. Warm-up: one backward, then every optimizer's first step (which
    allocates its state), then one more training step. Rounds of one step per optimizer go on
    until budget seconds have passed, at least 3 and at most 25.
    """
    gen = torch.Generator().manual_seed(seed)
    x = torch.randn(batch, *shape, generator=gen)  # the time does not depend on the values
    y = torch.randint(0, 10, (batch,), generator=gen)
    model.train()  # the ConvNet's dropout is on, as in training
    opts = [cls(model.parameters(), lr=LR, **kwargs) for cls, kwargs in optimizers.values()]
    fwd_bwd, steps = [], [[] for _ in opts]

    def training_step(i):
        start = time.perf_counter()
        model.zero_grad()
        F.cross_entropy(model(x), y).backward()
        middle = time.perf_counter()
        opts[i].step()
        return middle - start, time.perf_counter() - middle

    training_step(0)  # warm-up
    for opt in opts[1:]:
        opt.step()
    training_step(0)
    rounds, start = 0, time.perf_counter()
    while rounds < 25 and (rounds < 3 or time.perf_counter() - start < budget):
        for i in range(len(opts)):  # one training step per optimizer, in turn
            forward_backward, step = training_step(i)
            fwd_bwd.append(forward_backward)
            steps[i].append(step)
        rounds += 1
    step_s = {name: statistics.median(t) for name, t in zip(optimizers, steps, strict=True)}
    return statistics.median(fwd_bwd), step_s, rounds


# --8<-- [end:measure]


def share(step_ms, fwd_bwd_ms):
    """The step's share of the training step: step / (forward+backward + step)."""
    return step_ms / (fwd_bwd_ms + step_ms)


def summary(models, cases, unsupported):
    """The numbers the tables print, unrounded, as the site's build quotes them.

    models: {model: {"params", "tensors", "macs_per_sample"}};
    cases: {model: {batch: (forward+backward seconds, {optimizer: step seconds}, rounds)}}.
    """
    out = {}
    for model, by_batch in cases.items():
        out[model] = {}
        for batch, (fwd_bwd_s, step_s, rounds) in by_batch.items():
            fwd_bwd_ms = fwd_bwd_s * 1e3
            step_ms = {name: s * 1e3 for name, s in step_s.items()}
            shares = {name: share(ms, fwd_bwd_ms) for name, ms in step_ms.items()}
            out[model][str(batch)] = {
                "rounds": rounds,
                "fwd_bwd_ms": fwd_bwd_ms,
                "step_ms": step_ms,
                "share": shares,
                # what momentum adds to the step's share, in percentage points
                "momentum_pp": (shares["momentum"] - shares["sgd"]) * 100,
            }
    names = [name for name in OPTIMIZERS if name not in unsupported]
    batches = sorted(out["mlp"], key=int)  # the smallest first
    shares = {(m, b, o): out[m][b]["share"][o] for m in out for b in batches for o in names}
    step_ratio = {
        b: out["convnet"][b]["step_ms"]["momentum"] / out["mlp"][b]["step_ms"]["momentum"]
        for b in batches
    }
    return {
        "torch_version": torch.__version__.split("+")[0],
        "threads": torch.get_num_threads(),
        "models": models,
        "cases": out,
        "unsupported": unsupported,
        # multiply-adds per parameter and sample: how often the forward pass uses each weight
        "macs_per_param": {m: v["macs_per_sample"] / v["params"] for m, v in models.items()},
        # every optimizer's step takes a smaller share of the ConvNet's training step
        "convnet_share_smaller": all(
            shares["convnet", b, o] < shares["mlp", b, o] for b in batches for o in names
        ),
        # ... and a smaller share at the largest batch than at the smallest, on both models
        "batch_share_smaller": all(
            shares[m, batches[-1], o] < shares[m, batches[0], o] for m in out for o in names
        ),
        # AdamW's step costs more than SGD with momentum's in every case
        "adamw_step_costlier": all(
            out[m][b]["step_ms"]["adamw"] > out[m][b]["step_ms"]["momentum"]
            for m in out
            for b in batches
        ),
        "momentum_pp_max": max(out[m][b]["momentum_pp"] for m in out for b in batches),
        # the ConvNet's momentum step against the MLP's: its parameters are a seventh as many
        "step_ratio": step_ratio,
        "param_ratio": models["convnet"]["params"] / models["mlp"]["params"],
        # ... but its step takes more than half the MLP's time: a step's fixed cost weighs most
        "step_not_proportional": all(r > 0.5 for r in step_ratio.values()),
    }


def print_tables(results):
    print(f"device: cpu, {results['threads']} thread(s); torch {torch.__version__}")
    print("inputs: random batches of MNIST's shape (the time does not depend on the values)\n")
    print(f"{'model':<8} {'params':>8} {'tensors':>7} {'MACs/sample':>11} {'MACs/param':>10}")
    for model, m in results["models"].items():
        print(
            f"{MODELS[model][0]:<8} {m['params']:>8,} {m['tensors']:>7} "
            f"{m['macs_per_sample']:>11,} {results['macs_per_param'][model]:>10.2f}"
        )

    print("\ntraining step = zero_grad, forward, loss, backward (fwd+bwd), then optimizer.step()")
    print("share = step / (fwd+bwd + step); times are medians, one step per round in turn")
    head = (
        f"{'model':<8} {'batch':>5} {'rounds':>6} {'fwd+bwd ms':>10}  {'optimizer':<19}"
        f"{'step ms':>8} {'share':>7}"
    )
    print(head)
    print("-" * len(head))
    for model, by_batch in results["cases"].items():
        for batch, case in by_batch.items():
            lead = (
                f"{MODELS[model][0]:<8} {batch:>5} {case['rounds']:>6} {case['fwd_bwd_ms']:>10.3f}"
            )
            for name, (label, _, _) in OPTIMIZERS.items():
                if name in results["unsupported"]:
                    print(f"{lead}  {label:<19}unsupported: {results['unsupported'][name]}")
                else:
                    step_ms, part = case["step_ms"][name], case["share"][name]
                    print(f"{lead}  {label:<19}{step_ms:>8.3f} {part:>7.2%}")
                lead = " " * len(lead)

    print("\nwhat momentum adds: share of SGD momentum - share of SGD (percentage points)")
    print(f"{'model':<8} {'batch':>5} {'added':>7}")
    for model, by_batch in results["cases"].items():
        for batch, case in by_batch.items():
            print(f"{MODELS[model][0]:<8} {batch:>5} {case['momentum_pp']:>+7.2f}")
    ratios = ", ".join(f"{r:.2f} at batch {b}" for b, r in results["step_ratio"].items())
    print(
        f"\nConvNet's SGD momentum step / the MLP's: {ratios} "
        f"(parameters: {results['param_ratio']:.2f})"
    )


if __name__ == "__main__":
    torch.set_num_threads(THREADS)
    torch.manual_seed(0)
    # --8<-- [start:run]
    unsupported = {
        name: reason
        for name, (_, cls, kwargs) in OPTIMIZERS.items()
        if (reason := unsupported_reason(cls, kwargs))
    }
    optimizers = {n: o[1:] for n, o in OPTIMIZERS.items() if n not in unsupported}
    models, cases = {}, {}
    for name, (_, make, shape) in MODELS.items():
        model = make()
        models[name] = {
            "params": count_params(model),
            "tensors": len(list(model.parameters())),
            "macs_per_sample": macs_per_sample(model, shape),
        }
        cases[name] = {batch: measure(model, shape, batch, optimizers) for batch in BATCHES}
    # --8<-- [end:run]
    results = summary(models, cases, unsupported)
    print_tables(results)
    if "DOCRUN_RESULTS" in os.environ:  # the site's build quotes these numbers on its pages
        Path(os.environ["DOCRUN_RESULTS"]).write_text(json.dumps(results))
