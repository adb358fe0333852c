"""Gradient accumulation: k micro-batches equal one big batch when each loss is divided by k."""

import torch

LR, MOMENTUM, STEPS, BATCH = 0.05, 0.9, 40, 32


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
def train(micro_batches, divide=True, lr=LR, batchnorm=False):
    """SGD with momentum; each step's batch of 32 is fed as `micro_batches` pieces."""
    model = make_model(batchnorm)
    opt = torch.optim.SGD(model.parameters(), lr=lr, momentum=MOMENTUM)
    for x, y in batches():
        opt.zero_grad()
        for xm, ym in zip(x.chunk(micro_batches), y.chunk(micro_batches), strict=True):
            loss = torch.nn.functional.mse_loss(model(xm), ym)  # the mean over the micro-batch
            (loss / micro_batches if divide else loss).backward()  # .grad adds up
        opt.step()
    return model, opt


# --8<-- [end:accumulate]


def gap(a, b):
    pairs = zip(a.parameters(), b.parameters(), strict=True)
    return max((p - q).abs().max().item() for p, q in pairs)


def buffer_norm(model, opt):
    return torch.cat([opt.state[p]["momentum_buffer"].flatten() for p in model.parameters()]).norm()


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
    return {
        "mean": gap(mean, big),
        "summed": gap(summed, big),
        "summed_lr_over_k": gap(summed_lr_over_k, big),
        "buffer_ratio": (buffer_norm(summed_lr_over_k, its_opt) / buffer_norm(big, big_opt)).item(),
        "batchnorm": gap(bn_acc, bn_big),
        **stats_gap,
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
    print(f"(largest parameter magnitude: {r['scale']:.2f})")
