"""NAdam from scratch against torch.optim.NAdam: where the Nesterov step sits, and mu_t."""

import importlib.metadata
import itertools
import json
import math
import os
from pathlib import Path

import torch
from _compare import race


# --8<-- [start:schedule]
def mu(t, beta1=0.9, momentum_decay=4e-3):
    """NAdam's momentum coefficient at step t: Dozat's (2016) schedule, psi = 0.004 = 1/250,
    which torch.optim.NAdam implements with momentum_decay."""
    return beta1 * (1 - 0.5 * 0.96 ** (t * momentum_decay))


# --8<-- [end:schedule]


# --8<-- [start:nadam]
class NAdam:
    """torch.optim.NAdam without weight decay: Adam whose step looks one momentum step ahead."""

    def __init__(self, params, lr=2e-3, betas=(0.9, 0.999), eps=1e-8, momentum_decay=4e-3):
        if not lr >= 0:
            raise ValueError(f"lr must be >= 0, got {lr}")
        if not all(0 <= b < 1 for b in betas):
            raise ValueError(f"betas must lie in [0, 1), got {betas}")
        self.params, self.lr, self.betas, self.eps = list(params), lr, betas, eps
        self.psi, self.t, self.mu_product = momentum_decay, 0, 1.0
        self.m = [torch.zeros_like(p) for p in self.params]
        self.v = [torch.zeros_like(p) for p in self.params]

    @torch.no_grad()
    def step(self):
        (b1, b2), self.t = self.betas, self.t + 1
        mu_t, mu_next = mu(self.t, b1, self.psi), mu(self.t + 1, b1, self.psi)
        self.mu_product *= mu_t  # mu_1 mu_2 ... mu_t: NAdam's bias correction
        for p, m, v in zip(self.params, self.m, self.v, strict=True):
            g = p.grad
            m.mul_(b1).add_(g, alpha=1 - b1)  # the buffer: moving average with beta1
            v.mul_(b2).addcmul_(g, g, value=1 - b2)
            denom = (v / (1 - b2**self.t)).sqrt() + self.eps
            # the gradient with weight 1 - mu_t, the buffer with the *next* step's mu_{t+1}
            step = (1 - mu_t) / (1 - self.mu_product) * g
            step += mu_next / (1 - self.mu_product * mu_next) * m
            p.sub_(self.lr * step / denom)


# --8<-- [end:nadam]


def torch_mus(steps):
    """mu_t as torch.optim.NAdam applies it: the ratio of its stored products mu_1...mu_t."""
    p = torch.zeros(1, dtype=torch.float64, requires_grad=True)
    opt, products = torch.optim.NAdam([p]), [1.0]
    for _ in range(steps):
        p.grad = torch.ones_like(p)
        opt.step()
        products.append(opt.state[p]["mu_product"].item())
    return [b / a for a, b in itertools.pairwise(products)]


def step_weights(t, beta1=0.9, momentum_decay=4e-3):
    """NAdam's weights on g_k and on the new buffer m_{k+1} in its step at step t."""
    mus = [mu(i, beta1, momentum_decay) for i in range(1, t + 2)]
    product = math.prod(mus[:t])  # mu_1 ... mu_t
    return (1 - mus[t - 1]) / (1 - product), mus[t] / (1 - product * mus[t])


if __name__ == "__main__":
    torch.set_num_threads(1)
    d = torch.optim.NAdam([torch.zeros(1, requires_grad=True)]).defaults
    results = {"defaults": {k: list(v) if isinstance(v, tuple) else v for k, v in d.items()}}
    results["defaults"] = {
        k: results["defaults"][k] for k in ("lr", "betas", "eps", "momentum_decay", "weight_decay")
    }
    print(f"device: cpu; torch {importlib.metadata.version('torch')}")
    print("mu_t with beta1 = 0.9, momentum_decay = 0.004:")
    results["mu_t"] = {}
    for t in (1, 10, 100, 1_000, 10_000, 100_000):
        results["mu_t"][str(t)] = mu(t)
        print(f"  t = {t:>7,}: mu_t = {mu(t):.4f}")
    print("weights in the step (bias corrections included): NAdam's on g_k and on the new buffer")
    print("m_{k+1}; Adam's on m_{k+1}, its whole step (g_k enters only through the buffer):")
    print(f"  {'t':>7}  {'NAdam: on g_k':>13}  {'on m_{k+1}':>10}  {'Adam: on m_{k+1}':>16}")
    results["weights"] = {}
    for t in (10, 100, 1_000, 10_000):
        on_g, on_m = step_weights(t)
        adam_on_m = 1 / (1 - 0.9**t)  # Adam steps by m_{k+1} / (1 - beta1^t): nothing else
        results["weights"][str(t)] = {"nadam_g": on_g, "nadam_m": on_m, "adam_m": adam_on_m}
        print(f"  {t:>7,}  {on_g:>13.4f}  {on_m:>10.4f}  {adam_on_m:>16.4f}")
    previous = torch.get_default_dtype()
    for default, key in ((torch.float64, "gap_float64"), (torch.float32, "gap_float32_product")):
        torch.set_default_dtype(default)  # the dtype torch.optim.NAdam keeps mu_product in
        results[key], _ = race(NAdam, torch.optim.NAdam)
        print(
            f"float64 parameters, default dtype {default}: largest |difference| {results[key]:.1e}"
        )
    torch.set_default_dtype(previous)
    torch.set_default_dtype(torch.float64)
    ran = torch_mus(300)  # mu_1...mu_t stays above float64 underflow
    torch.set_default_dtype(previous)
    results["schedule_gap"] = max(abs(r - mu(t)) for t, r in enumerate(ran, start=1))
    print(
        f"torch's mu_t over 300 steps against the formula: largest |difference| "
        f"{results['schedule_gap']:.1e}"
    )

    if "DOCRUN_RESULTS" in os.environ:  # the site's build quotes these numbers on its pages
        Path(os.environ["DOCRUN_RESULTS"]).write_text(json.dumps(results))
