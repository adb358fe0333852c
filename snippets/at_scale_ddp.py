"""DDP with momentum: the same buffer on every rank, and one process's run on the global batch.

python snippets/at_scale_ddp.py [--world-size N] [--fault crash|hang] [--fault-rank R]
torchrun --nproc-per-node 4 snippets/at_scale_ddp.py
"""

import argparse
import contextlib
import json
import os
import socket
import sys
import tempfile
import threading
import time
import traceback
from datetime import timedelta
from multiprocessing.connection import wait
from pathlib import Path

import torch
import torch.distributed as dist
import torch.multiprocessing as mp
from torch.nn.parallel import DistributedDataParallel as DDP


# --8<-- [start:launch]
class RankFailed(RuntimeError):
    """One rank crashed or hung; the message names it."""


def launch(fn, world_size, *args, timeout=300.0, collective_timeout=60.0):
    """Run fn(device, *args) on world_size ranks; return rank 0's result (None on other ranks).

    Under torchrun (RANK and MASTER_PORT set) this process is one rank already. Otherwise it
    plays torchrun's part on this machine: it holds the rendezvous store on a port the OS picks,
    starts world_size fresh processes with the variables torchrun would set, and stops all of
    them when one fails or the run takes longer than `timeout` seconds.
    """
    if "RANK" in os.environ and "MASTER_PORT" in os.environ:
        return _rank(fn, args, "nccl" if torch.cuda.is_available() else "gloo", collective_timeout)
    backend = "nccl" if torch.cuda.device_count() >= world_size else "gloo"
    store = dist.TCPStore("127.0.0.1", 0, world_size, is_master=True, wait_for_workers=False)
    loopback = next(name for _, name in socket.if_nameindex() if name.startswith("lo"))
    env = {
        "MASTER_ADDR": "127.0.0.1",
        "MASTER_PORT": str(store.port),
        "WORLD_SIZE": str(world_size),
        "TORCHELASTIC_USE_AGENT_STORE": "True",  # as under torchrun: the store is already served
        "GLOO_SOCKET_IFNAME": loopback,  # and the ranks talk over 127.0.0.1 only
        "NCCL_SOCKET_IFNAME": loopback,
    }
    # A fresh interpreter that imports torch once, then forks each rank from itself ('spawn'
    # where there is no forkserver): the ranks never inherit this process's threads or state.
    methods = mp.get_all_start_methods()
    ctx = mp.get_context("forkserver" if "forkserver" in methods else "spawn")
    ctx.set_forkserver_preload(["__main__", "torch._dynamo"])  # what every rank imports anyway
    lifeline, keep = ctx.Pipe(duplex=False)  # `keep` closes when this process ends, however
    with tempfile.TemporaryDirectory() as report:
        procs = []
        try:
            for rank in range(world_size):
                rank_env = {**env, "RANK": str(rank), "LOCAL_RANK": str(rank)}
                target_args = (fn, args, backend, collective_timeout, report, rank_env, lifeline)
                procs.append(ctx.Process(target=_started_rank, args=target_args))
                procs[-1].start()
            _supervise(procs, report, timeout, collective_timeout)
        finally:
            for p in procs:  # the survivors of a failure, or all of them on Ctrl-C
                p.kill()
                p.join()
            keep.close()
        return json.loads(Path(report, "result.json").read_text())


def _rank(fn, args, backend, collective_timeout, report=None):
    device = torch.device("cpu")
    if backend == "nccl":
        device = torch.device("cuda", int(os.environ["LOCAL_RANK"]))
        torch.cuda.set_device(device)
    torch.set_num_threads(1)  # the ranks share the cores
    dist.init_process_group(backend, timeout=timedelta(seconds=collective_timeout))
    try:
        result = fn(device, *args)
    finally:
        dist.destroy_process_group()
    if os.environ["RANK"] != "0":
        return None
    if report is not None:
        Path(report, "result.json").write_text(json.dumps(result))
    return result


def _started_rank(fn, args, backend, collective_timeout, report, env, lifeline):
    os.environ.update(env)
    # If the launcher is killed, leave too rather than wait in a collective forever.
    threading.Thread(target=_exit_with, args=(lifeline,), daemon=True).start()
    try:
        _rank(fn, args, backend, collective_timeout, report)
    except BaseException as err:  # written down for the launcher, which names the rank
        frame = traceback.extract_tb(err.__traceback__)[-1]
        failure = {
            "time": time.time(),
            "peer": _from_the_network(err),
            "error": f"{type(err).__name__}: {err}".splitlines()[0],
            "where": f"{Path(frame.filename).name}:{frame.lineno}",
        }
        Path(report, f"failure-{env['RANK']}.json").write_text(json.dumps(failure))
        os._exit(1)


