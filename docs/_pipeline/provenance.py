"""Facts about a run that both the runner and the child process need: the data a script read."""

import os
from pathlib import Path

OFFLINE_MARKER = "OFFLINE_SUBSET.txt"  # written by mnist_offline.py beside MNIST/raw


def mnist_raw_dir():
    """Where the scripts look for MNIST: $MNIST_ROOT (default ./data) /MNIST/raw."""
    return Path(os.environ.get("MNIST_ROOT", "data")).resolve() / "MNIST" / "raw"


def _idx_count(path):
    """The number of items an IDX file holds, read from its header."""
    with open(path, "rb") as f:
        return int.from_bytes(f.read(8)[4:8], "big")


def describe_mnist(raw_dir):
    """A one-line label for the MNIST copy in raw_dir, or None if there is none."""
    raw_dir = Path(raw_dir)
    train, test = raw_dir / "train-images-idx3-ubyte", raw_dir / "t10k-images-idx3-ubyte"
    if not (train.exists() and test.exists()):
        return None
    kind = "offline subset of MNIST" if (raw_dir.parent / OFFLINE_MARKER).exists() else "MNIST"
    return f"{kind}, {_idx_count(train):,} train / {_idx_count(test):,} test images"
