"""What the optimizer scripts on this page share: a race against the reference implementation,
and a command line for the learning rate and the two betas."""

import argparse
import sys

import torch


# --8<-- [start:race]
def race_steps(make_ours, make_reference, steps=200, shape=(16, 32), dtype=torch.float64, seed=0):
    """Same start, same data; each step the gradient comes from each run's own parameters.

    Loss: squared error of tanh(X W^T) against a teacher's tanh(X T^T), on a new mini-batch X
    every step. Yields after each step the two weights, the two optimizers and the last loss.
    """
    gen = torch.Generator().manual_seed(seed)
    w0 = torch.randn(shape, generator=gen, dtype=dtype) / shape[1] ** 0.5
    teacher = torch.randn(shape, generator=gen, dtype=dtype) / shape[1] ** 0.5
    ws = [w0.clone().requires_grad_() for _ in range(2)]
    opts = [make_ours([ws[0]]), make_reference([ws[1]])]
    for _ in range(steps):
        x = torch.randn(64, shape[1], generator=gen, dtype=dtype)
        for w, opt in zip(ws, opts, strict=True):
            if hasattr(opt, "train"):  # schedule-free: back to training mode, as a loop would be
                opt.train()
            loss = ((torch.tanh(x @ w.T) - torch.tanh(x @ teacher.T)) ** 2).mean()
            w.grad = None
            loss.backward()
            opt.step()
        yield ws, opts, loss.item()


def race(make_ours, make_reference, **kwargs):
    """The largest |W_ours - W_reference| over all steps, and the last loss."""
    gaps, losses = [], []
    for (ours, reference), _, loss in race_steps(make_ours, make_reference, **kwargs):
        gaps.append((ours - reference).abs().max().item())
        losses.append(loss)
    return max(gaps), losses[-1]


# --8<-- [end:race]


def parse_betas(prog, optimizer, lr, beta1, beta2, argv=None):
    """--lr, --beta1 and --beta2, checked by constructing `optimizer`: one line for a bad value."""
    parser = argparse.ArgumentParser(prog=prog)
    parser.error = lambda msg: sys.exit(f"{parser.prog}: error: {msg}")
    parser.add_argument("--lr", type=float, default=lr)
    parser.add_argument("--beta1", type=float, default=beta1)
    parser.add_argument("--beta2", type=float, default=beta2)
    args = parser.parse_args(argv)
    try:
        optimizer([], lr=args.lr, betas=(args.beta1, args.beta2))
    except ValueError as err:
        parser.error(str(err))
    return args