def _from_the_network(err):
    """An error of the communication library: a peer stopped answering. A symptom, not a cause."""
    text = str(err).lower()
    return isinstance(err, dist.DistError) or "gloo" in text or "nccl" in text


def _exit_with(lifeline):
    with contextlib.suppress(EOFError):
        lifeline.recv_bytes()  # nothing is ever sent: this returns when the launcher is gone
    os._exit(1)


def _supervise(procs, report, timeout, collective_timeout):
    """Wait for all ranks; after the first failure, or at the deadline, raise naming the cause."""
    deadline, seen = time.monotonic() + timeout, {}
    while any(p.is_alive() for p in procs):
        seen.update({r: time.time() for r, p in enumerate(procs) if p.exitcode and r not in seen})
        if seen:
            time.sleep(2.0)  # the peers notice within moments; then judge
            break
        if time.monotonic() > deadline:
            alive = [r for r, p in enumerate(procs) if p.is_alive()]
            raise RankFailed(f"timed out after {timeout:g} s with ranks {alive} still running")
        wait([p.sentinel for p in procs if p.is_alive()], timeout=0.5)
    failed = {}
    for rank, p in enumerate(procs):
        path = Path(report, f"failure-{rank}.json")
        if path.exists():
            failed[rank] = json.loads(path.read_text())
        elif p.exitcode:  # killed, or died without a word (a segfault, os._exit)
            when = seen.get(rank, time.time())
            failed[rank] = {
                "time": when,
                "peer": False,
                "where": "?",
                "error": f"exit {p.exitcode}",
            }
    alive = [r for r, p in enumerate(procs) if p.is_alive()]
    causes = {r: f for r, f in failed.items() if not f["peer"]}
    if causes:  # the first rank that failed on its own
        rank = min(causes, key=lambda r: causes[r]["time"])
        raise RankFailed(f"rank {rank} failed at {causes[rank]['where']}: {causes[rank]['error']}")
    if alive:  # the others timed out in a collective that these ranks never joined
        raise RankFailed(
            f"rank {', '.join(map(str, alive))} hung: ranks {sorted(failed)} waited "
            f"{collective_timeout:g} s for it in a collective"
        )
    if failed:
        rank = min(failed, key=lambda r: failed[r]["time"])
        raise RankFailed(f"rank {rank} failed at {failed[rank]['where']}: {failed[rank]['error']}")


# --8<-- [end:launch]


# --8<-- [start:data]
def make_model(device):
    torch.manual_seed(0)
    return torch.nn.Sequential(torch.nn.Linear(8, 32), torch.nn.Tanh(), torch.nn.Linear(32, 1)).to(
        device
    )


def global_batches(steps, batch, device):
    """The same global batches on every rank: ((batch, 8) inputs, (batch, 1) targets)."""
    gen = torch.Generator().manual_seed(1)
    for _ in range(steps):
        x = torch.randn(batch, 8, generator=gen)
        yield x.to(device), torch.sin(x.sum(1, keepdim=True)).to(device)


# --8<-- [end:data]

LR, MOMENTUM, STEPS, PER_RANK = 0.1, 0.9, 50, 8


# --8<-- [start:ddp]
def ddp_run(device, fault="none", fault_rank=-1, micro_batches=1):
    """SGD with momentum under DDP; each rank takes its slice of every global batch."""
    rank, world = dist.get_rank(), dist.get_world_size()
    model = DDP(make_model(device))
    opt = torch.optim.SGD(model.parameters(), lr=LR, momentum=MOMENTUM)
    for step, (x, y) in enumerate(global_batches(STEPS, world * PER_RANK, device)):
        if step == 3 and rank == fault_rank:
            if fault == "crash":
                raise RuntimeError(f"injected crash on rank {rank}")
            if fault == "hang":
                time.sleep(3600)  # never reach the next all-reduce
        mine = slice(rank * PER_RANK, (rank + 1) * PER_RANK)
        opt.zero_grad()
        pieces = zip(x[mine].chunk(micro_batches), y[mine].chunk(micro_batches), strict=True)
        for i, (xm, ym) in enumerate(pieces):
            last = i == micro_batches - 1  # all-reduce once, in the last backward
            with contextlib.nullcontext() if last else model.no_sync():
                loss = torch.nn.functional.mse_loss(model(xm), ym) / micro_batches
                loss.backward()  # DDP averages the gradients over the ranks here
        opt.step()
    return model.module, opt


