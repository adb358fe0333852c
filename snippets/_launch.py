"""Start the ranks of a run on this machine with torchrun's own engine, or, under torchrun, be one.

    result = launch(fn, 4, *args)   # fn(device, *args) on 4 ranks; rank 0's result

`elastic_launch` is what `torchrun --standalone` runs: it starts the ranks, serves their
rendezvous on a free port of 127.0.0.1, and stops them all when one fails, raising
ChildFailedError. A rank whose launcher dies ends at once.
"""

import multiprocessing
import os
import select
import socket
import threading
import uuid
from datetime import timedelta

import torch
import torch.distributed as dist
from torch.distributed.elastic.multiprocessing import DefaultLogsSpecs
from torch.distributed.elastic.multiprocessing.errors import record
from torch.distributed.launcher.api import LaunchConfig, elastic_launch


# --8<-- [start:launch]
def launch(fn, world_size, *args, collective_timeout=60.0, log_dir=None):
    """fn(device, *args) on world_size ranks; rank 0's result (None on the others). The ranks'
    error files go below log_dir (by default a new folder in the temporary directory)."""
    if "TORCHELASTIC_RUN_ID" in os.environ:  # started by torchrun: this process is one rank
        return _rank(fn, args, collective_timeout)
    loopback = next(name for _, name in socket.if_nameindex() if name.startswith("lo"))
    os.environ.setdefault("GLOO_SOCKET_IFNAME", loopback)  # the ranks talk over 127.0.0.1 only
    # the ranks fork from one fresh process that imported torch once: not one import per rank
    multiprocessing.set_forkserver_preload(["__main__", "torch._dynamo"])
    config = LaunchConfig(
        min_nodes=1, max_nodes=1, nproc_per_node=world_size, max_restarts=0,
        rdzv_backend="c10d", rdzv_endpoint="127.0.0.1:0", local_addr="127.0.0.1",  # a free port
        run_id=uuid.uuid4().hex, start_method="forkserver", monitor_interval=0.1,
        logs_specs=DefaultLogsSpecs(log_dir=log_dir),
    )  # fmt: skip
    return elastic_launch(config, _rank)(fn, args, collective_timeout, os.getpid())[0]


@record  # a failing rank writes its error and traceback where the launcher reads them
def _rank(fn, args, collective_timeout, launcher=None):
    if launcher:  # end with the launcher, even if it is killed (the fork server outlives it)
        threading.Thread(target=_exit_with, args=(launcher,), daemon=True).start()
    cuda = torch.cuda.is_available()
    device = torch.device("cuda", int(os.environ["LOCAL_RANK"])) if cuda else torch.device("cpu")
    if cuda:
        torch.cuda.set_device(device)
    torch.set_num_threads(1)  # the ranks share the cores
    timeout = timedelta(seconds=collective_timeout)
    dist.init_process_group("nccl" if cuda else "gloo", timeout=timeout)
    result = fn(device, *args)
    dist.destroy_process_group()
    return result if os.environ["RANK"] == "0" else None


def _exit_with(pid):
    select.select([os.pidfd_open(pid)], [], [])  # readable once that process has ended
    os._exit(1)


# --8<-- [end:launch]
