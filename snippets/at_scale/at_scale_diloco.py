"""Local SGD and DiLoCo: H local steps per round, then an outer step on the averaged change.

python snippets/at_scale/at_scale_diloco.py [--world-size N]
torchrun --nproc-per-node 4 snippets/at_scale/at_scale_diloco.py
"""

import json
import math
import os
import statistics
from pathlib import Path

import matplotlib.pyplot as plt
import torch
import torch.distributed as dist
from _launch import launch, parse_world_size
from torch.nn.utils import parameters_to_vector, vector_to_parameters

INNER_LR, INNER_MOMENTUM, INNER_STEPS, ROUNDS, BATCH = 0.02, 0.9, 10, 40, 16
TARGET, SEEDS = 0.3, (0, 1, 2)
DIVERGED = 10.0  # a loss above this (about 20 times the start's) ends a run: it diverged
DDP_LRS = (0.01, 0.02, 0.05, 0.1, 0.2)  # the baseline's learning rate, tuned over these
OUTER = {  # key: (label, outer lr, outer momentum, reset the inner buffers every round)
    "local_sgd": ("local SGD (outer momentum 0)", 1.0, 0.0, False),
    # Nesterov's settled step, 0.7 / (1 - 0.9) = 7 times the averaged change, without momentum:
    "outer_sgd_7": ("outer SGD, lr 7, no momentum", 7.0, 0.0, False),
    "diloco": ("DiLoCo (outer Nesterov 0.9)", 0.7, 0.9, False),
    "diloco_reset": ("DiLoCo, inner buffers reset", 0.7, 0.9, True),
}


def make_model(device, seed):
    torch.manual_seed(seed)
    return torch.nn.Sequential(torch.nn.Linear(8, 32), torch.nn.Tanh(), torch.nn.Linear(32, 1)).to(
        device
    )


def shard(rank, n, seed):
    """Rank's own data: inputs centred at a different point for every rank (not i.i.d.)."""
    gen = torch.Generator().manual_seed(seed + rank)
    x = torch.randn(n, 8, generator=gen) + torch.linspace(-1.5, 1.5, 8).roll(rank)
    return x, torch.sin(x.sum(1, keepdim=True))


def batches(rank, seed, device):
    """Rank's training batches for one run: ROUNDS * INNER_STEPS of them."""
    x, y = shard(rank, ROUNDS * INNER_STEPS * BATCH, seed=100 + 1000 * seed)
    return list(zip(x.to(device).split(BATCH), y.to(device).split(BATCH), strict=True))


def evaluate(model, seed, device):
    """Loss on held-out data of every rank (512 points each); the model is the same on all."""
    pieces = [shard(rank, 512, seed=200 + 1000 * seed) for rank in range(dist.get_world_size())]
    x, y = (torch.cat(part).to(device) for part in zip(*pieces, strict=True))
    with torch.no_grad():
        return torch.nn.functional.mse_loss(model(x), y).item()


# --8<-- [start:diloco]
def diloco(device, seed, outer_lr, outer_momentum, reset_inner=False):
    """Each round: INNER_STEPS local steps, then one all-reduce and one outer step."""
    model = make_model(device, seed)  # the same start on every rank
    inner = torch.optim.SGD(model.parameters(), lr=INNER_LR, momentum=INNER_MOMENTUM)
    shared = parameters_to_vector(model.parameters()).detach().clone()  # what all ranks agree on
    outer = torch.optim.SGD(
        [shared], lr=outer_lr, momentum=outer_momentum, nesterov=outer_momentum > 0
    )
    data = iter(batches(dist.get_rank(), seed, device))
    losses = [evaluate(model, seed, device)]
    for _ in range(ROUNDS):
        if reset_inner:  # otherwise each rank's inner buffer carries over into the next round
            inner.state.clear()
        for _, (x, y) in zip(range(INNER_STEPS), data, strict=False):
            inner.zero_grad()
            torch.nn.functional.mse_loss(model(x), y).backward()
            inner.step()
        with torch.no_grad():
            change = shared - parameters_to_vector(model.parameters())
            dist.all_reduce(change)  # the round's one all-reduce; a sum: gloo has no average
            shared.grad = change / dist.get_world_size()  # the averaged change, as a gradient
            outer.step()  # outer lr 1, momentum 0: the plain average of the ranks' models
            vector_to_parameters(shared.clone(), model.parameters())  # a copy: `shared` stays put
        loss = evaluate(model, seed, device)
        if not loss < DIVERGED:  # nan included: the run diverged, its curve ends here
            break
        losses.append(loss)
    return losses