def one_process_run(device, world):
    """The same steps in one process, on the whole global batch."""
    model = make_model(device)
    opt = torch.optim.SGD(model.parameters(), lr=LR, momentum=MOMENTUM)
    for x, y in global_batches(STEPS, world * PER_RANK, device):
        opt.zero_grad()
        torch.nn.functional.mse_loss(model(x), y).backward()
        opt.step()
    return model


def largest_gap(a, b):
    return max(
        (p - q).abs().max().item() for p, q in zip(a.parameters(), b.parameters(), strict=True)
    )


def buffer_spread(model, opt):
    """Largest difference between any rank's momentum buffers and rank 0's."""
    mine = torch.cat([opt.state[p]["momentum_buffer"].flatten() for p in model.parameters()])
    every = [torch.empty_like(mine) for _ in range(dist.get_world_size())]
    dist.all_gather(every, mine)
    return max((b - every[0]).abs().max().item() for b in every)


# --8<-- [end:ddp]


def experiment(device, fault, fault_rank):
    world = dist.get_world_size()
    model, opt = ddp_run(device, fault, fault_rank)
    spread = buffer_spread(model, opt)
    accumulated, acc_opt = ddp_run(device, micro_batches=2)
    acc_spread = buffer_spread(accumulated, acc_opt)
    single = one_process_run(device, world)
    return {
        "backend": dist.get_backend(),
        "world_size": world,
        "device": str(device),
        "buffer_spread": spread,
        "gap": largest_gap(model, single),
        "accumulated_buffer_spread": acc_spread,
        "accumulated_gap": largest_gap(accumulated, single),
        "scale": max(p.abs().max().item() for p in single.parameters()),
    }


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.error = lambda msg: sys.exit(f"{parser.prog}: error: {msg}")
    parser.add_argument("--world-size", type=int, default=4)
    parser.add_argument("--fault", choices=("none", "crash", "hang"), default="none")
    parser.add_argument("--fault-rank", type=int, default=-1)
    parser.add_argument("--timeout", type=float, default=300.0, help="seconds for the whole run")
    parser.add_argument("--collective-timeout", type=float, default=60.0)
    args = parser.parse_args(argv)
    if not 1 <= args.world_size <= 8:
        parser.error(f"--world-size must be between 1 and 8, not {args.world_size}")
    if args.fault != "none" and not 0 <= args.fault_rank < args.world_size:
        parser.error(f"--fault-rank must name a rank from 0 to {args.world_size - 1}")
    return args


def main(argv=None):
    args = parse_args(argv)
    try:
        result = launch(
            experiment,
            args.world_size,
            args.fault,
            args.fault_rank,
            timeout=args.timeout,
            collective_timeout=args.collective_timeout,
        )
    except RankFailed as err:
        sys.exit(f"at_scale_ddp: error: {err}")
    if result is None:  # a rank other than 0 under torchrun
        return
    r = result
    if "DOCRUN_RESULTS" in os.environ:  # the site's build quotes these results on its pages,
        try:  # and the line a run with a crashing rank ends with (it names a line of this file)
            launch(experiment, args.world_size, "crash", 2)
        except RankFailed as err:
            r["crash_message"] = f"at_scale_ddp: error: {err}"
        Path(os.environ["DOCRUN_RESULTS"]).write_text(json.dumps(r))
    print(f"device {r['device']}; {STEPS} steps of SGD(lr={LR}, momentum={MOMENTUM}),")
    print(f"global batches of {r['world_size'] * PER_RANK} = {r['world_size']} ranks x {PER_RANK}")
    print(f"{'largest difference:':>52} {'parameters vs':>14}")
    print(f"{'':34} {'buffers between ranks':>22} {'one process':>13}")
    print(f"{'DDP':34} {r['buffer_spread']:>22.1e} {r['gap']:>13.1e}")
    print(
        f"{'DDP, 2 micro-batches with no_sync':34} {r['accumulated_buffer_spread']:>22.1e}"
        f" {r['accumulated_gap']:>13.1e}"
    )
    print(f"(largest parameter magnitude: {r['scale']:.2f})")


if __name__ == "__main__":
    main()
