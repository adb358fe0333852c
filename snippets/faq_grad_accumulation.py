"""Gradient accumulation against one larger batch, with SGD and momentum.

Four micro-batches of 8, each loss divided by 4 and backpropagated before one optimizer step,
give the gradient of the mean loss over the 32 examples: the same step as one batch of 32, to
rounding, momentum included (the buffer is updated once per optimizer step either way). Two
things break the equality: forgetting the division (the step is 4 times larger) and BatchNorm,
whose statistics are computed per micro-batch.
"""

import torch

device = "cuda" if torch.cuda.is_available() else "cpu"


# --8<-- [start:accumulate]
def train(model, x, y, micro_batches, divide=True, steps=20, lr=0.05, momentum=0.9):
    """SGD with momentum; each step accumulates gradients over `micro_batches` chunks of (x, y)."""
    opt = torch.optim.SGD(model.parameters(), lr=lr, momentum=momentum)
    for _ in range(steps):
        opt.zero_grad()
        for xb, yb in zip(x.chunk(micro_batches), y.chunk(micro_batches), strict=True):
            loss = torch.nn.functional.mse_loss(model(xb), yb)
            (loss / micro_batches if divide else loss).backward()  # gradients add up in .grad
        opt.step()
    return torch.cat([p.detach().flatten() for p in model.parameters()])


# --8<-- [end:accumulate]


def make(batchnorm, seed=0):
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


def params(model):
    return torch.cat([p.detach().flatten() for p in model.parameters()])


def compare(batchnorm, divide=True, steps=20):
    """Largest parameter change of one batch of 32, and largest difference to 4 micro-batches."""
    x, y = data()
    start = params(make(batchnorm))
    big = train(make(batchnorm), x, y, 1, steps=steps)
    accumulated = train(make(batchnorm), x, y, 4, divide=divide, steps=steps)
    return (big - start).abs().max().item(), (big - accumulated).abs().max().item()


def first_step_ratio():
    """Length of the first step with 4 undivided micro-batches over that of one batch of 32."""
    x, y = data()
    start = params(make(False))
    one = train(make(False), x, y, 1, steps=1) - start
    four = train(make(False), x, y, 4, divide=False, steps=1) - start
    return (four.norm() / one.norm()).item()


if __name__ == "__main__":
    print(f"device {device}, float64; one batch of 32 against 4 micro-batches of 8, momentum 0.9")
    print(f"  {'20 steps':<40} {'max |change|':>13} {'max |difference|':>17}")
    for name, bn in (("MLP, each loss / 4", False), ("MLP with BatchNorm, each loss / 4", True)):
        change, diff = compare(bn)
        print(f"  {name:<40} {change:>13.1e} {diff:>17.1e}")
    print(f"first step, losses not divided by 4, over one batch's: {first_step_ratio():.3f}")