# --8<-- [end:diloco]


def ddp(device, seed, lr):
    """The baseline, all-reduce at every step, run as the one process that DDP equals to float32
    rounding (the DDP section): SGD on the global batch, every rank's batch of each step."""
    model = make_model(device, seed)
    opt = torch.optim.SGD(model.parameters(), lr=lr, momentum=INNER_MOMENTUM)
    data = [batches(rank, seed, device) for rank in range(dist.get_world_size())]
    losses = [evaluate(model, seed, device)]
    for step, pieces in enumerate(zip(*data, strict=True), 1):
        x, y = (torch.cat(part) for part in zip(*pieces, strict=True))
        opt.zero_grad()
        torch.nn.functional.mse_loss(model(x), y).backward()
        opt.step()
        if step % INNER_STEPS == 0:  # measured as often as the other runs: every 10 steps
            loss = evaluate(model, seed, device)
            if not loss < DIVERGED:
                break
            losses.append(loss)
    return losses


def compare(device):
    """Every DDP learning rate and seed (shared out among the ranks), then every outer setting."""
    rank, world = dist.get_rank(), dist.get_world_size()
    jobs = [(lr, seed) for lr in DDP_LRS for seed in SEEDS]
    mine = {i: ddp(device, seed, lr) for i, (lr, seed) in enumerate(jobs) if i % world == rank}
    every = [None] * world
    dist.all_gather_object(every, mine)
    done = {i: losses for part in every for i, losses in part.items()}
    runs = {"ddp": [[done[jobs.index((lr, seed))] for seed in SEEDS] for lr in DDP_LRS]}
    for key, (_, lr, momentum, reset) in OUTER.items():
        runs[key] = [diloco(device, seed, lr, momentum, reset) for seed in SEEDS]
    return {
        "backend": dist.get_backend(),
        "world_size": world,
        "device": str(device),
        "runs": runs,  # ddp: [lr][seed], the others: [seed]; a loss every INNER_STEPS evaluations
    }


def rounds_to_target(losses, per_point):
    """Communication rounds until the loss is first below TARGET (infinite if it never is)."""
    hit = next((k for k, loss in enumerate(losses) if loss < TARGET), None)
    return math.inf if hit is None else hit * per_point


def summary(runs):
    """What the page quotes, from the loss curves (a run that diverged is a short curve: it
    ends before the round whose loss passed DIVERGED)."""
    finished = lambda curves: all(len(c) == ROUNDS + 1 for c in curves)  # noqa: E731
    sweep = [
        statistics.fmean(c[-1] for c in lr) if finished(lr) else math.inf for lr in runs["ddp"]
    ]
    tuned = sweep.index(min(sweep))
    table = {"ddp_untuned": runs["ddp"][DDP_LRS.index(INNER_LR)], "ddp_tuned": runs["ddp"][tuned]}
    table |= {key: runs[key] for key in OUTER}
    final = {key: [c[-1] for c in curves] for key, curves in table.items() if finished(curves)}
    mean = {key: statistics.fmean(losses) for key, losses in final.items()}
    rounds = {  # DDP all-reduces at every step; its loss was measured every INNER_STEPS steps
        key: [rounds_to_target(c, INNER_STEPS if key.startswith("ddp") else 1) for c in curves]
        for key, curves in table.items()
    }
    others = [key for key in table if key != "diloco"]
    return {
        "ddp_lr_tuned": DDP_LRS[tuned],
        "ddp_sweep": [m if m < math.inf else "diverged" for m in sweep],
        "final": final,
        "final_mean": mean,
        "rounds_to_target": {
            k: [h if h < math.inf else "never" for h in v] for k, v in rounds.items()
        },
        "diverged_by_round": {
            key: [len(c) for c in curves] for key, curves in table.items() if key not in final
        },
        "matched_step_diverged_by": max(len(c) for c in runs["outer_sgd_7"]),
        # claims the page makes, each checked against these runs when the site is built
        "diloco_fewest_rounds": all(
            rounds["diloco"][s] < min(rounds[key][s] for key in others) for s in range(len(SEEDS))
        ),
        "matched_step_diverges": "outer_sgd_7" not in final,
        "tuned_ddp_lowest_mean": mean["ddp_tuned"] == min(mean.values()),
        "local_sgd_lower_on_a_seed": any(
            a < b for a, b in zip(final["local_sgd"], final["diloco"], strict=True)
        ),
        "reset_lower_mean": mean["diloco_reset"] < mean["diloco"],
        "tuned_ddp_reaches_target": all(h < math.inf for h in rounds["ddp_tuned"]),
    }


