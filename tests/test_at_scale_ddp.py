"""Claims of docs/at_scale/ on DDP and the launcher: equal buffers, equal runs, clean faults.

The DDP numbers come from the recorded run; the launcher's behaviour under faults is tested by
running snippets/at_scale/at_scale_faults.py: a crashing and a hanging run started at the same
moment, and a killed launcher.
"""

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from conftest import ROOT, load_script, printed, recorded, snippet

FAULTS = snippet("at_scale_faults")
ddp = load_script("snippets/at_scale/at_scale_ddp.py")
faults_script = load_script("snippets/at_scale/at_scale_faults.py")


@pytest.fixture(scope="module")
def four_ranks():
    return recorded("at_scale_ddp").results


def test_the_run_says_backend_and_world_size(four_ranks):
    assert (four_ranks["backend"], four_ranks["world_size"]) == ("gloo", 4)


def test_ddp_momentum_buffers_are_identical_on_every_rank(four_ranks):
    assert four_ranks["buffer_spread"] == 0.0  # bit for bit: every rank gets the same average
    assert four_ranks["accumulated_buffer_spread"] == 0.0


def test_ddp_equals_one_process_on_the_global_batch_to_float32_rounding(four_ranks):
    # The all-reduce sums the ranks' gradients in another order than one process does: at most
    # about one float32 rounding of the parameters (2**-24 * their size) per step, carried on by
    # the buffer 1 / (1 - momentum) times, over the steps: a worst case, linear in the steps.
    rounding = ddp.STEPS / (1 - ddp.MOMENTUM) * 2.0**-24 * four_ranks["scale"]
    assert four_ranks["gap"] < rounding
    assert four_ranks["accumulated_gap"] < rounding
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
        time.sleep(0.1)


def script_env():
    """This environment as a reader's shell has it: no GPU, and no $DOCRUN_RESULTS (which an
    in-process test of the runner may have left), which would make the script run the build's
    runs instead of the faults asked for."""
    env = {k: v for k, v in os.environ.items() if k != "DOCRUN_RESULTS"}
    # gloo's ranks talk over the loopback interface, under torchrun too
    loopback = next(name for _, name in socket.if_nameindex() if name.startswith("lo"))
    return env | {"CUDA_VISIBLE_DEVICES": "", "GLOO_SOCKET_IFNAME": loopback}


def run_tracked(argv, timeout):
    """Run python with argv; return (exit code, stderr, every process it started on the way,
    stdout)."""
    env, pipe = script_env(), subprocess.PIPE
    proc = subprocess.Popen([sys.executable, *argv], stdout=pipe, stderr=pipe, text=True, env=env)
    started, deadline = set(), time.monotonic() + timeout
    while proc.poll() is None and time.monotonic() < deadline:
        started |= descendants(proc.pid)
        time.sleep(0.1)
    if proc.poll() is None:  # the claim failed; clean up before saying so
        for pid in started | {proc.pid}:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        pytest.fail(f"still running after {timeout} s")
    return proc.returncode, proc.stderr.read(), started, proc.stdout.read()


def concurrently(*argvs, timeout):
    """Start the runs at the same moment; wait for all."""
    with ThreadPoolExecutor(len(argvs)) as pool:
        return list(pool.map(lambda argv: run_tracked(argv, timeout), argvs))


@pytest.fixture(scope="module")
def faults():
    """A crashing and a hanging run, started at the same moment."""
    common = [FAULTS, "--world-size", "3", "--collective-timeout", "5"]
    return concurrently(
        [*common, "--fault", "crash", "--fault-rank", "2"],
        [*common, "--fault", "hang", "--fault-rank", "1"],
        timeout=120,
    )


def recorded_line(fault):
    """The line the build's run of the same fault ended with, which the page quotes."""
    return "at_scale_faults: error: " + recorded("at_scale_faults").results[fault]


def test_a_crashing_rank_is_named_with_its_line_and_leaves_no_process(faults):
    code, stderr, started, _ = faults[0]
    assert code == 1
    assert stderr.strip().splitlines() == [recorded_line("crash")]
    assert recorded_line("crash") == (
        f"at_scale_faults: error: rank 2 failed at at_scale_faults.py:{line_of('injected crash')}:"
        " RuntimeError: injected crash on rank 2"
    )
    assert len(started) >= 3  # the ranks were seen
    assert survivors(started) == []


def test_a_hanging_rank_is_named_and_leaves_no_process(faults):
    code, stderr, started, _ = faults[1]
    assert code == 1
    assert stderr.strip().splitlines() == [recorded_line("hang")]
    assert recorded_line("hang") == "at_scale_faults: error: rank 1 hung: rank 0 waited 5 s for it"
    assert len(started) >= 3
    assert survivors(started) == []


def line_of(text):
    lines = FAULTS.read_text(encoding="utf-8").splitlines()
    return next(i for i, line in enumerate(lines, 1) if text in line)


def test_an_error_file_a_rank_was_stopped_while_writing_leaves_the_launchers_words(tmp_path):
    """Two runs at once once failed here: a peer's error.json was still empty when it was read."""
    from types import SimpleNamespace

    (tmp_path / "run" / "attempt_0" / "1").mkdir(parents=True)
    (tmp_path / "run" / "attempt_0" / "1" / "error.json").write_text("")
    err = SimpleNamespace(failures={1: SimpleNamespace(message="Signal 15 (SIGTERM) received")})
    assert faults_script.errors(err, tmp_path) == {1: ("Signal 15 (SIGTERM) received", "")}


