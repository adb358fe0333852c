"""Run every snippet and example that changed; capture output and figures; keep a record each.

    python -m docrun run [--device auto|cpu|cuda] [--force] [--only STEM ...] [--fresh] [--jobs N]

Settings come from the docrun entry in mkdocs.yml (docrun.config). Each script runs in a process of
its own (docrun.pool), by default two at a time; its output, figures (light and dark SVG),
executed notebook and record land in RUNS/STEM/, swapped in only when it succeeded. A script
re-runs only when its cache key changed (docrun.sources.cache_key) or the MNIST copy it read did;
--force re-runs all. The runs of deleted scripts are removed. CPU runs hide the GPUs
(CUDA_VISIBLE_DEVICES=), so the scripts need no plumbing to choose.
"""

import argparse
import dataclasses
import fnmatch
import json
import os
import shutil
import signal
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from docrun import config
from docrun.config import DEVICES
from docrun.pool import Job, Pool
from docrun.record import Record
from docrun.rundir import RunDir
from docrun.runs import Runs
from docrun.sources import UserError
from docrun.translate import TableError


def resolve_device(choice):
    """(device identity for the cache key, environment for the scripts)."""
    if choice not in DEVICES:
        raise UserError(f"unknown device {choice!r}: choose one of {', '.join(DEVICES)}")
    if choice == "cpu":
        return "cpu", {"CUDA_VISIBLE_DEVICES": ""}
    # NVML answers without creating a CUDA context in this process
    os.environ.setdefault("PYTORCH_NVML_BASED_CUDA_CHECK", "1")
    import torch  # only here: a CPU run starts faster without it

    if torch.cuda.is_available():
        return f"cuda:{torch.cuda.get_device_name(0)}", {}
    if choice == "cuda":
        raise UserError("--device cuda: CUDA is not available on this machine (try --device cpu)")
    return "cpu", {"CUDA_VISIBLE_DEVICES": ""}


class Runner:
    """Knows the scripts, their runs and a pool to run them in; `mkdocs serve` keeps one alive."""

    def __init__(self, settings, root, device=None, fresh=None, jobs=None):
        if os.name != "posix":
            raise UserError("scripts run in process groups of their own: Linux and macOS only")
        self.root = Path(root)
        self.timeout = settings.timeout
        self.alone = settings.run_alone
        self.jobs = settings.jobs if jobs is None else jobs
        if self.timeout <= 0:
            raise UserError(f"timeout must be positive, not {self.timeout:g}")
        if self.jobs < 1:
            raise UserError(f"jobs must be at least 1, not {self.jobs}")
        try:
            self.runs = Runs(settings, self.root)
        except TableError as err:
            raise UserError(str(err)) from None
        self.device_id, device_env = resolve_device(device or settings.device)
        env = {**os.environ, **device_env, "MPLBACKEND": "Agg", "PYTHONHASHSEED": "0"}
        fresh = settings.fresh_processes if fresh is None else fresh
        self.pool = Pool(env, self.root, fresh=fresh)

    def script_name(self, script):
        try:
            return str(Path(script).resolve().relative_to(self.root))
        except ValueError:
            return str(script)

    def plan(self, only=None, force=False):
        """[(script, key, cached record or None)] for every script (or those named in only)."""
        self.runs.folder.mkdir(parents=True, exist_ok=True)
        self.remove_orphans()
        plan = []
        for script in self.runs.scripts(only):
            key = self.runs.key(script, self.device_id)
            record = self.runs.load(script.stem)
            fresh = record and not force and self.runs.is_fresh(record, self.device_id)
            plan.append((script, key, record if fresh else None))
        return plan

    def remove_orphans(self):
        """Drop the runs of scripts that no longer exist, so that no page is built from them,
        and scratch folders that a killed runner left (older than any run may take)."""
        stems = {script.stem for script in self.runs.scripts()}
        for path in self.runs.folder.iterdir():
            if path.name.startswith("."):
                if time.time() - path.stat().st_mtime > self.timeout:
                    shutil.rmtree(path, ignore_errors=True)
                continue
            record = self.runs.load(path.name)
            if record is None:  # unreadable, or another version's layout: gone if its script is
                if path.name not in stems:
                    shutil.rmtree(path)
            elif not (self.root / record.script).exists():
                shutil.rmtree(path)

    def run(self, todo, say=print):
        """Run [(script, key)], jobs at a time (a run_alone script by itself); the records.
        The run_alone scripts go first, while nothing else runs; then the ones that took longest
        last time, so that the last to finish are short."""
        waiting, running, done = sorted(todo, key=self._order), [], []
        try:
            while waiting or running:
                while waiting and self._may_start(waiting[0][0], running):
                    script, key = waiting.pop(0)
                    say(f"running {self.script_name(script)} ...")
                    running.append(self._start(script, key))
                time.sleep(0.02)
                for item in [r for r in running if self._finished(r)]:
                    running.remove(item)
                    done.append(self._collect(item))
        except BaseException:  # Ctrl-C: stop the scripts too, and leave nothing behind
            for item in running:
                item.job.kill()
                shutil.rmtree(item.tmp.path, ignore_errors=True)
            raise
        return done

    def _order(self, item):
        last = self.runs.load(item[0].stem)
        return (not self._is_alone(item[0]), -(last.wall_s if last else 0.0))

    def _may_start(self, script, running):
        if not running:
            return True
        alone = any(self._is_alone(r.script) for r in running) or self._is_alone(script)
        return not alone and len(running) < self.jobs

    def _is_alone(self, script):
        return any(fnmatch.fnmatch(script.stem, pattern) for pattern in self.alone)

    def _start(self, script, key):
        tmp = RunDir.scratch(self.runs.folder, script.stem)
        # the figure-text tables: read, then removed, by the script's run
        tmp.tables.write_text(json.dumps(self.runs.tables), encoding="utf-8")
        job = self.pool.start(script, tmp.path, tmp.log)
        return Running(job, script, key, tmp, time.perf_counter())

    def _finished(self, item):
        code = item.job.exit_code()
        if code is not None:
            item.job.end_group()  # what the script started and left running goes with it
            item.status = "ok" if code == 0 else f"exit {code}"
            if code == 0 and not item.tmp.record.exists():
                item.status = "exit 0 before its outputs were written"
            return True
        if time.perf_counter() - item.started > self.timeout:
            item.job.kill()
            item.status = f"timeout after {self.timeout:g} s"
            return True
        return False

    def _collect(self, item):
        """The record of a finished script; on success its outputs replace the old run."""
        wall = round(time.perf_counter() - item.started, 3)
        ran = {"script": self.script_name(item.script), "status": item.status, "wall_s": wall}
        if item.status != "ok":
            log = item.tmp.log.read_text(encoding="utf-8", errors="replace")
            shutil.rmtree(item.tmp.path, ignore_errors=True)  # nothing half-written survives
            return Record(**ran, log=log)
        record = Record.load(item.tmp)
        record = dataclasses.replace(record, **ran, key=item.key, device_id=self.device_id)
        record.save(item.tmp)
        final, old = self.runs.dir(item.script.stem).path, Path(f"{item.tmp.path}.old")
        if final.exists():
            os.replace(final, old)
        os.replace(item.tmp.path, final)
        shutil.rmtree(old, ignore_errors=True)
        return record


