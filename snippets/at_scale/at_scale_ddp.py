"""DDP with momentum: the same buffer on every rank, and one process's run on the global batch.

python snippets/at_scale/at_scale_ddp.py [--world-size N]     (starts its ranks with _launch.py)
torchrun --nproc-per-node 4 snippets/at_scale/at_scale_ddp.py
"""

import contextlib
import json
import os
from pathlib import Path

import torch
import torch.distributed as dist
from _launch import launch, parse_world_size
from torch.nn.parallel import DistributedDataParallel as DDP


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
def ddp_run(device, micro_batches=1):
    """SGD with momentum under DDP; each rank takes its slice of every global batch."""
    rank, world = dist.get_rank(), dist.get_world_size()
    model = DDP(make_model(device))
    opt = torch.optim.SGD(model.parameters(), lr=LR, momentum=MOMENTUM)
    for x, y in global_batches(STEPS, world * PER_RANK, device):
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


def experiment(device):
    world = dist.get_world_size()
    model, opt = ddp_run(device)
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


def main(argv=None):
    world_size = parse_world_size(argv, __doc__.splitlines()[0])
    r = launch(experiment, world_size)
    if r is None:  # a rank other than 0 under torchrun
        return
    if "DOCRUN_RESULTS" in os.environ:  # the site's build quotes these results on its pages
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
