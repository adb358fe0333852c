"""Time the pipeline the way a reader uses it (a benchmark to report, never a test).

    python docs/_pipeline/benchmark_pipeline.py

Measures: a cold run of every script on the CPU (--force), a warm run with nothing changed (the
runner alone, and through nox), a warm `nox -s docs`, and the size of the largest built page.
Run it from the repository root, with nox on PATH and the sessions' environments already made.
"""

import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
RUNNER = [sys.executable, "docs/_pipeline/runner.py", "--device", "cpu"]


def timed(label, cmd):
    started = time.perf_counter()
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
    seconds = time.perf_counter() - started
    if proc.returncode != 0:
        sys.exit(f"benchmark: {' '.join(cmd)} failed:\n{proc.stdout[-3000:]}{proc.stderr[-3000:]}")
    summary = [line for line in proc.stdout.splitlines() if line.startswith("executed ")]
    print(f"{label:<44} {seconds:8.1f} s   {summary[-1] if summary else ''}", flush=True)
    return seconds


def main():
    timed("cold: every script, --force (runner)", [*RUNNER, "--force"])
    timed("warm, no change (runner alone)", RUNNER)
    timed(
        "warm, no change (nox -R -s examples)",
        ["nox", "-R", "-s", "examples", "--", "--device", "cpu"],
    )
    timed("nox start-up alone (nox -l)", ["nox", "-l"])
    timed("warm docs (nox -R -s docs)", ["nox", "-R", "-s", "docs", "--", "--device", "cpu"])
    pages = sorted((ROOT / "build" / "site").rglob("*.html"), key=lambda p: p.stat().st_size)
    largest = pages[-1]
    print(
        f"largest built page: {largest.relative_to(ROOT)} ({largest.stat().st_size / 1024:.0f} KiB)"
    )


if __name__ == "__main__":
    main()
