"""Time the pipeline the way an author uses it (a benchmark to report, never a test).

    python scripts/benchmark_pipeline.py [--skip-cold]

Measures, on the CPU: a cold run of every script as before the fork server (a fresh interpreter
each, one at a time), then with the fork server one and two at a time; the scripts' own compute
time (the sum of their run times in warmed-up processes); a warm run with nothing changed;
a warm strict build; and, under `mkdocs serve`, the seconds from saving a snippet to the page
reloading. Run it from the repository root in the project's environment, with nothing else
running: the cold runs take minutes each.
"""

import argparse
import json
import re
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RUNNER = [sys.executable, "-m", "docrun", "run", "--device", "cpu"]
# a small snippet to save while serving
EDITED = ROOT / "snippets" / "update_rule" / "update_rule_scratch.py"


def timed(label, cmd):
    started = time.perf_counter()
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
    seconds = time.perf_counter() - started
    if proc.returncode != 0:
        sys.exit(f"benchmark: {' '.join(cmd)} failed:\n{proc.stdout[-3000:]}{proc.stderr[-3000:]}")
    summary = [line for line in proc.stdout.splitlines() if line.startswith("executed ")]
    print(f"{label:<52} {seconds:8.1f} s   {summary[-1] if summary else ''}", flush=True)
    return seconds


def compute_seconds():
    """The scripts' own time: what their runs took inside warmed-up processes."""
    records = (ROOT / "build" / "runs").glob("[!.]*/record.json")
    return sum(json.loads(p.read_text(encoding="utf-8"))["wall_s"] for p in records)


def save_to_reload():
    """Seconds from saving a snippet to `mkdocs serve` telling the browser to reload."""
    log = open(ROOT / "build" / "serve-benchmark.log", "w+")  # noqa: SIM115  (read as it grows)
    server = subprocess.Popen(
        [sys.executable, "-m", "mkdocs", "serve", "-a", "127.0.0.1:8765"],
        cwd=ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    original = EDITED.read_text(encoding="utf-8")
    try:
        wait_for(log, "Serving on", 600)
        time.sleep(5)  # let the first build settle: a reload only follows a change
        log.seek(0)
        reloads = log.read().count("Reloading browsers")
        seconds = []
        for n in (1, 2):  # the first save also starts the warmed-up fork server
            EDITED.write_text(original + f"# saved while serving ({n})\n", encoding="utf-8")
            saved = time.perf_counter()
            reloads = wait_for(log, "Reloading browsers", 600, after=reloads)
            seconds.append(time.perf_counter() - saved)
        return seconds
    finally:
        EDITED.write_text(original, encoding="utf-8")
        server.terminate()
        server.wait()
        log.close()


def wait_for(log, text, seconds, after=0):
    """How many times text is in the log, once that is more than after."""
    deadline = time.perf_counter() + seconds
    while time.perf_counter() < deadline:
        log.seek(0)
        count = len(re.findall(re.escape(text), log.read()))
        if count > after:
            return count
        time.sleep(0.1)
    sys.exit(f"benchmark: {text!r} did not appear in {seconds} s")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--skip-cold", action="store_true", help="only the warm measurements")
    args = parser.parse_args()
    if not args.skip_cold:
        timed(
            "cold, fresh interpreter each, one at a time",
            [*RUNNER, "--force", "--fresh", "--jobs", "1"],
        )
        timed("cold, fork server, one at a time", [*RUNNER, "--force", "--jobs", "1"])
        own = compute_seconds()
        print(f"{'the scripts own compute time (sum of the above runs)':<52} {own:8.1f} s")
        cold = timed("cold, fork server, two at a time (default)", [*RUNNER, "--force"])
        print(f"{'cold (two at a time) / own compute time':<52} {cold / own:8.2f}")
    timed("warm, no change (runner alone)", RUNNER)
    timed(
        "warm, no change (nox -R -s examples)",
        ["nox", "-R", "-s", "examples", "--", "--device", "cpu"],
    )
    timed(
        "warm strict build (mkdocs build --strict)",
        [sys.executable, "-m", "mkdocs", "build", "--strict"],
    )
    first, second = save_to_reload()
    print(
        f"{'serve: save a snippet -> page reloads (1st, 2nd)':<52} {first:8.1f} s {second:6.1f} s"
    )
    largest = max((ROOT / "build" / "site").rglob("*.html"), key=lambda p: p.stat().st_size)
    kib = largest.stat().st_size / 1024
    print(f"largest built page: {largest.relative_to(ROOT)} ({kib:.0f} KiB)")


if __name__ == "__main__":
    main()
