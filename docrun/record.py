"""The run record: what one run of a script produced, and when it is fresh.

The script's run writes it (docrun.execute), the runner completes it (status, time, cache key),
and the plugin and the tests read it; nothing else re-derives what "fresh" means. It holds facts
as data (the device, the data read, the script's named results); a page puts them into words, in
its own language, when it is built (docrun.render).

A script's named results are the JSON object it wrote to the file named by $DOCRUN_RESULTS.
Three names are also provenance, shown in the caption under the output: `backend` and
`world_size` (a multi-process run) and `samples_per_s` (a number, or a list of them).
"""

import hashlib
import json
import re
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path

from docrun.translate import translate

OFFLINE_MARKER = "OFFLINE_SUBSET.txt"  # written by docrun.mnist beside MNIST/raw
RESULT_NAME = re.compile(r"[\w-]+", re.ASCII)  # what a page can quote: [[value: STEM.NAME.KEY]]
# Results that are provenance too, and what each must be.
PROVENANCE = {
    "backend": (str,),
    "world_size": (int,),
    "samples_per_s": (int, float, list),
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
    key: str = ""  # the cache key the run was made from (docrun.runs.Runs.key)
    device_id: str = ""  # the device part of that key: "cpu" or "cuda:NAME"
    # {"kind": "cpu", "model": "AMD EPYC", "threads": 1} or {"kind": "cuda", "name": "H100"}
    device: dict = field(default_factory=dict)
    torch_version: str | None = None
    data: list = field(default_factory=list)  # the MNIST copies read: describe_mnist(dir) each
    max_rss_bytes: int = 0
    cuda_peak_bytes: int | None = None
    results: dict = field(default_factory=dict)  # the script's named results
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
        run_dir.record.write_text(
            json.dumps(asdict(self), indent=1, ensure_ascii=False), encoding="utf-8"
        )

    @classmethod
    def load(cls, run_dir):
        """The record in run_dir, or None when there is none, or it has another layout."""
        try:
            data = json.loads(run_dir.record.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        if not isinstance(data, dict) or set(data) != {f.name for f in fields(cls)}:
            return None  # written by another version of this module: run again
        return cls(**data)

    def is_fresh(self, run_dir, key, tables):
        """Made from exactly these inputs (key), complete, from the data there is now, and with
        its figure text translated as the figure-text tables (docrun.translate) say now."""
        if self.key != key or not self.ok:
            return False
        if self.data != [describe_mnist(d["dir"]) for d in self.data]:
            return False  # the MNIST copy it read has changed since
        if set(self.figure_text) != set(tables):
            return False
        for language, seen in self.figure_text.items():
            if self.figure_style.get(language) != tables[language]["style"]:
                return False  # its font or alt words have changed since
            if any(translate(text, tables[language]["text"]) != its for text, its in seen.items()):
                return False  # a translation it drew has been added or changed since
        return all((run_dir / name).exists() for name in self.figure_files())

    def figure_files(self):
        """The file names of every figure, in each theme and language, and laid out for a phone."""
        return [
            drawn[theme]
            for f in self.figures
            for variant in (f, *f.get("languages", {}).values())
            for drawn in filter(None, (variant, variant.get("narrow")))
            for theme in ("light", "dark")
        ]

    def untranslated(self, language):
        """The figure texts that have no translation into language."""
        return sorted(
            text for text, its in self.figure_text.get(language, {}).items() if its is None
        )


# A change to the record's fields changes every cache key: old records are never misread.
SCHEMA = sha256(repr([(f.name, str(f.type)) for f in fields(Record)]))


def _idx_count(path):
    """The number of items an IDX file holds, read from its header."""
    with open(path, "rb") as f:
        return int.from_bytes(f.read(8)[4:8], "big")


def describe_mnist(raw_dir):
    """{"dir", "offline", "train", "test"} for the MNIST copy in raw_dir, or None if there is
    none: whether it is the offline subset, and how many images each split has."""
    raw_dir = Path(raw_dir)
    train, test = raw_dir / "train-images-idx3-ubyte", raw_dir / "t10k-images-idx3-ubyte"
    if not (train.exists() and test.exists()):
        return None
    return {
        "dir": str(raw_dir),
        "offline": (raw_dir.parent / OFFLINE_MARKER).exists(),
        "train": _idx_count(train),
        "test": _idx_count(test),
    }
