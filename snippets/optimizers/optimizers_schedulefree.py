"""Schedule-free SGD from scratch against schedulefree.SGDScheduleFree, and its BatchNorm caveat."""

import importlib.metadata
import json
import os
from pathlib import Path

import torch
from _compare import race_steps


# --8<-- [start:schedulefree]
class SGDScheduleFree:
    """Defazio et al. 2024, as schedulefree.SGDScheduleFree computes it (no weight decay).

    z: plain SGD steps, taken with the gradient at y.
    x: the running average of the z's: what you evaluate.
    y = (1 - beta) z + beta x: where the gradient is taken, and what the parameters hold in
    training.
    """

    def __init__(self, params, lr=1.0, momentum=0.9, warmup_steps=0, weight_lr_power=2.0):
        if not lr >= 0:
            raise ValueError(f"lr must be >= 0, got {lr}")
        if not 0 < momentum < 1:
            raise ValueError(f"momentum must lie in (0, 1), got {momentum}")
        self.params, self.lr, self.beta = list(params), lr, momentum
        self.warmup, self.power, self.k, self.lr_max, self.weight_sum = (
            warmup_steps,
            weight_lr_power,
            0,
            0.0,
            0.0,
        )
        self.z = [p.detach().clone() for p in self.params]
        self.x = [p.detach().clone() for p in self.params]

    @torch.no_grad()
    def step(self):
        lr = self.lr * min(1.0, (self.k + 1) / self.warmup) if self.warmup else self.lr
        self.lr_max = max(self.lr_max, lr)
        weight = self.lr_max**self.power  # each z's weight in the average
        self.weight_sum += weight
        c = weight / self.weight_sum  # 1 / (k + 1) at a constant lr: a uniform average
        for p, z, x in zip(self.params, self.z, self.x, strict=True):
            z.sub_(lr * p.grad)  # SGD on z, with the gradient taken at y
            x.lerp_(z, c)  # x <- (1 - c) x + c z
            p.copy_((1 - self.beta) * z + self.beta * x)  # the next y
        self.k += 1

    @torch.no_grad()
    def eval(self):
        """Put x in the parameters: call before evaluating or saving."""
        for p, x in zip(self.params, self.x, strict=True):
            p.copy_(x)

    @torch.no_grad()
    def train(self):
        """Put y back: call before training resumes."""
        for p, z, x in zip(self.params, self.z, self.x, strict=True):
            p.copy_((1 - self.beta) * z + self.beta * x)


# --8<-- [end:schedulefree]


def race(make_ours, make_reference, **kwargs):
    """Largest |y_ours - y_ref| in training, and |x_ours - x_ref| at evaluation."""
    train_gap = eval_gap = 0.0
    for k, ((ours, ref), opts, _) in enumerate(race_steps(make_ours, make_reference, **kwargs)):
        train_gap = max(train_gap, (ours - ref).abs().max().item())
        if k % 10 == 9:  # switch both to eval now and then, as a validation loop would
            for opt in opts:
                opt.eval()
            eval_gap = max(eval_gap, (ours - ref).abs().max().item())
    return train_gap, eval_gap


# --8<-- [start:batchnorm]
def batchnorm_caveat(steps=300, seed=0):
    """Test loss of a schedule-free BatchNorm MLP: stale statistics, then recomputed ones."""
    import schedulefree

    gen = torch.Generator().manual_seed(seed)
    teacher = torch.randn(20, 1, generator=gen)
    data = [torch.randn(64, 20, generator=gen) * 3 + 1 for _ in range(steps)]
    test = torch.randn(2048, 20, generator=gen) * 3 + 1
    torch.manual_seed(seed)
    model = torch.nn.Sequential(
        torch.nn.Linear(20, 64), torch.nn.BatchNorm1d(64), torch.nn.ReLU(), torch.nn.Linear(64, 1)
    )
    opt = schedulefree.SGDScheduleFree(model.parameters(), lr=0.1)
    model.train()
    opt.train()  # the optimizer starts in eval mode: step() refuses to run before this
    for x in data:
        loss = ((model(x) - torch.tanh(x @ teacher)) ** 2).mean()
        opt.zero_grad()
        loss.backward()
        opt.step()

    def test_loss():
        model.eval()
        with torch.no_grad():
            return ((model(test) - torch.tanh(test @ teacher)) ** 2).mean().item()

    opt.eval()  # the weights are now x, but BatchNorm's running statistics were gathered at y
    stale = test_loss()
    model.train()  # recompute the statistics at x: forward passes in train mode, no steps
    for m in model.modules():
        if isinstance(m, torch.nn.BatchNorm1d):
            m.reset_running_stats()
            m.momentum = None  # a plain average over the batches below
    with torch.no_grad():
        for x in data[:50]:
            model(x)
    return stale, test_loss()


# --8<-- [end:batchnorm]


if __name__ == "__main__":
    import inspect

    import schedulefree

    torch.set_num_threads(1)
    signature = inspect.signature(schedulefree.SGDScheduleFree).parameters
    keep = ("lr", "momentum", "weight_decay", "warmup_steps", "r", "weight_lr_power")
    results = {"defaults": {k: signature[k].default for k in keep}, "gaps": {}}
    print(f"device: cpu; torch {importlib.metadata.version('torch')}", end="; ")
    print(f"schedulefree {importlib.metadata.version('schedulefree')}")
    for name, kwargs, key in [
        ("lr 0.5", {"lr": 0.5}, "constant"),
        ("lr 0.5, warmup 50", {"lr": 0.5, "warmup_steps": 50}, "warmup"),
    ]:
        train_gap, eval_gap = race(
            lambda ps, kw=kwargs: SGDScheduleFree(ps, **kw),
            lambda ps, kw=kwargs: schedulefree.SGDScheduleFree(ps, **kw),
        )
        results["gaps"][key] = {
            "train": train_gap,
            "eval": eval_gap,
            "max": max(train_gap, eval_gap),
        }
        print(
            f"float64, {name}, 200 steps: largest |difference| in training (y) {train_gap:.1e},",
            end="",
        )
        print(f" at eval (x) {eval_gap:.1e}")
    stale, fresh = batchnorm_caveat()
    results.update(stale_loss=stale, fresh_loss=fresh, recompute_helps=fresh < stale)
    print("BatchNorm MLP, 300 steps of SGDScheduleFree(lr=0.1), test loss at x:")
    print(f"  running statistics from training (gathered at y): {stale:.4f}")
    print(f"  statistics recomputed at x on 50 training batches: {fresh:.4f}")

    if "DOCRUN_RESULTS" in os.environ:  # the site's build quotes these numbers on its pages
        Path(os.environ["DOCRUN_RESULTS"]).write_text(json.dumps(results))
