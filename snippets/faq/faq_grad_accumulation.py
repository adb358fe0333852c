"""Gradient accumulation against one larger batch, with SGD and momentum.

Four micro-batches of 8, each loss divided by 4 and backpropagated before one optimizer step,
give the gradient of the mean loss over the 32 examples: the same step as one batch of 32, to
rounding, momentum included (the buffer is updated once per optimizer step either way). What
breaks the equality:

- BatchNorm, whose statistics are computed per micro-batch;
- padding, when the micro-batches hold different numbers of real tokens: the mean of the
  micro-batches' means is not the mean over all tokens; summing each micro-batch's token losses
  and dividing by the whole batch's token count is;
- forgetting the division: the gradient is 4 times larger, which is the run of a 4 times larger
  learning rate only while nothing else acts on the gradient: coupled weight decay (added after
  the accumulation, undivided) and gradient clipping (which cuts the larger gradient back) do.
"""

import json
import os
from pathlib import Path

import torch

device = "cuda" if torch.cuda.is_available() else "cpu"


def params(model):
    return torch.cat([p.detach().flatten() for p in model.parameters()])


# --8<-- [start:accumulate]
def train(model, x, y, micro_batches, divide=True, lr=0.05, weight_decay=0.0, clip=None, steps=20):
    """SGD with momentum 0.9; each step accumulates gradients over `micro_batches` chunks of
    (x, y); clip: max_norm of clip_grad_norm_, applied to the accumulated gradient."""
    opt = torch.optim.SGD(model.parameters(), lr=lr, momentum=0.9, weight_decay=weight_decay)
    for _ in range(steps):
        opt.zero_grad()
        for xb, yb in zip(x.chunk(micro_batches), y.chunk(micro_batches), strict=True):
            loss = torch.nn.functional.mse_loss(model(xb), yb)
            (loss / micro_batches if divide else loss).backward()  # gradients add up in .grad
        if clip is not None:
            torch.nn.utils.clip_grad_norm_(model.parameters(), clip)
        opt.step()
    return params(model)


def train_padded(model, x, y, mask, micro_batches, per_token=True, lr=0.05, steps=20):
    """The same with padding: mask is 1 for a real token, 0 for padding. per_token: each
    micro-batch sums its tokens' losses and divides by the real tokens of the whole batch;
    otherwise it takes the mean over its own real tokens, divided by the number of micro-batches."""
    opt = torch.optim.SGD(model.parameters(), lr=lr, momentum=0.9)
    tokens = mask.sum()  # in the whole batch
    for _ in range(steps):
        opt.zero_grad()
        chunks = zip(*(t.chunk(micro_batches) for t in (x, y, mask)), strict=True)
        for xb, yb, mb in chunks:
            errors = ((model(xb) - yb) ** 2).squeeze(1) * mb  # padding counts zero
            share = tokens if per_token else mb.sum() * micro_batches
            (errors.sum() / share).backward()
        opt.step()
    return params(model)


# --8<-- [end:accumulate]

MICRO = 4  # micro-batches of 8 in a batch of 32
REAL_TOKENS = (8, 6, 4, 2)  # real tokens in each micro-batch of 8 positions; the rest is padding
WEIGHT_DECAY, MAX_NORM = 1e-4, 1.0


def make(batchnorm=False, seed=0):
    torch.manual_seed(seed)
    layers = [torch.nn.Linear(4, 16)]
    layers += [torch.nn.BatchNorm1d(16)] if batchnorm else []
    layers += [torch.nn.ReLU(), torch.nn.Linear(16, 1)]
    return torch.nn.Sequential(*layers).to(device, torch.float64)


def data(seed=0):
    gen = torch.Generator().manual_seed(seed)
    x = torch.randn(32, 4, generator=gen, dtype=torch.float64)
    y = x.sum(1, keepdim=True).sin() + 0.1 * torch.randn(32, 1, generator=gen, dtype=torch.float64)
    return x.to(device), y.to(device)


def padding_mask(real=REAL_TOKENS, size=8):
    """1 for the real tokens at the start of each micro-batch of `size` positions, 0 after."""
    rows = [[1.0] * n + [0.0] * (size - n) for n in real]
    return torch.tensor(rows, dtype=torch.float64, device=device).flatten()


def compare(batchnorm, divide=True, steps=20):
    """Largest parameter change of one batch of 32, and largest difference to 4 micro-batches."""
    x, y = data()
    start = params(make(batchnorm))
    big = train(make(batchnorm), x, y, 1, steps=steps)
    accumulated = train(make(batchnorm), x, y, MICRO, divide=divide, steps=steps)
    return (big - start).abs().max().item(), (big - accumulated).abs().max().item()


