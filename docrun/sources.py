"""Which scripts there are, what each one's result depends on, and its cache key."""

import ast
import json
import sys
import tomllib
from pathlib import Path

from docrun.record import SCHEMA, sha256

HERE = Path(__file__).resolve().parent
# How a run is captured is part of its result too: a change to these re-runs everything.
CAPTURE = [HERE / "execute.py", HERE / "narrow.py", HERE / "theme.py", HERE / "translate.py"]


class UserError(Exception):
    """A mistake in how the pipeline was called or configured: one line, no traceback."""


def discover(dirs, only=None):
    """The scripts to run: *.py in dirs and their folders (one per page), except modules named
    _like_this (helpers)."""
    scripts = sorted(
        p.resolve() for d in dirs for p in Path(d).rglob("*.py") if not p.name.startswith("_")
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


def lock_hash(lock_file, groups=()):
    """The hash of what the lock file pins for the scripts: with groups, only the packages those
    dependency groups of the project resolve to (uv.lock), so that a test or lint tool's new
    version re-runs nothing; without, the whole file."""
    lock_file = Path(lock_file)
    if not lock_file.exists():
        return ""
    data = lock_file.read_bytes()
    digest = sha256(data)
    if not groups:
        return digest
    if (digest, tuple(groups)) not in _CLOSURES:  # parsed once per content, not per directive
        _CLOSURES[digest, tuple(groups)] = _closure_hash(lock_file, data, groups)
    return _CLOSURES[digest, tuple(groups)]


_CLOSURES = {}  # (the lock file's digest, groups) -> the hash of what they resolve to


def _closure_hash(path, data, groups):
    try:
        packages = tomllib.loads(data.decode("utf-8"))["package"]
    except (tomllib.TOMLDecodeError, UnicodeDecodeError, KeyError) as err:
        raise UserError(f"{path}: not a uv lock file ({err})") from None
    by_name = {}
    for package in packages:
        by_name.setdefault(package["name"], []).append(package)
    projects = [p for p in packages if p.get("source", {}).get("editable") == "."]
    if len(projects) != 1:
        raise UserError(f"{path}: no project of its own (editable '.') to find the groups of")
    project = projects[0]
    missing = set(groups) - set(project.get("dev-dependencies", {}))
    if missing:
        raise UserError(f"{path}: no dependency group {sorted(missing)[0]!r}")
    todo = [d for g in groups for d in project["dev-dependencies"][g]]
    todo += project.get("dependencies", [])
    seen = {}
    while todo:
        dep = todo.pop()
        for package in by_name.get(dep["name"], []):  # every version the markers may pick
            key = (package["name"], package["version"])
            if key not in seen:
                seen[key] = package
                todo += package.get("dependencies", [])
            for extra in dep.get("extra", []):
                todo += package.get("optional-dependencies", {}).get(extra, [])
    return sha256(json.dumps(sorted(seen.items(), key=lambda kv: kv[0]), sort_keys=True))


def cache_key(script, lock_file, device_id, lock_groups=()):
    """Everything a run's result depends on: the script, its local modules, the locked
    dependencies (of lock_groups, or all), the device, Python's version (the lock pins some
    packages per version), the capture code and the record's layout. The one definition: the
    runner, the build and the tests all ask it."""
    parts = [script.read_bytes()] + [m.read_bytes() for m in local_modules(script)]
    capture = (p.read_bytes() for p in CAPTURE)
    python = "python {}.{}".format(*sys.version_info[:2])
    lock = lock_hash(lock_file, lock_groups)
    return sha256(*parts, *capture, lock, device_id, python, SCHEMA)