@dataclass
class Running:
    job: Job
    script: Path
    key: str
    tmp: RunDir
    started: float
    status: str | None = None  # set when it ends


def print_table(rows, total):
    print(f"\n{'script':<44} {'status':<22} {'device':<28} {'wall s':>8} {'peak MB':>8}")
    for r in rows:
        peak = f"{r.max_rss_bytes / 2**20:8.0f}" if r.max_rss_bytes else f"{'-':>8}"
        wall = f"{r.wall_s:8.1f}" if r.status != "cached" else f"{'-':>8}"
        print(f"{r.script:<44} {r.status:<22} {r.device_id or '-':<28.28} {wall} {peak}")
    ran = sum(r.status == "ok" for r in rows)
    failed = sum(r.status not in ("ok", "cached") for r in rows)
    cached = len(rows) - ran - failed
    print(f"executed {ran}, cached {cached}, failed {failed}; {total:.1f} s in all")


class Parser(argparse.ArgumentParser):
    def error(self, message):  # one line and exit 2 (in main), not argparse's usage dump
        raise UserError(message)


def parse_args(argv):
    parser = Parser(prog="python -m docrun run", description="Run the site's scripts.")
    parser.add_argument("dirs", nargs="*", type=Path, help="script folders (default: settings)")
    parser.add_argument("--config-file", help="where the settings are (default: mkdocs.yml)")
    parser.add_argument("--device", help="auto, cpu or cuda (default: settings)")
    parser.add_argument("--force", action="store_true", help="re-run every script")
    parser.add_argument("--only", nargs="+", metavar="STEM", help="run just these scripts")
    parser.add_argument("--fresh", action="store_true", help="a new interpreter per script")
    parser.add_argument("--jobs", type=int, help="scripts side by side (default: settings)")
    parser.add_argument("--timeout", type=float, help="seconds per script (default: settings)")
    parser.add_argument("--out", type=Path, help="where runs go (default: settings)")
    parser.add_argument("--lock", type=Path, help="the lock file (default: settings)")
    return parser.parse_args(argv)


def make_runner(args):
    settings, root = config.load(args.config_file)
    if args.dirs:
        settings.scripts = [str(d.resolve()) for d in args.dirs]
    for option, name in (("out", "runs_dir"), ("lock", "lock_file"), ("timeout", "timeout")):
        value = getattr(args, option)
        if value is not None:
            settings[name] = str(Path(value).resolve()) if isinstance(value, Path) else value
    return Runner(settings, root, device=args.device, fresh=args.fresh or None, jobs=args.jobs)


def main(argv=None):
    # a termination request ends the scripts too, and leaves nothing half-written (Runner.run)
    previous = signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    try:
        return run_from_command_line(argv)
    finally:
        signal.signal(signal.SIGTERM, previous)


def run_from_command_line(argv):
    started = time.perf_counter()
    try:
        args = parse_args(argv)
        runner = make_runner(args)
        plan = runner.plan(args.only, args.force)
    except UserError as err:
        print(f"runner: error: {err}", file=sys.stderr)
        return 2
    cached = [Record(**{**vars(r), "status": "cached"}) for _, _, r in plan if r]
    records = runner.run([(s, k) for s, k, r in plan if not r], say=lambda m: print(m, flush=True))
    for record in records:
        if not record.ok:
            print(f"FAILED {record.script} ({record.status}):\n{record.log.rstrip()}\n")
    rows = sorted(cached + records, key=lambda r: r.script)
    print_table(rows, time.perf_counter() - started)
    for record in rows:
        for language in record.figure_text:
            missing = record.untranslated(language)
            if missing:
                print(
                    f"{record.script}: {len(missing)} figure text(s) with no {language} "
                    f"translation, the build will stop: {', '.join(map(repr, missing))}"
                )
    failed = [r.script for r in rows if r.status not in ("ok", "cached")]
    if failed:
        print(f"runner: {len(failed)} script(s) failed: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0
