"""A crashing or a hanging rank, named in one line.

python snippets/at_scale/at_scale_faults.py [--fault crash|hang|none] [--fault-rank R]
                                            [--world-size N] [--collective-timeout S]

torchrun's engine (_launch.py) stops every rank when one fails and raises ChildFailedError,
which reports one failed rank: whichever it saw first. The ranks that waited for a crashed peer
fail within the same moment, so it may report one of them. A hanging rank fails nothing until a
collective times out, and then only the ranks that waited for it fail. So the run checks in with
`monitored_barrier` (gloo), which names the ranks that did not arrive, and the line below reads
every rank's error file to pick the rank that failed on its own.
"""

import argparse
import json
import logging
import os
import re
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

import torch
import torch.distributed as dist
from _launch import launch
from torch.distributed.elastic.multiprocessing.errors import ChildFailedError

STEPS = 10


# --8<-- [start:run]
def faulty_run(device, fault, fault_rank, barrier_timeout):
    rank, x = dist.get_rank(), torch.ones(4, device=device)
    for step in range(STEPS):
        if step == 3 and rank == fault_rank:
            if fault == "crash":
                raise RuntimeError(f"injected crash on rank {rank}")
            if fault == "hang":
                time.sleep(3600)  # this rank never reaches the next collective
        # every rank checks in; rank 0 raises, naming the ranks that did not arrive in time
        dist.monitored_barrier(timeout=timedelta(seconds=barrier_timeout))
        dist.all_reduce(x)
    return x.sum().item()


# --8<-- [end:run]


# --8<-- [start:cause]
HUNG = re.compile(r"Ranks? ([\d, ]+) failed to pass monitoredBarrier in (\d+) ms")
# What the communication library says when a peer stopped answering: a symptom, not a cause
PEER = re.compile(r"gloo|nccl|monitoredBarrier|Connection closed|Dist\w*Error", re.IGNORECASE)


def cause(err, log_dir):
    """One line naming the rank at fault, from the launcher's ChildFailedError and the error
    files every rank that raised wrote below log_dir (the launcher reports one of them)."""
    failed = errors(err, log_dir)
    own = {rank: e for rank, e in failed.items() if not PEER.search(e[0])}
    if own:  # a rank that failed on its own
        rank, (error, stack) = min(own.items())
        return f"rank {rank} failed at {where(stack)}: {error.splitlines()[0]}"
    for rank, (error, _) in sorted(failed.items()):
        if hung := HUNG.search(error):
            ranks, ms = hung.groups()
            return f"rank {ranks} hung: rank {rank} waited {int(ms) / 1000:g} s for it"
    rank, (error, _) = min(failed.items())
    return f"rank {rank} failed: {error.splitlines()[0]}"


def errors(err, log_dir):
    """{rank: (error, traceback)}: the launcher's words, then each rank's own error file."""
    found = {}
    for rank, failure in err.failures.items():  # a rank killed by a signal wrote no file
        text = failure.message
        found[rank] = (text.get("message", "") if isinstance(text, dict) else str(text), "")
    for path in Path(log_dir).glob("*/attempt_*/*/error.json"):
        try:
            data = json.loads(path.read_text())["message"]  # a string where C++ wrote the file
        except json.JSONDecodeError:  # stopped while writing it: the launcher's words stand
            continue
        error = (
            (data["message"], data["extraInfo"]["py_callstack"])
            if isinstance(data, dict)
            else (data, "")
        )
        found[int(path.parent.name)] = error
    return found


def where(stack):
    """file:line where the rank's exception was raised, from its traceback."""
    frames = re.findall(r'File "([^"]+)", line (\d+)', stack)
    return f"{Path(frames[-1][0]).name}:{frames[-1][1]}" if frames else "?"


# --8<-- [end:cause]


def run(world_size, fault, fault_rank, collective_timeout):
    """The launcher's verdict: None when every rank finished, else the one line."""
    with tempfile.TemporaryDirectory() as log_dir:
        try:
            # monitored_barrier needs gloo; its own timeout comes first, so that rank 0 names
            # the hanging rank before gloo gives up on the ranks waiting for rank 0
            launch(faulty_run, world_size, fault, fault_rank, collective_timeout,
                   collective_timeout=2 * collective_timeout, backend="gloo",
                   log_dir=log_dir)  # fmt: skip
        except ChildFailedError as err:
            return cause(err, log_dir)
    return None


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.error = lambda msg: sys.exit(f"{parser.prog}: error: {msg}")
    parser.add_argument("--fault", choices=("none", "crash", "hang"), default="crash")
    parser.add_argument("--fault-rank", type=int, default=1)
    parser.add_argument("--world-size", type=int, default=3)
    parser.add_argument(
        "--collective-timeout", type=float, default=5.0, help="seconds a rank may be late"
    )
    args = parser.parse_args(argv)
    if not 2 <= args.world_size <= 8:
        parser.error(f"--world-size must be between 2 and 8, not {args.world_size}")
    if not 0 <= args.fault_rank < args.world_size:
        parser.error(f"--fault-rank must name a rank from 0 to {args.world_size - 1}")
    if args.fault == "hang" and args.fault_rank == 0:
        parser.error("--fault hang needs a rank other than 0: rank 0 names the ranks that hang")
    if not args.collective_timeout > 0:
        parser.error(f"--collective-timeout must be above 0, not {args.collective_timeout:g}")
    return args


def main(argv=None):
    args = parse_args(argv)
    # The launcher's log and the ranks' gloo log repeat every rank's error: the one line below
    # says what matters.
    for name in ("torch.distributed.elastic", "torch.multiprocessing"):
        logging.getLogger(name).setLevel(logging.CRITICAL)
    os.environ["TORCH_CPP_LOG_LEVEL"] = "FATAL"  # read by each rank as it starts
    if "DOCRUN_RESULTS" in os.environ:  # the build runs both faults; the page quotes the lines
        lines = {"crash": run(3, "crash", 2, 5.0), "hang": run(3, "hang", 1, 5.0)}
        Path(os.environ["DOCRUN_RESULTS"]).write_text(json.dumps(lines))
        for fault, line in lines.items():
            print(f"--fault {fault}: at_scale_faults: error: {line}")
        return
    line = run(args.world_size, args.fault, args.fault_rank, args.collective_timeout)
    if line:
        sys.exit(f"at_scale_faults: error: {line}")
    print(f"all {args.world_size} ranks finished")


if __name__ == "__main__":
    main()