def test_the_page_quotes_the_fault_lines_of_the_run():
    for page in ("at_scale/launch.md", "at_scale/launch.zh.md"):
        text = (ROOT / "docs" / page).read_text(encoding="utf-8")
        for fault in ("crash", "hang"):
            assert f"at_scale_faults: error: [[value: at_scale_faults.{fault}]]" in text


def sleeping(pid):
    """Whether the process's main thread is in a timed sleep (time.sleep), from /proc."""
    try:
        return Path(f"/proc/{pid}/wchan").read_text() == "hrtimer_nanosleep"
    except OSError:
        return False


def cmdline(pid):
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return b""


def test_killing_the_launcher_ends_every_rank_at_once():
    env = script_env()
    argv = ["--world-size", "2", "--fault", "hang", "--fault-rank", "1"]
    argv += ["--collective-timeout", "60"]  # far away: no rank gives up on its own
    proc = subprocess.Popen([sys.executable, FAULTS, *argv], env=env, stderr=subprocess.DEVNULL)
    started, ranks, hanging, deadline = set(), [], False, time.monotonic() + 120
    while time.monotonic() < deadline and proc.poll() is None:
        started |= descendants(proc.pid)
        # the server the ranks fork from and both ranks, rank 1 asleep in its hang (rank 0
        # waits for it in a collective)
        ranks = [p for p in started if b"forkserver" in cmdline(p)]
        hanging = any(sleeping(p) for p in ranks)
        if len(ranks) >= 3 and hanging:
            break
        time.sleep(0.1)
    assert proc.poll() is None and hanging  # a live launcher, its ranks in the hang
    proc.kill()  # SIGKILL: the launcher gets no chance to clean up
    proc.wait()
    killed = time.monotonic()
    # Rank 0 waits in a collective, where no signal reaches Python; each rank's thread sees the
    # launcher end and ends the rank. Waiting for the 60 s timeout, it would still be running.
    assert survivors(started, grace=10.0) == []
    assert time.monotonic() - killed < 10.0


def test_two_runs_started_at_once_do_not_collide(faults):
    # The crashing and the hanging run were started at the same moment. Each got through its own
    # rendezvous and its ranks' first collectives (the faults come at step 3, after three
    # barriers and all-reduces), and each names its own ranks: had they shared a port, a store
    # would have failed to start or the ranks would have met the wrong run.
    (crash_code, crash, crash_started, _), (hang_code, hang, hang_started, _) = faults
    assert crash_code == hang_code == 1
    assert "rank 2 failed at" in crash and "injected crash on rank 2" in crash
    assert hang.strip() == recorded_line("hang")
    assert survivors(crash_started | hang_started) == []


def test_a_run_without_a_fault_finishes_on_every_rank():
    code, stderr, started, stdout = run_tracked(
        [FAULTS, "--fault", "none", "--world-size", "2"], 120
    )
    assert code == 0 and stderr == "" and stdout == "all 2 ranks finished\n"
    assert survivors(started) == []


@pytest.mark.parametrize(
    "argv, says",
    [
        (["--world-size", "0"], "--world-size must be between 2 and 8, not 0"),
        (["--fault-rank", "5"], "--fault-rank must name a rank from 0 to 2"),
        (["--collective-timeout", "0"], "--collective-timeout must be above 0, not 0"),
        (
            ["--fault", "hang", "--fault-rank", "0"],
            "--fault hang needs a rank other than 0: rank 0 names the ranks that hang",
        ),
    ],
)
def test_bad_fault_arguments_are_one_line_and_a_nonzero_exit(argv, says):
    with pytest.raises(SystemExit) as stop:
        faults_script.parse_args(argv)
    message = stop.value.code
    assert isinstance(message, str) and "\n" not in message and message.endswith(": error: " + says)


@pytest.mark.parametrize(
    "script, size, says",
    [
        ("at_scale_ddp", "0", "--world-size must be between 1 and 8, not 0"),
        ("at_scale_diloco", "9", "--world-size must be between 1 and 8, not 9"),
        (
            "at_scale_sharded",
            "3",
            "--world-size must divide 64 rows evenly: 1, 2, 4, 8 or 16, not 3",
        ),
    ],
)
def test_bad_world_size_is_one_line_and_a_nonzero_exit(script, size, says):
    with pytest.raises(SystemExit) as stop:  # before any rank starts
        load_script(snippet(script)).main(["--world-size", size])
    message = stop.value.code  # a string: printed to stderr, exit status 1
    assert isinstance(message, str) and "\n" not in message
    assert message.endswith(": error: " + says)


def test_the_ddp_script_runs_unchanged_under_torchrun():
    # torchrun starts the four ranks itself; launch() sees its variables and runs as one rank.
    # Rank 0 prints what the build's run printed, byte for byte: the same ranks, the same sums.
    argv = ["-m", "torch.distributed.run", "--standalone", "--nproc-per-node", "4"]
    code, stderr, started, stdout = run_tracked([*argv, snippet("at_scale_ddp")], 240)
    assert code == 0, stderr
    assert stdout == printed("at_scale_ddp")
    assert survivors(started) == []
