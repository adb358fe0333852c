"""Run every snippet and example in its own process; capture output and figures; cache by content.

    python docs/_pipeline/runner.py [--device auto|cpu|cuda] [--force] [--only STEM ...]

Each script runs in a fresh process (execute.py) with a non-interactive matplotlib backend.
Its printed output, figures (light and dark SVG), executed notebook and a record (source hash,
device, torch version, data, wall time, peak memory, exit status) land in build/runs/<stem>/,
swapped in only when the script succeeded. A script re-runs only when its text, a local module
it imports, the lock file, the device, the MNIST copy it read, or the capture code changes;
--force re-runs all. The runs of deleted scripts are removed.
The device comes from --device, else $MOMENTUM_DEVICE, else auto (CUDA when available). CPU runs
hide the GPUs with CUDA_VISIBLE_DEVICES= so the scripts need no runner plumbing.
"""

import argparse
import ast
import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from provenance import describe_mnist, mnist_raw_dir

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
EXECUTE = HERE / "execute.py"
DEVICES = ("auto", "cpu", "cuda")


class UserError(Exception):
    """A mistake in how the runner was called: one line, exit 2."""


def discover(dirs, only):
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


def local_modules(script):
    """Modules beside the script that it imports, directly or through each other."""
    found, todo = set(), [script]
    while todo:
        tree = ast.parse(todo.pop().read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            else:
                continue
            for name in names:
                path = script.parent / (name.split(".")[0] + ".py")
                if path.exists() and path not in found:
                    found.add(path)
                    todo.append(path)
    return sorted(found)


def sha256(*chunks):
    h = hashlib.sha256()
    for chunk in chunks:
        h.update(chunk if isinstance(chunk, bytes) else chunk.encode())
    return h.hexdigest()


# How a run is captured is part of its result too: a change to these files re-runs everything.
CAPTURE = [HERE / "execute.py", HERE / "figure_theme.py", HERE / "provenance.py"]


def cache_key(script, lock_hash, device):
    parts = [script.read_bytes()] + [m.read_bytes() for m in local_modules(script)]
    return sha256(*parts, *(p.read_bytes() for p in CAPTURE), lock_hash, device)


def resolve_device(choice):
    """(device identity for the cache, environment for the scripts)."""
    if choice not in DEVICES:
        raise UserError(f"unknown device {choice!r}: choose one of {', '.join(DEVICES)}")
    if choice == "cpu":
        return "cpu", {"CUDA_VISIBLE_DEVICES": ""}
    import torch  # only here: a CPU run starts faster without it

    if torch.cuda.is_available():
        return f"cuda:{torch.cuda.get_device_name(0)}", {}
    if choice == "cuda":
        raise UserError("--device cuda: CUDA is not available on this machine (try --device cpu)")
    return "cpu", {"CUDA_VISIBLE_DEVICES": ""}


def is_fresh(record_dir, key):
    """True when the stored run was made from the same inputs and is complete."""
    try:
        record = json.loads((record_dir / "record.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    if record.get("key") != key or record.get("status") != "ok":
        return False
    if record.get("data") and record["data"] != describe_mnist(mnist_raw_dir()):
        return False  # it read MNIST, and the copy the scripts would read now differs
    files = [f[t] for f in record.get("figures", []) for t in ("light", "dark")]
    return all((record_dir / f).exists() for f in files)


def run_one(script, out_root, key, env, timeout):
    """Run script in a fresh process; on success swap its outputs into out_root/<stem>."""
    # a private scratch folder per run, so that runners started side by side never collide
    tmp = Path(tempfile.mkdtemp(prefix=f".{script.stem}-", dir=out_root))
    log_path = tmp / "log.txt"
    started = time.perf_counter()
    with open(log_path, "w") as log:
        proc = subprocess.Popen(
            [sys.executable, str(EXECUTE), str(script), str(tmp)],
            stdout=log,
            stderr=subprocess.STDOUT,
            cwd=ROOT,
            env=env,
            start_new_session=True,
        )
        try:
            status = "ok" if proc.wait(timeout=timeout) == 0 else f"exit {proc.returncode}"
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)  # the script and anything it started
            proc.wait()
            status = f"timeout after {timeout:g} s"
        except BaseException:  # Ctrl-C: stop the script too, and leave nothing behind
            os.killpg(proc.pid, signal.SIGKILL)
            shutil.rmtree(tmp, ignore_errors=True)
            raise
    wall = time.perf_counter() - started
    record = {"script": script_name(script), "status": status, "wall_s": round(wall, 3)}
    if status != "ok":
        record["log"] = log_path.read_text(encoding="utf-8", errors="replace")
        shutil.rmtree(tmp, ignore_errors=True)  # nothing half-written survives a failure
        return record
    meta = json.loads((tmp / "meta.json").read_text(encoding="utf-8"))
    record.update(meta, key=key, source_hash=sha256(script.read_bytes()))
    (tmp / "record.json").write_text(json.dumps(record, indent=1), encoding="utf-8")
    (tmp / "meta.json").unlink()
    final, old = out_root / script.stem, Path(f"{tmp}.old")
    if final.exists():
        os.replace(final, old)
    os.replace(tmp, final)
    shutil.rmtree(old, ignore_errors=True)
    return record


def remove_orphans(out_root):
    """Drop the runs of scripts that no longer exist, so that no page is built from them."""
    for record_path in out_root.glob("*/record.json"):
        script = ROOT / json.loads(record_path.read_text(encoding="utf-8"))["script"]
        if not script.exists():
            shutil.rmtree(record_path.parent)


def script_name(script):
    try:
        return str(script.resolve().relative_to(ROOT))
    except ValueError:
        return str(script)


def print_table(rows, total):
    print(f"\n{'script':<44} {'status':<22} {'device':<28} {'wall s':>8} {'peak MB':>8}")
    for r in rows:
        peak = f"{r['max_rss_bytes'] / 2**20:8.0f}" if "max_rss_bytes" in r else f"{'-':>8}"
        wall = f"{r['wall_s']:8.1f}" if r["status"] != "cached" else f"{'-':>8}"
        print(f"{r['script']:<44} {r['status']:<22} {r.get('device', '-'):<28} {wall} {peak}")
    ran = sum(r["status"] == "ok" for r in rows)
    failed = sum(r["status"] not in ("ok", "cached") for r in rows)
    cached = len(rows) - ran - failed
    print(f"executed {ran}, cached {cached}, failed {failed}; {total:.1f} s in all")


class Parser(argparse.ArgumentParser):
    def error(self, message):  # one line and exit 2 (in main), not argparse's usage dump
        raise UserError(message)


def parse_args(argv):
    parser = Parser(description="Run the site's snippets and examples.")
    parser.add_argument("dirs", nargs="*", default=["snippets", "examples"], type=Path)
    parser.add_argument("--device", default=os.environ.get("MOMENTUM_DEVICE", "auto"))
    parser.add_argument("--force", action="store_true", help="re-run every script")
    parser.add_argument("--only", nargs="+", metavar="STEM", help="run just these scripts")
    parser.add_argument(
        "--out", type=Path, default=os.environ.get("MOMENTUM_RUNS", ROOT / "build" / "runs")
    )
    parser.add_argument("--lock", type=Path, default=ROOT / "uv.lock")
    parser.add_argument("--timeout", type=float, default=900, help="seconds per script")
    return parser.parse_args(argv)


def main(argv=None):
    started = time.perf_counter()
    try:
        args = parse_args(argv)
        if args.timeout <= 0:
            raise UserError(f"--timeout must be positive, not {args.timeout:g}")
        scripts = discover(args.dirs, args.only)
        device, device_env = resolve_device(args.device)
    except UserError as err:
        print(f"runner: error: {err}", file=sys.stderr)
        return 2
    lock_hash = sha256(args.lock.read_bytes()) if args.lock.exists() else ""
    env = {**os.environ, **device_env, "MPLBACKEND": "Agg", "PYTHONHASHSEED": "0"}
    args.out.mkdir(parents=True, exist_ok=True)
    remove_orphans(args.out)
    rows = []
    for script in scripts:
        key = cache_key(script, lock_hash, device)
        if not args.force and is_fresh(args.out / script.stem, key):
            record = json.loads((args.out / script.stem / "record.json").read_text())
            rows.append({**record, "status": "cached"})
            continue
        print(f"running {script_name(script)} ...", flush=True)
        record = run_one(script, args.out, key, env, args.timeout)
        rows.append(record)
        if record["status"] != "ok":
            print(f"FAILED {record['script']} ({record['status']}):\n{record['log'].rstrip()}\n")
    print_table(rows, time.perf_counter() - started)
    failed = [r["script"] for r in rows if r["status"] not in ("ok", "cached")]
    if failed:
        print(f"runner: {len(failed)} script(s) failed: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
