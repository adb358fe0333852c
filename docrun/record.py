"""The run record: what one run of a script produced, where it lives, and when it is fresh.

The runner writes it (runs/STEM/record.json) and the plugin reads it; nothing else re-derives
what "fresh" means or what a caption says.
"""

import hashlib
import json
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path

OFFLINE_MARKER = "OFFLINE_SUBSET.txt"  # written by docrun.mnist beside MNIST/raw


def sha256(*chunks):
    h = hashlib.sha256()
    for chunk in chunks:
        h.update(chunk if isinstance(chunk, bytes) else chunk.encode())
    return h.hexdigest()


@dataclass
class Record:
    script: str  # path relative to the project root
    status: str  # "ok", "exit N" or "timeout after N s"
    wall_s: float
    key: str = ""  # the cache key the run was made from (see docrun.sources.cache_key)
    device_id: str = ""  # the device part of that key: "cpu" or "cuda:NAME"
    device: str = ""  # what ran it, in words: "cpu (MODEL, 1 threads)", "cuda (NAME)"
    torch_version: str | None = None
    data: str | None = None
    data_dirs: list = field(default_factory=list)
    max_rss_bytes: int = 0
    cuda_peak_bytes: int | None = None
    throughput: str | None = None
    distributed: str | None = None  # "backend gloo, world size 4" for multi-process scripts
    figures: list = field(default_factory=list)  # {"n", "light", "dark", "alt", "label"}
    log: str = ""  # the script's output and traceback, for a failed run

    @property
    def stem(self):
        return Path(self.script).stem

    @property
    def ok(self):
        return self.status == "ok"

    def save(self, run_dir):
        path = Path(run_dir) / "record.json"
        path.write_text(json.dumps(asdict(self), indent=1, ensure_ascii=False), encoding="utf-8")

    @classmethod
    def load(cls, run_dir):
        """The record in run_dir, or None when there is none (or it cannot be read)."""
        try:
            data = json.loads((Path(run_dir) / "record.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in known})

    def is_fresh(self, run_dir, key):
        """Made from exactly these inputs (key), complete, and from the data there is now."""
        if self.key != key or not self.ok:
            return False
        if self.data and self.data != "; ".join(
            sorted(filter(None, (describe_mnist(d) for d in self.data_dirs)))
        ):
            return False  # the MNIST copy it read has changed since
        names = [f[theme] for f in self.figures for theme in ("light", "dark")]
        return all((Path(run_dir) / name).exists() for name in names)

    def device_class(self):
        """What a reader needs of the device: CPU, or the GPU's name."""
        if self.device.startswith("cuda"):
            return "GPU " + self.device.partition("(")[2].rstrip(")")
        return "CPU"

    def caption(self, strings):
        """(short line, details): script, device class and torch first; the rest on demand."""
        torch = f"torch {self.torch_version}" if self.torch_version else strings["no_torch"]
        short = [self.script, self.device_class(), torch]
        if self.data:
            short.append(self.data)
        detail = [self.device]
        detail += [p for p in (self.distributed, self.throughput) if p]
        detail.append(strings["ran_in"].format(seconds=f"{self.wall_s:.1f}"))
        return short, detail


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
