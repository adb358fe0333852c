"""Start the ranks of a run on this machine with torchrun's own engine, or, under torchrun, be one.

    result = launch(fn, 4, *args)   # fn(device, *args) on 4 ranks; rank 0's result

`elastic_launch` is what `torchrun --standalone` runs: it starts the ranks, has them meet at
127.0.0.1 on a port the system picks, and stops them all when one fails, raising
ChildFailedError (which reports one failed rank). A rank whose launcher dies ends at once (on
Linux; within half a second elsewhere).
"""

import argparse
import contextlib
import multiprocessing
import os
import select
import socket
import sys
import tempfile
import threading
import time
import uuid
from datetime import timedelta

import torch
import torch.distributed as dist
from torch.distributed.elastic.multiprocessing import DefaultLogsSpecs
from torch.distributed.elastic.multiprocessing.errors import record
from torch.distributed.launcher.api import LaunchConfig, elastic_launch


# --8<-- [start:launch]
def launch(fn, world_size, *args, collective_timeout=60.0, backend=None, log_dir=None):
    """fn(device, *args) on world_size ranks; rank 0's result (None on the others). The backend
    is NCCL when every rank has a GPU of its own, else gloo; the ranks' error files go below
    log_dir (by default a temporary folder, removed after)."""
    if "TORCHELASTIC_RUN_ID" in os.environ:  # started by torchrun: this process is one rank
        return _rank(fn, args, collective_timeout, backend)
    loopback = next(name for _, name in socket.if_nameindex() if name.startswith("lo"))
    os.environ.setdefault("GLOO_SOCKET_IFNAME", loopback)  # gloo's ranks talk over 127.0.0.1
    multiprocessing.set_forkserver_preload(["torch._dynamo"])  # torch imported once, not per rank
    with tempfile.TemporaryDirectory() as scratch:
        config = LaunchConfig(
            min_nodes=1, max_nodes=1, nproc_per_node=world_size, max_restarts=0,
            rdzv_backend="c10d", rdzv_endpoint="127.0.0.1:0",  # a port the system picks
            local_addr="127.0.0.1", run_id=uuid.uuid4().hex, start_method="forkserver",
            monitor_interval=0.1, logs_specs=DefaultLogsSpecs(log_dir=log_dir or scratch),
        )  # fmt: skip
        return elastic_launch(config, _rank)(fn, args, collective_timeout, backend, os.getpid())[0]


@record  # a failing rank writes its error and traceback where the launcher reads them
def _rank(fn, args, collective_timeout, backend=None, launcher=None):
    if launcher:  # end with the launcher, even one killed while this rank waits in a collective
        threading.Thread(target=_exit_with, args=(launcher,), daemon=True).start()
    gpus = torch.cuda.device_count() >= int(os.environ["LOCAL_WORLD_SIZE"])
    backend = backend or ("nccl" if gpus else "gloo")
    device = torch.device(f"cuda:{os.environ['LOCAL_RANK']}" if backend == "nccl" else "cpu")
    if backend == "nccl":
        torch.cuda.set_device(device)
    torch.set_num_threads(1)  # the ranks share the cores
    dist.init_process_group(backend, timeout=timedelta(seconds=collective_timeout))
    result = fn(device, *args)
    dist.destroy_process_group()
    return result if os.environ["RANK"] == "0" else None


def _exit_with(pid):
    """End this process once process pid has ended."""
    if hasattr(os, "pidfd_open"):  # Linux: woken the moment it ends
        select.select([os.pidfd_open(pid)], [], [])
    else:
        with contextlib.suppress(ProcessLookupError):
            while True:
                os.kill(pid, 0)
                time.sleep(0.5)
    os._exit(1)


# --8<-- [end:launch]


def parse_world_size(argv, description, allowed=range(1, 9), must="be between 1 and 8"):
    """--world-size N from the command line; one line and exit status 1 when N is not allowed."""
    parser = argparse.ArgumentParser(description=description)
    parser.error = lambda msg: sys.exit(f"{parser.prog}: error: {msg}")
    parser.add_argument("--world-size", type=int, default=4)
    args = parser.parse_args(argv)
    if args.world_size not in allowed:
        parser.error(f"--world-size must {must}, not {args.world_size}")
    return args.world_size
