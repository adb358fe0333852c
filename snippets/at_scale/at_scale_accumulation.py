"""Gradient accumulation: k micro-batches equal one big batch when each loss is divided by k."""

import json
import os
from pathlib import Path

import torch

LR, MOMENTUM, STEPS, BATCH = 0.05, 0.9, 40, 32
WEIGHT_DECAY, MAX_NORM = 0.01, 1.0  # coupled weight decay; clipping of the gradient's norm


def make_model(batchnorm):
    torch.manual_seed(0)
    norm = [torch.nn.BatchNorm1d(32)] if batchnorm else []
    return torch.nn.Sequential(
        torch.nn.Linear(8, 32), *norm, torch.nn.Tanh(), torch.nn.Linear(32, 1)
    )


def batches():
    gen = torch.Generator().manual_seed(1)
    for _ in range(STEPS):
        x = torch.randn(BATCH, 8, generator=gen)
        yield x, torch.sin(x.sum(1, keepdim=True))


# --8<-- [start:accumulate]
def train(micro_batches, divide=True, lr=LR, batchnorm=False, weight_decay=0.0, max_norm=None):
    """SGD with momentum; each step's batch of 32 is fed as `micro_batches` pieces."""
    model = make_model(batchnorm)
    opt = torch.optim.SGD(model.parameters(), lr=lr, momentum=MOMENTUM, weight_decay=weight_decay)
    for x, y in batches():
        opt.zero_grad()
        for xm, ym in zip(x.chunk(micro_batches), y.chunk(micro_batches), strict=True):
            loss = torch.nn.functional.mse_loss(model(xm), ym)  # the mean over the micro-batch
            (loss / micro_batches if divide else loss).backward()  # .grad adds up
        if max_norm is not None:  # sees the accumulated gradient's size
            torch.nn.utils.clip_grad_norm_(model.parameters(), max_norm)
        opt.step()  # weight decay adds weight_decay * theta to the accumulated gradient
    return model, opt


# --8<-- [end:accumulate]


# --8<-- [start:tokens]
def padded_batches(steps=STEPS, batch=BATCH, length=8):
    """Sequences of 1 to `length` real tokens, padded to `length`: (x, y, mask) per step."""
    gen = torch.Generator().manual_seed(2)
    for _ in range(steps):
        x = torch.randn(batch, length, 8, generator=gen)
        real = torch.randint(1, length + 1, (batch, 1), generator=gen)
        yield x, torch.sin(x.sum(-1, keepdim=True)), torch.arange(length) < real


def train_tokens(micro_batches, per_micro_batch_mean):
    """A per-token loss over the real tokens only; micro-batches hold different token counts."""
    model = make_model(batchnorm=False)
    opt = torch.optim.SGD(model.parameters(), lr=LR, momentum=MOMENTUM)
    for x, y, mask in padded_batches():
        opt.zero_grad()
        tokens = mask.sum()  # real tokens in the whole batch
        for xm, ym, mm in zip(*(t.chunk(micro_batches) for t in (x, y, mask)), strict=True):
            errors = (model(xm) - ym).squeeze(-1).pow(2)[mm]  # the real tokens' errors
            if per_micro_batch_mean:  # each micro-batch's mean, divided by k
                (errors.mean() / micro_batches).backward()
            else:  # the sum, divided by the batch's token count: the big batch's mean
                (errors.sum() / tokens).backward()
        opt.step()
    return model


# --8<-- [end:tokens]


def gap(a, b):
    pairs = zip(a.parameters(), b.parameters(), strict=True)
    return max((p - q).abs().max().item() for p, q in pairs)


def buffer_norm(model, opt):
    return torch.cat([opt.state[p]["momentum_buffer"].flatten() for p in model.parameters()]).norm()


def clipped_steps(max_norm):
    """How many of the big batch's steps the clipping changed (its norm above max_norm)."""
    model = make_model(batchnorm=False)
    opt = torch.optim.SGD(model.parameters(), lr=LR, momentum=MOMENTUM)
    clipped = 0
    for x, y in batches():
        opt.zero_grad()
        torch.nn.functional.mse_loss(model(x), y).backward()
        clipped += int(torch.nn.utils.clip_grad_norm_(model.parameters(), max_norm) > max_norm)
        opt.step()
    return clipped