def main(argv=None):
    world_size = parse_world_size(argv, __doc__.splitlines()[0])
    r = launch(compare, world_size)
    if r is None:  # a rank other than 0 under torchrun
        return
    s = summary(r["runs"])
    final, evals = s["final"], ROUNDS * INNER_STEPS
    labels = {
        "ddp_untuned": f"DDP, lr {INNER_LR} (the inner lr)",
        "ddp_tuned": f"DDP, lr {s['ddp_lr_tuned']} (best of {len(DDP_LRS)})",
        **{key: label for key, (label, *_) in OUTER.items()},
    }
    seeds = ", ".join(map(str, SEEDS))
    print(f"device {r['device']}; {r['world_size']} ranks; seeds {seeds}; ", end="")
    print(f"{evals} gradient evaluations per rank in every run")
    print(f"local SGD, DiLoCo: rounds of {INNER_STEPS} steps of SGD(lr={INNER_LR}, ", end="")
    print(f"momentum={INNER_MOMENTUM}) on each rank,")
    print("  its inner buffer kept across rounds (or reset)")
    print("DDP: an all-reduce at every step (run as the one process it equals);")
    print("  final loss by learning rate, mean over the seeds:")
    sweep = zip(DDP_LRS, s["ddp_sweep"], strict=True)
    print("  " + ", ".join(f"{lr} {m:.4f}" if m != "diverged" else f"{lr} {m}" for lr, m in sweep))
    print(f"\n{'':30}{'final loss of seed':^24} {'mean':>8}   rounds to loss < {TARGET}")
    seeds = "".join(f"{seed:>8}" for seed in SEEDS)
    print(f"{'':30}{seeds}{'':9}{''.join(f'{seed:>7}' for seed in SEEDS)}")
    for key, label in labels.items():
        if key in final:
            losses = "".join(f"{v:>8.4f}" for v in final[key]) + f" {s['final_mean'][key]:>8.4f}"
        else:
            rounds = ", ".join(map(str, s["diverged_by_round"][key]))
            losses = f"{'diverged by round ' + rounds:>33}"
        hits = "".join(f"{h:>7}" for h in s["rounds_to_target"][key])
        print(f"{label:30}{losses} {hits}")

    if "DOCRUN_RESULTS" in os.environ:  # the site's build quotes these numbers on its pages
        results = {key: r[key] for key in ("backend", "world_size", "device", "runs")}
        Path(os.environ["DOCRUN_RESULTS"]).write_text(json.dumps({**results, **s}))

    fig, axes = plt.subplots(1, 2, figsize=(10, 3.8), sharey=True)
    shown = {"ddp_tuned": "DDP (all-reduce every step)", "local_sgd": OUTER["local_sgd"][0]}
    shown["diloco"] = OUTER["diloco"][0]
    for i, (key, label) in enumerate(shown.items()):
        tuned = DDP_LRS.index(s["ddp_lr_tuned"])
        curves = r["runs"]["ddp"][tuned] if key == "ddp_tuned" else r["runs"][key]
        per = INNER_STEPS if key == "ddp_tuned" else 1  # all-reduces between two points
        for seed, losses in enumerate(curves):
            points = range(len(losses))
            name = label if seed == 0 else None  # one legend entry for the seeds of a setting
            axes[0].plot([k * per for k in points], losses, color=f"C{i}", label=name, lw=1)
            axes[1].plot([k * INNER_STEPS for k in points], losses, color=f"C{i}", lw=1)
    axes[0].set(xscale="symlog", xlabel="communication rounds (all-reduces)", ylabel="loss")
    axes[1].set(xlabel="gradient evaluations per rank")
    axes[0].set_title("Loss against communication")
    axes[1].set_title("Loss against computation")
    axes[0].legend()
    fig.tight_layout()
    plt.show()


if __name__ == "__main__":
    main()