def compare_padded(per_token, steps=20):
    """Largest difference between one padded batch of 32 and 4 padded micro-batches."""
    x, y = data()
    mask = padding_mask()
    big = train_padded(make(), x, y, mask, 1, steps=steps)
    accumulated = train_padded(make(), x, y, mask, MICRO, per_token=per_token, steps=steps)
    return (big - accumulated).abs().max().item()


def undivided_against_larger_lr(weight_decay=0.0, clip=None, steps=20):
    """Largest difference between 4 micro-batches not divided by 4 at lr 0.05 and divided ones at
    lr 4 x 0.05: zero when forgetting the division is the same as a 4 times larger lr."""
    x, y = data()
    kw = {"weight_decay": weight_decay, "clip": clip, "steps": steps}
    undivided = train(make(), x, y, MICRO, divide=False, lr=0.05, **kw)
    larger_lr = train(make(), x, y, MICRO, divide=True, lr=MICRO * 0.05, **kw)
    return (undivided - larger_lr).abs().max().item()


def clipped_steps(steps=20):
    """On how many steps clip_grad_norm_ shortens the undivided gradient (its norm > MAX_NORM)."""
    x, y = data()
    model = make()
    opt = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
    clipped = 0
    for _ in range(steps):
        opt.zero_grad()
        for xb, yb in zip(x.chunk(MICRO), y.chunk(MICRO), strict=True):
            torch.nn.functional.mse_loss(model(xb), yb).backward()
        clipped += torch.nn.utils.clip_grad_norm_(model.parameters(), MAX_NORM).item() > MAX_NORM
        opt.step()
    return clipped


def first_step_ratio():
    """Length of the first step with 4 undivided micro-batches over that of one batch of 32."""
    x, y = data()
    start = params(make())
    one = train(make(), x, y, 1, steps=1) - start
    four = train(make(), x, y, MICRO, divide=False, steps=1) - start
    return (four.norm() / one.norm()).item()


if __name__ == "__main__":
    torch.set_num_threads(1)  # a 4-16-1 network: one thread is fastest
    print(f"device {device}, float64, momentum 0.9, 20 steps: one batch of 32 against")
    print(f"4 micro-batches of 8{'max |change|':>39} {'max |difference|':>17}")
    results = {}
    for name, bn in (("MLP, each loss / 4", False), ("MLP with BatchNorm, each loss / 4", True)):
        change, diff = compare(bn)
        print(f"  {name:<44} {change:>13.1e} {diff:>17.1e}")
        results["batchnorm" if bn else "mlp"] = {"change": change, "gap": diff}
    tokens = int(sum(REAL_TOKENS))
    print(f"with padding: {', '.join(map(str, REAL_TOKENS))} real tokens in the micro-batches")
    for name, per_token in (
        ("each its own mean / 4", False),
        (f"each sum / {tokens} tokens", True),
    ):
        diff = compare_padded(per_token)
        print(f"  {name:<44} {'':>13} {diff:>17.1e}")
        results["padded_per_token" if per_token else "padded_mean_of_means"] = diff
    print("losses not divided by 4, against divided ones at 4 times the lr")
    for key, name, kw in (
        ("plain", "SGD, momentum 0.9", {}),
        ("weight_decay", f"and weight_decay={WEIGHT_DECAY:g}", {"weight_decay": WEIGHT_DECAY}),
        ("clip", f"and clip_grad_norm_(max_norm={MAX_NORM:g})", {"clip": MAX_NORM}),
    ):
        diff = undivided_against_larger_lr(**kw)
        print(f"  {name:<44} {'':>13} {diff:>17.1e}")
        results.setdefault("undivided_vs_lr_x4", {})[key] = diff
    clipped = clipped_steps()
    print(f"  (clipping shortens the undivided gradient on {clipped} of the 20 steps)")
    ratio = first_step_ratio()
    print(f"first step, losses not divided by 4, over one batch's: {ratio:.3f}")
    results.update(tokens=tokens, clipped_steps=clipped, first_step_ratio=ratio)
    # dividing a loss by 4 and multiplying the lr by 4 are exact in binary, so the two runs
    # should be the same numbers; 1e-12 allows for a device that sums in another order
    results["undivided_is_lr_x4"] = results["undivided_vs_lr_x4"]["plain"] < 1e-12
    if "DOCRUN_RESULTS" in os.environ:  # the site's build quotes these numbers on its pages
        Path(os.environ["DOCRUN_RESULTS"]).write_text(json.dumps(results))