def table(k=4):
    big, big_opt = train(1)
    mean, _ = train(k)
    summed, _ = train(k, divide=False)
    summed_lr_over_k, its_opt = train(k, divide=False, lr=LR / k)
    bn_big, _ = train(1, batchnorm=True)
    bn_acc, _ = train(k, batchnorm=True)
    stats_gap = {
        name: (getattr(bn_acc[1], name) - getattr(bn_big[1], name)).abs().max().item()
        for name in ("running_mean", "running_var")
    }
    decayed, _ = train(1, weight_decay=WEIGHT_DECAY)
    clipped, _ = train(1, max_norm=MAX_NORM)
    summed_k = dict(micro_batches=k, divide=False, lr=LR / k)
    big_tokens = train_tokens(1, per_micro_batch_mean=True)
    _, _, first_mask = next(padded_batches())
    return {
        "mean": gap(mean, big),
        "summed": gap(summed, big),
        "summed_lr_over_k": gap(summed_lr_over_k, big),
        "buffer_ratio": (buffer_norm(summed_lr_over_k, its_opt) / buffer_norm(big, big_opt)).item(),
        "batchnorm": gap(bn_acc, bn_big),
        **stats_gap,
        "weight_decay": gap(train(**summed_k, weight_decay=WEIGHT_DECAY)[0], decayed),
        "weight_decay_times_k": gap(train(**summed_k, weight_decay=k * WEIGHT_DECAY)[0], decayed),
        "clipping": gap(train(**summed_k, max_norm=MAX_NORM)[0], clipped),
        "clipping_times_k": gap(train(**summed_k, max_norm=k * MAX_NORM)[0], clipped),
        "clipped_steps": clipped_steps(MAX_NORM),
        "tokens_micro_mean": gap(train_tokens(k, per_micro_batch_mean=True), big_tokens),
        "tokens_global_mean": gap(train_tokens(k, per_micro_batch_mean=False), big_tokens),
        "tokens_first_step": [int(m.sum()) for m in first_mask.chunk(k)],
        "scale": max(p.abs().max().item() for p in big.parameters()),
    }


if __name__ == "__main__":
    torch.set_num_threads(1)
    k = 4
    r = table(k)
    print(f"{STEPS} steps of SGD(lr={LR}, momentum={MOMENTUM}) on batches of {BATCH}")
    print(f"{k} micro-batches of {BATCH // k} against one batch of {BATCH}:")
    print(f"{'largest parameter gap':>58}")
    print(f"  losses divided by {k} (mean)              {r['mean']:>14.1e}")
    print(f"  losses summed, same lr                  {r['summed']:>14.1e}")
    print(f"  losses summed, lr / {k}                   {r['summed_lr_over_k']:>14.1e}", end="")
    print(f"   (buffer {r['buffer_ratio']:.3f}x as large)")
    print(f"  with BatchNorm, losses divided by {k}     {r['batchnorm']:>14.1e}")
    print(f"    BatchNorm running mean, largest gap   {r['running_mean']:>14.1e}")
    print(f"    BatchNorm running var, largest gap    {r['running_var']:>14.1e}")
    print(
        f"against the big batch with the same weight decay {WEIGHT_DECAY} or clipping {MAX_NORM}:"
    )
    print(f"  losses summed, lr / {k}, weight decay      {r['weight_decay']:>14.1e}")
    print(f"  ... and weight decay x {k}                 {r['weight_decay_times_k']:>14.1e}")
    print(f"  losses summed, lr / {k}, clipping          {r['clipping']:>14.1e}", end="")
    print(f"   (clipped: {r['clipped_steps']} of {STEPS} big-batch steps)")
    print(f"  ... and clipping threshold x {k}           {r['clipping_times_k']:>14.1e}")
    print("per-token loss over padded sequences, against the big batch's mean over its tokens")
    print(f"(real tokens in the first step's micro-batches: {r['tokens_first_step']}):")
    print(f"  each micro-batch's mean / {k}              {r['tokens_micro_mean']:>14.1e}")
    print(f"  sum / the batch's token count           {r['tokens_global_mean']:>14.1e}")
    print(f"(largest parameter magnitude: {r['scale']:.2f})")
    if "DOCRUN_RESULTS" in os.environ:  # the site's build quotes these numbers on its pages
        Path(os.environ["DOCRUN_RESULTS"]).write_text(json.dumps(r))
