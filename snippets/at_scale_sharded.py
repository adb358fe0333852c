"""Sharded momentum: ZeroRedundancyOptimizer and FSDP2 keep 1/N of the buffers on each rank.

python snippets/at_scale_sharded.py [--world-size N]
torchrun --nproc-per-node 4 snippets/at_scale_sharded.py
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
from torch.distributed.device_mesh import init_device_mesh
from torch.distributed.fsdp import fully_shard
from torch.distributed.optim import ZeroRedundancyOptimizer
from torch.distributed.tensor import DTensor
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


LR, MOMENTUM, STEPS, PER_RANK, WIDTH = 0.05, 0.9, 30, 8, 64


def make_model(device):
    torch.manual_seed(0)
    layers = []
    for _ in range(4):
        layers += [torch.nn.Linear(WIDTH, WIDTH), torch.nn.Tanh()]
    return torch.nn.Sequential(*layers[:-1]).to(device)


def rank_batches(device):
    """This rank's slice of the same global batches on every rank."""
    rank, world = dist.get_rank(), dist.get_world_size()
    gen = torch.Generator().manual_seed(1)
    for _ in range(STEPS):
        x = torch.randn(world * PER_RANK, WIDTH, generator=gen)
        y = torch.sin(x)
        mine = slice(rank * PER_RANK, (rank + 1) * PER_RANK)
        yield x[mine].to(device), y[mine].to(device)


# --8<-- [start:shard]
def train(model, opt, device):
    for x, y in rank_batches(device):
        opt.zero_grad()
        torch.nn.functional.mse_loss(model(x), y).backward()  # gradients averaged over ranks
        opt.step()


def momentum_bytes(state):
    """Bytes of momentum buffer this rank holds (a DTensor counts its local shard only)."""
    total = 0
    for s in state.values():
        buf = s["momentum_buffer"]
        buf = buf.to_local() if isinstance(buf, DTensor) else buf
        total += buf.numel() * buf.element_size()
    return total


def full_parameters(model):
    return [p.full_tensor() if isinstance(p, DTensor) else p.detach() for p in model.parameters()]


def compare(device):
    ddp = DDP(make_model(device))
    ddp_opt = torch.optim.SGD(ddp.parameters(), lr=LR, momentum=MOMENTUM)
    train(ddp, ddp_opt, device)

    zero = DDP(make_model(device))
    zero_opt = ZeroRedundancyOptimizer(
        zero.parameters(), optimizer_class=torch.optim.SGD, lr=LR, momentum=MOMENTUM
    )
    train(zero, zero_opt, device)  # each rank steps its own share, then broadcasts it

    fsdp = make_model(device)
    mesh = init_device_mesh(device.type, (dist.get_world_size(),))
    for layer in fsdp:
        if isinstance(layer, torch.nn.Linear):
            fully_shard(layer, mesh=mesh)  # every parameter split by rows over the ranks
    fully_shard(fsdp, mesh=mesh)
    fsdp_opt = torch.optim.SGD(fsdp.parameters(), lr=LR, momentum=MOMENTUM)
    train(fsdp, fsdp_opt, device)
    # --8<-- [end:shard]

    reference = full_parameters(ddp.module)

    def gap(model):
        pairs = zip(full_parameters(model), reference, strict=True)
        return max((p - q).abs().max().item() for p, q in pairs)

    per_rank = [
        momentum_bytes(ddp_opt.state),
        momentum_bytes(zero_opt.optim.state),
        momentum_bytes(fsdp_opt.state),
    ]
    every = [None] * dist.get_world_size()
    dist.all_gather_object(every, per_rank)
    return {
        "backend": dist.get_backend(),
        "world_size": dist.get_world_size(),
        "device": str(device),
        "bytes": every,  # [rank][ddp, zero, fsdp]
        "zero_gap": gap(zero.module),
        "fsdp_gap": gap(fsdp),
        "scale": max(p.abs().max().item() for p in reference),
    }


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.error = lambda msg: sys.exit(f"{parser.prog}: error: {msg}")
    parser.add_argument("--world-size", type=int, default=4)
    parser.add_argument("--timeout", type=float, default=300.0, help="seconds for the whole run")
    args = parser.parse_args(argv)
    if args.world_size not in (1, 2, 4, 8, 16):
        parser.error(f"--world-size must divide {WIDTH} rows evenly: 1, 2, 4, 8 or 16")
    return args


def main(argv=None):
    args = parse_args(argv)
    try:
        r = launch(compare, args.world_size, timeout=args.timeout)
    except RankFailed as err:
        sys.exit(f"at_scale_sharded: error: {err}")
    if r is None:  # a rank other than 0 under torchrun
        return
    if "DOCRUN_RESULTS" in os.environ:  # the site's build quotes these numbers on its pages
        Path(os.environ["DOCRUN_RESULTS"]).write_text(json.dumps(r))
    print(f"device {r['device']}; {STEPS} steps of SGD(lr={LR}, momentum={MOMENTUM})")
    print("momentum buffer bytes held by each rank:")
    print(f"{'rank':>6} {'DDP':>10} {'ZeRO':>10} {'FSDP2':>10}")
    for rank, row in enumerate(r["bytes"]):
        print(f"{rank:>6} {row[0]:>10,} {row[1]:>10,} {row[2]:>10,}")
    full = r["bytes"][0][0]
    zero = max(row[1] for row in r["bytes"]) / full
    fsdp = max(row[2] for row in r["bytes"]) / full
    print(f"largest rank's share of the DDP bytes: ZeRO {zero:.4f}, FSDP2 {fsdp:.4f}")
    print(f"largest parameter gap to DDP: ZeRO {r['zero_gap']:.1e}, FSDP2 {r['fsdp_gap']:.1e}")
    print(f"(largest parameter magnitude: {r['scale']:.2f})")


if __name__ == "__main__":
    main()
