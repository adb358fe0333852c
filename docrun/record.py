"""The run record: what one run of a script produced, where it lives, and when it is fresh.

The runner writes it (runs/STEM/record.json) and the plugin reads it; nothing else re-derives
what "fresh" means or what a caption says.
"""

import hashlib
import json
import re
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path

from docrun.translate import translate

OFFLINE_MARKER = "OFFLINE_SUBSET.txt"  # written by docrun.mnist beside MNIST/raw
# How a run describes itself in its record, in English; a page in another language shows the
# same facts through its own strings of these names (docrun's strings in mkdocs.yml).
FORMATS = {
    "cpu_device": "cpu ({model}, {threads} threads)",
    "distributed": "backend {backend}, world size {size}",
    "throughput": "{value} samples/s",
    "mnist": "MNIST, {train} train / {test} test images",
    "mnist_offline": "offline subset of MNIST, {train} train / {test} test images",
}


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
    # {"n", "light", "dark", "alt", "label", "languages": {LANG: {"light", "dark", "alt"}}}
    figures: list = field(default_factory=list)
    figure_text: dict = field(default_factory=dict)  # {LANG: {text: translation or None}}
    figure_style: dict = field(default_factory=dict)  # {LANG: its table's "style" (font, alt)}
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

    def is_fresh(self, run_dir, key, tables=None):
        """Made from exactly these inputs (key), complete, from the data there is now, and with
        its figure text translated as the figure-text tables (docrun.translate) say now."""
        if self.key != key or not self.ok:
            return False
        if self.data and self.data != "; ".join(
            sorted(filter(None, (describe_mnist(d) for d in self.data_dirs)))
        ):
            return False  # the MNIST copy it read has changed since
        tables = tables or {}
        if set(self.figure_text) != set(tables):
            return False
        for language, seen in self.figure_text.items():
            if self.figure_style.get(language) != tables[language]["style"]:
                return False  # its font or alt words have changed since
            if any(translate(text, tables[language]["text"]) != its for text, its in seen.items()):
                return False  # a translation it drew has been added or changed since
        return all((Path(run_dir) / name).exists() for name in self.figure_files())

    def figure_files(self):
        """The file names of every figure, in each theme and language."""
        return [
            variant[theme]
            for f in self.figures
            for variant in (f, *f.get("languages", {}).values())
            for theme in ("light", "dark")
        ]

    def untranslated(self, language):
        """The figure texts that have no translation into language."""
        return sorted(
            text for text, its in self.figure_text.get(language, {}).items() if its is None
        )

    def device_class(self):
        """What a reader needs of the device: CPU, or the GPU's name."""
        if self.device.startswith("cuda"):
            return "GPU " + self.device.partition("(")[2].rstrip(")")
        return "CPU"

    def caption(self, strings):
        """(short line, details) in the words of strings: script, device class and torch
        first; the rest on demand."""
        torch = f"torch {self.torch_version}" if self.torch_version else strings["no_torch"]
        short = [self.script, self.device_class(), torch]
        if self.data:
            short.append(
                "; ".join(
                    reword(d, ("mnist_offline", "mnist"), strings) for d in self.data.split("; ")
                )
            )
        detail = [reword(self.device, ("cpu_device",), strings)]
        if self.distributed:
            detail.append(reword(self.distributed, ("distributed",), strings))
        if self.throughput:
            values = self.throughput.split(", ")
            detail.append(", ".join(reword(v, ("throughput",), strings) for v in values))
        detail.append(strings["ran_in"].format(seconds=f"{self.wall_s:.1f}"))
        return short, detail


def reword(text, kinds, strings):
    """text, written in the English of the first of FORMATS[kinds] it matches, in strings'."""
    for kind in kinds:
        # greedy: a field takes all it can, so a CPU model with commas in it stays whole
        pattern = re.sub(r"\\\{(\w+)\\\}", r"(?P<\1>.+)", re.escape(FORMATS[kind]))
        match = re.fullmatch(pattern, text)
        if match:
            return strings[kind].format(**match.groupdict())
    return text


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
    kind = "mnist_offline" if (raw_dir.parent / OFFLINE_MARKER).exists() else "mnist"
    return FORMATS[kind].format(train=f"{_idx_count(train):,}", test=f"{_idx_count(test):,}")
