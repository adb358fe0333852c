"""Local SGD and DiLoCo: H local steps per round, then an outer step on the averaged change.

python snippets/at_scale_diloco.py [--world-size N]
torchrun --nproc-per-node 4 snippets/at_scale_diloco.py
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

import matplotlib.pyplot as plt
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

INNER_LR, INNER_MOMENTUM, INNER_STEPS, ROUNDS, BATCH = 0.02, 0.9, 10, 40, 16
TARGET = 0.3
OUTER = {  # label: (outer lr, outer momentum); Nesterov whenever the momentum is not 0
    "local SGD (outer momentum 0)": (1.0, 0.0),
    "DiLoCo (outer Nesterov 0.9)": (0.7, 0.9),
}


def make_model(device):
    torch.manual_seed(0)
    return torch.nn.Sequential(torch.nn.Linear(8, 32), torch.nn.Tanh(), torch.nn.Linear(32, 1)).to(
        device
    )


def shard(rank, n, seed):
    """Rank's own data: inputs centred at a different point for every rank (not i.i.d.)."""
    gen = torch.Generator().manual_seed(seed + rank)
    x = torch.randn(n, 8, generator=gen) + torch.linspace(-1.5, 1.5, 8).roll(rank)
    return x, torch.sin(x.sum(1, keepdim=True))


def batches(device, steps):
    x, y = shard(dist.get_rank(), steps * BATCH, seed=100)
    return zip(x.to(device).split(BATCH), y.to(device).split(BATCH), strict=True)


def mean_over_ranks(value):
    dist.all_reduce(value)  # a sum: gloo has no average
    return value / dist.get_world_size()


def evaluate(model, device):
    x, y = shard(dist.get_rank(), 512, seed=200)
    with torch.no_grad():
        loss = torch.nn.functional.mse_loss(model(x.to(device)), y.to(device))
    return mean_over_ranks(loss).item()


# --8<-- [start:diloco]
def diloco(device, outer_lr, outer_momentum):
    """Each round: INNER_STEPS local steps, then one all-reduce and one outer step."""
    model = make_model(device)  # the same start on every rank
    inner = torch.optim.SGD(model.parameters(), lr=INNER_LR, momentum=INNER_MOMENTUM)
    shared = [p.detach().clone() for p in model.parameters()]  # the model all ranks agree on
    outer = torch.optim.SGD(
        shared, lr=outer_lr, momentum=outer_momentum, nesterov=outer_momentum > 0
    )
    data = batches(device, ROUNDS * INNER_STEPS)
    losses = [evaluate(model, device)]
    for _ in range(ROUNDS):
        for _, (x, y) in zip(range(INNER_STEPS), data, strict=False):
            inner.zero_grad()
            torch.nn.functional.mse_loss(model(x), y).backward()
            inner.step()
        with torch.no_grad():
            for s, p in zip(shared, model.parameters(), strict=True):
                s.grad = mean_over_ranks(s - p)  # the averaged change, used as a gradient
            outer.step()  # outer lr 1, momentum 0: the plain average of the ranks' models
            for s, p in zip(shared, model.parameters(), strict=True):
                p.copy_(s)
        losses.append(evaluate(model, device))
    return losses


# --8<-- [end:diloco]


def ddp(device):
    """Baseline: an all-reduce of the gradients at every one of the same local steps."""
    model = DDP(make_model(device))
    opt = torch.optim.SGD(model.parameters(), lr=INNER_LR, momentum=INNER_MOMENTUM)
    losses = [evaluate(model.module, device)]
    for x, y in batches(device, ROUNDS * INNER_STEPS):
        opt.zero_grad()
        torch.nn.functional.mse_loss(model(x), y).backward()
        opt.step()
        losses.append(evaluate(model.module, device))
    return losses


def compare(device):
    runs = {"DDP (all-reduce every step)": ddp(device)}
    for label, (lr, momentum) in OUTER.items():
        runs[label] = diloco(device, lr, momentum)
    return {
        "backend": dist.get_backend(),
        "world_size": dist.get_world_size(),
        "device": str(device),
        "runs": runs,
    }


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.error = lambda msg: sys.exit(f"{parser.prog}: error: {msg}")
    parser.add_argument("--world-size", type=int, default=4)
    parser.add_argument("--timeout", type=float, default=300.0, help="seconds for the whole run")
    args = parser.parse_args(argv)
    if not 1 <= args.world_size <= 8:
        parser.error(f"--world-size must be between 1 and 8, not {args.world_size}")
    return args


def main(argv=None):
    args = parse_args(argv)
    try:
        r = launch(compare, args.world_size, timeout=args.timeout)
    except RankFailed as err:
        sys.exit(f"at_scale_diloco: error: {err}")
    if r is None:  # a rank other than 0 under torchrun
        return
    evals = ROUNDS * INNER_STEPS
    print(f"device {r['device']}; {evals} gradient evaluations per rank in every run,")
    print(f"inner SGD(lr={INNER_LR}, momentum={INNER_MOMENTUM}), {INNER_STEPS} steps per round")
    print(f"{'loss after this many communication rounds:':>73}")
    print(f"{'':30} {0:>7} {10:>7} {20:>7} {ROUNDS:>7} {evals:>7}")
    for label, losses in r["runs"].items():
        at = [
            f"{losses[k]:>7.4f}" if k < len(losses) else f"{'-':>7}"
            for k in (0, 10, 20, ROUNDS, evals)
        ]
        print(f"{label:30} {' '.join(at)}")
    for label, losses in r["runs"].items():
        per = 1 if label.startswith("DDP") else INNER_STEPS
        hit = next((k for k, loss in enumerate(losses) if loss < TARGET), None)
        print(
            f"{label}: below {TARGET} after",
            "never" if hit is None else f"{hit} rounds, {hit * per} gradient evaluations",
        )

    if "DOCRUN_RESULTS" in os.environ:  # the site's build quotes these numbers on its pages
        losses = dict(zip(("ddp", "local_sgd", "diloco"), r["runs"].values(), strict=True))
        Path(os.environ["DOCRUN_RESULTS"]).write_text(json.dumps({**r, "runs": losses}))

    fig, axes = plt.subplots(1, 2, figsize=(10, 3.8), sharey=True)
    for i, (label, losses) in enumerate(r["runs"].items()):
        per = 1 if label.startswith("DDP") else INNER_STEPS
        rounds = range(len(losses))
        axes[0].plot(rounds, losses, color=f"C{i}", label=label)
        axes[1].plot([k * per for k in rounds], losses, color=f"C{i}", label=label)
    axes[0].set(xscale="symlog", xlabel="communication rounds (all-reduces)", ylabel="loss")
    axes[1].set(xlabel="gradient evaluations per rank")
    axes[0].set_title("Loss against communication")
    axes[1].set_title("Loss against computation")
    axes[0].legend()
    fig.tight_layout()
    plt.show()


if __name__ == "__main__":
    main()
