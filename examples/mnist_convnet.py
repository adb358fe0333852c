# %% [markdown]
# # A small ConvNet on MNIST: momentum against plain SGD
# The classic PyTorch MNIST network trained with learning rate 0.001, with and without momentum 0.9,
# and its test accuracy after every epoch; a third run gives plain SGD ten times the learning rate.
#
# The network is the one from PyTorch's original MNIST example: two $5\times 5$ convolutions
# (1→10 and 10→20 channels), each followed by $2\times 2$ max-pooling, then fully connected layers
# 320→50→10, with dropout. All runs start from the same weights and see the same batches, so they
# differ only in the optimizer. The data lives in one tensor on the device (inputs scaled to
# $[-1, 1]$) and batches are sliced from it. Cells that run the experiment are guarded by
# `if __name__ == "__main__":` so that the tests can import the functions without training.

# %% [markdown]
# ## The network and the training loop


# %%
import argparse
import sys

import torch
from torch import nn
from torch.nn import functional as F


class ConvNet(nn.Module):
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


@torch.no_grad()
def accuracy(model, x, y, batch_size=2000):
    model.eval()
    hits = sum(
        (model(xb).argmax(1) == yb).sum()
        for xb, yb in zip(x.split(batch_size), y.split(batch_size), strict=True)
    )
    return (hits / len(x)).item()


def train(model, optimizer, data, epochs, batch_size, seed):
    """Train; return the test accuracy after each epoch and the number of samples seen."""
    xtr, ytr, xte, yte = data
    gen = torch.Generator().manual_seed(seed)  # the same batches for every optimizer
    accs = []
    for _ in range(epochs):
        model.train()
        for idx in torch.randperm(len(xtr), generator=gen).to(xtr.device).split(batch_size):
            loss = F.cross_entropy(model(xtr[idx]), ytr[idx])
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
        accs.append(accuracy(model, xte, yte))
    return accs, epochs * len(xtr)


# %% tags=["collapse"] jupyter={"source_hidden": true}
PROFILES = {"full": 30, "short": 15}  # epochs; "auto" picks full on CUDA, short on CPU


def parse_args(argv=None):
    """Options; bad input ends the program with one line on stderr and exit status 1."""
    parser = argparse.ArgumentParser(prog="mnist_convnet.py", description="ConvNet on MNIST")
    parser.error = lambda msg: sys.exit(f"{parser.prog}: error: {msg}")
    parser.add_argument("--device", default="auto", choices=["auto", "cpu", "cuda"])
    parser.add_argument("--profile", default="auto", choices=["auto", "full", "short"])
    parser.add_argument("--epochs", type=int, help="overrides the profile's number of epochs")
    parser.add_argument("--lr", type=float, default=0.001)
    parser.add_argument("--momentum", type=float, default=0.9)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--seed", type=int, default=0)
    # On a shared CPU one thread is faster for layers this small; raise it on an idle machine.
    parser.add_argument("--threads", type=int, default=1, help="CPU threads (default 1)")
    args = parser.parse_args(argv)
    if not args.lr > 0:
        parser.error(f"--lr must be > 0, got {args.lr}")
    if not 0 <= args.momentum < 1:
        parser.error(f"--momentum must be in [0, 1), got {args.momentum}")
    if min(1 if args.epochs is None else args.epochs, args.batch_size, args.threads) < 1:
        parser.error("--epochs, --batch-size and --threads must be >= 1")
    if args.device == "cuda" and not torch.cuda.is_available():
        parser.error("--device cuda was asked for, but CUDA is not available here")
    if args.device == "auto":
        args.device = "cuda" if torch.cuda.is_available() else "cpu"
    if args.profile == "auto":
        args.profile = "full" if args.device == "cuda" else "short"
    args.epochs = args.epochs or PROFILES[args.profile]
    return args


def load_mnist(root, device):
    """MNIST as four tensors on `device`: images [N, 1, 28, 28] scaled to [-1, 1], labels [N]."""
    import contextlib
    import io
    from pathlib import Path

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
        x = ds.data.to(device=device, dtype=torch.float32).div_(127.5).sub_(1.0)  # [0,255] → [-1,1]
        out += [x.unsqueeze(1), ds.targets.to(device)]
    return (*out, "offline subset" if subset else "MNIST")


# %% [markdown]
# ## Training
# The profile line says how many epochs drew the figure below: the full profile (30 epochs) when
# a GPU ran this page, a short one on a CPU, where 30 epochs on full MNIST would take a long time.

# %%
if __name__ == "__main__":
    import os
    import time

    args = parse_args([] if "ipykernel" in sys.modules else None)
    torch.set_num_threads(args.threads)
    *data, source = load_mnist(os.environ.get("MNIST_ROOT", "data"), args.device)
    print(f"device: {args.device} ({args.threads} CPU thread(s))")
    print(f"data: {source} ({len(data[0])} train / {len(data[2])} test)")
    print(
        f"profile: {args.profile}, {args.epochs} epochs (full: {PROFILES['full']}, default on CUDA)"
    )
    results, n_samples, t0 = {}, 0, time.perf_counter()
    lr_eff = args.lr / (1 - args.momentum)  # momentum's long-run step size, for a fair third run
    runs = [
        (f"momentum {args.momentum}", args.lr, args.momentum),
        (f"plain, lr {args.lr:g}", args.lr, 0.0),
        (f"plain, lr {lr_eff:g}", lr_eff, 0.0),
    ]
    for name, lr, momentum in runs:
        # dropout draws from the global generator: reseed so all runs drop the same units
        torch.manual_seed(args.seed)
        model = ConvNet().to(args.device)
        opt = torch.optim.SGD(model.parameters(), lr=lr, momentum=momentum)
        results[name], n = train(model, opt, data, args.epochs, args.batch_size, args.seed)
        n_samples += n
    samples_per_s = n_samples / (time.perf_counter() - t0)
    print(f"throughput: {samples_per_s:.0f} samples/s")

# %% [markdown]
# ## Test accuracy per epoch

# %%
if __name__ == "__main__":
    print(f"{'epoch':>5}" + "".join(f"{name:>18}" for name in results))
    for e in range(args.epochs):
        print(f"{e + 1:>5}" + "".join(f"{accs[e]:>18.2%}" for accs in results.values()))

    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7, 4))
    for name, accs in results.items():
        ax.plot(range(1, args.epochs + 1), accs, marker="o", markersize=3, label=name)
    ax.set(
        xlabel="epoch",
        ylabel="test accuracy",
        title=f"ConvNet, {source}: {args.profile} profile, {args.epochs} epochs",
    )
    ax.legend()
    plt.show()

# %% [markdown]
# With the same learning rate, momentum 0.9 takes steps up to $1/(1-0.9) = 10$ times as long once
# the gradients agree from one step to the next (the [effective learning
# rate](../terminal_velocity/index.md)), so at $\eta = 0.001$ plain SGD creeps. The third run
# gives plain SGD that effective learning rate $\eta/(1-\gamma)$: compare it with the momentum
# column to see how much of momentum's lead is just the larger step and how much is the averaging
# of gradients.

# %%
if __name__ == "__main__" and "DOCRUN_RESULTS" in os.environ:  # what the site's pages quote
    import json
    from pathlib import Path

    Path(os.environ["DOCRUN_RESULTS"]).write_text(json.dumps({"samples_per_s": samples_per_s}))
