"""Claims of docs/at_scale.md on DDP and the launcher: equal buffers, equal runs, clean faults."""

import contextlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import ROOT

# The ranks are new processes that import the script by its module name, so it is imported from
# snippets/ by that name here (load_script's private name could not be imported by them).
sys.path.insert(0, str(ROOT / "snippets"))
import at_scale_ddp as ddp

SCRIPT = ROOT / "snippets" / "at_scale_ddp.py"


@pytest.fixture(scope="module")
def four_ranks():
    return ddp.launch(ddp.experiment, 4, "none", -1, timeout=600)


def test_the_run_says_backend_and_world_size(four_ranks):
    assert (four_ranks["backend"], four_ranks["world_size"]) == ("gloo", 4)


def test_ddp_momentum_buffers_are_identical_on_every_rank(four_ranks):
    assert four_ranks["buffer_spread"] == 0.0  # bit for bit: every rank gets the same average
    assert four_ranks["accumulated_buffer_spread"] == 0.0


def test_ddp_equals_one_process_on_the_global_batch_to_float32_rounding(four_ranks):
    # 50 steps in float32, weights of size ~0.5: the page prints gaps near 1e-7
    assert four_ranks["gap"] < 1e-6
    assert four_ranks["accumulated_gap"] < 1e-6
    assert four_ranks["scale"] > 0.1  # the parameters moved: the gaps are small relative to them


def processes():
    """{pid: (parent pid, state)} of every process on this machine, from /proc (Linux)."""
    table = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:  # it ended while we looked
            continue
        table[int(stat.parent.name)] = (int(fields[1]), fields[0])
    return table


def descendants(pid):
    table, found, todo = processes(), set(), [pid]
    while todo:
        parent = todo.pop()
        children = [p for p, (ppid, _) in table.items() if ppid == parent]
        found.update(children)
        todo.extend(children)
    return found


def survivors(pids, grace=5.0):
    """The pids still running (zombies count as ended) after up to `grace` seconds."""
    deadline = time.monotonic() + grace
    while True:
        table = processes()
        alive = sorted(p for p in pids if p in table and table[p][1] != "Z")
        if not alive or time.monotonic() > deadline:
            return alive
        time.sleep(0.2)


def run_tracked(argv, timeout):
    """Run the script; return (exit code, stderr, every process it started along the way)."""
    env = {**os.environ, "CUDA_VISIBLE_DEVICES": ""}
    proc = subprocess.Popen(
        [sys.executable, SCRIPT, *argv], stderr=subprocess.PIPE, text=True, env=env
    )
    started, deadline = set(), time.monotonic() + timeout
    while proc.poll() is None and time.monotonic() < deadline:
        started |= descendants(proc.pid)
        time.sleep(0.2)
    if proc.poll() is None:  # the claim failed; clean up before saying so
        for pid in started | {proc.pid}:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        pytest.fail(f"still running after {timeout} s")
    return proc.returncode, proc.stderr.read(), started


def concurrently(*argvs, timeout):
    """Start the runs at the same moment; wait for all."""
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(len(argvs)) as pool:
        return list(pool.map(lambda argv: run_tracked(argv, timeout), argvs))


@pytest.fixture(scope="module")
def faults():
    common = ["--world-size", "3", "--timeout", "240", "--collective-timeout", "5"]
    return concurrently(
        [*common, "--fault", "crash", "--fault-rank", "2"],
        [*common, "--fault", "hang", "--fault-rank", "1"],
        timeout=300,
    )


def test_a_crashing_rank_is_named_in_one_line_and_leaves_no_process(faults):
    code, stderr, started = faults[0]
    assert code == 1
    assert stderr.strip().splitlines() == [
        f"at_scale_ddp: error: rank 2 failed at at_scale_ddp.py:{line_of('injected crash on')}:"
        " RuntimeError: injected crash on rank 2"
    ]
    assert len(started) >= 3  # the ranks (and the process they were forked from) were seen
    assert survivors(started) == []


def test_a_hanging_rank_is_named_in_one_line_and_leaves_no_process(faults):
    code, stderr, started = faults[1]
    assert code == 1
    assert stderr.strip().splitlines() == [
        "at_scale_ddp: error: rank 1 hung: ranks [0, 2] waited 5 s for it in a collective"
    ]
    assert len(started) >= 3
    assert survivors(started) == []


def test_killing_the_launcher_ends_every_rank():
    env = {**os.environ, "CUDA_VISIBLE_DEVICES": ""}
    argv = ["--world-size", "2", "--fault", "hang", "--fault-rank", "1"]
    proc = subprocess.Popen([sys.executable, SCRIPT, *argv], env=env, stderr=subprocess.DEVNULL)
    started, deadline = set(), time.monotonic() + 240
    while time.monotonic() < deadline and proc.poll() is None:
        started |= descendants(proc.pid)
        ranks = [p for p in started if b"forkserver" in cmdline(p)]
        if len(ranks) >= 3:  # the server the ranks are forked from, and both ranks
            break
        time.sleep(0.2)
    time.sleep(3.0)  # the ranks are in their first collective, rank 1 asleep
    started |= descendants(proc.pid)
    forked = [p for p in started if b"forkserver" in cmdline(p)]
    proc.kill()  # SIGKILL: the launcher gets no chance to clean up
    proc.wait()
    assert len(forked) >= 3
    assert survivors(started) == []


def cmdline(pid):
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return b""


def test_two_runs_started_at_once_do_not_collide():
    runs = concurrently(["--world-size", "2"], ["--world-size", "2"], timeout=300)
    for code, stderr, started in runs:
        assert code == 0, stderr
        assert survivors(started) == []


def test_bad_world_size_is_one_line_and_a_nonzero_exit():
    proc = subprocess.run(
        [sys.executable, SCRIPT, "--world-size", "0"], capture_output=True, text=True, timeout=120
    )
    assert proc.returncode == 1
    assert proc.stderr.strip().splitlines() == [
        "at_scale_ddp.py: error: --world-size must be between 1 and 8, not 0"
    ]


def line_of(text):
    lines = SCRIPT.read_text(encoding="utf-8").splitlines()
    return next(i for i, line in enumerate(lines, 1) if text in line)


def test_the_page_shows_the_crash_line_the_script_prints():
    expected = f"rank 2 failed at at_scale_ddp.py:{line_of('injected crash on')}:"
    for page in ("at_scale.md", "at_scale.zh.md"):
        assert expected in (ROOT / "docs" / page).read_text(encoding="utf-8")
