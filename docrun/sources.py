"""Which scripts there are, what each one's result depends on, and its cache key."""

import ast
import functools
from pathlib import Path

from docrun.record import SCHEMA, sha256

HERE = Path(__file__).resolve().parent
# How a run is captured is part of its result too: a change to these re-runs everything.
CAPTURE = [HERE / "execute.py", HERE / "theme.py", HERE / "translate.py"]


class UserError(Exception):
    """A mistake in how the pipeline was called or configured: one line, no traceback."""


def discover(dirs, only=None):
    """The scripts to run: *.py in dirs, except modules named _like_this (helpers)."""
    scripts = sorted(
        p.resolve() for d in dirs for p in Path(d).glob("*.py") if not p.name.startswith("_")
    )
    stems = [p.stem for p in scripts]
    clash = {s for s in stems if stems.count(s) > 1}
    if clash:
        raise UserError(f"two scripts share the name {sorted(clash)[0]!r}; outputs are named by it")
    if only:
        unknown = set(only) - set(stems)
        if unknown:
            raise UserError(f"--only: no script named {sorted(unknown)[0]!r}")
        scripts = [p for p in scripts if p.stem in only]
    return scripts


def imported_names(path):
    """Top-level names of the modules a file imports (absolute imports only)."""
    try:
        tree = ast.parse(path.read_text(encoding="utf-8"))
    except SyntaxError:
        return  # the script's own run reports it, with its line
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (a.name.split(".")[0] for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            yield node.module.split(".")[0]


def local_modules(script):
    """Modules beside the script that it imports, directly or through each other."""
    found, todo = set(), [script]
    while todo:
        for name in imported_names(todo.pop()):
            path = script.parent / f"{name}.py"
            if path.exists() and path not in found:
                found.add(path)
                todo.append(path)
    return sorted(found)


def lock_hash(lock_file):
    lock_file = Path(lock_file)
    if not lock_file.exists():
        return ""
    stat = lock_file.stat()
    return _hash_file(lock_file, stat.st_mtime_ns, stat.st_size)


@functools.lru_cache
def _hash_file(path, mtime_ns, size):  # read once per version of the file, not per directive
    return sha256(path.read_bytes())


def cache_key(script, lock_file, device_id):
    """Everything a run's result depends on: the script, its local modules, the locked
    dependencies, the device, the capture code and the record's layout. The one definition:
    the runner, the build and the tests all ask it."""
    parts = [script.read_bytes()] + [m.read_bytes() for m in local_modules(script)]
    capture = (p.read_bytes() for p in CAPTURE)
    return sha256(*parts, *capture, lock_hash(lock_file), device_id, SCHEMA)
