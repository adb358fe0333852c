"""Sharded momentum: ZeroRedundancyOptimizer and FSDP2 keep 1/N of the buffers on each rank.

python snippets/at_scale/at_scale_sharded.py [--world-size N]
torchrun --nproc-per-node 4 snippets/at_scale/at_scale_sharded.py
"""

import json
import os
from pathlib import Path

import torch
import torch.distributed as dist
from _launch import launch, parse_world_size
from torch.distributed.device_mesh import init_device_mesh
from torch.distributed.fsdp import fully_shard
from torch.distributed.optim import ZeroRedundancyOptimizer
from torch.distributed.tensor import DTensor
from torch.nn.parallel import DistributedDataParallel as DDP

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


def main(argv=None):
    evenly = f"divide {WIDTH} rows evenly: 1, 2, 4, 8 or 16"
    world_size = parse_world_size(argv, __doc__.splitlines()[0], (1, 2, 4, 8, 16), evenly)
    r = launch(compare, world_size)
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
