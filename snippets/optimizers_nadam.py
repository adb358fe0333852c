"""NAdam from scratch against torch.optim.NAdam: where the Nesterov step sits, and mu_t."""

import importlib.metadata
import itertools

import torch


# --8<-- [start:schedule]
def mu(t, beta1=0.9, momentum_decay=4e-3):
    """NAdam's momentum coefficient at step t (Dozat 2016, as in torch.optim.NAdam)."""
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


def race(make_ours, make_reference, steps=200, shape=(16, 32), dtype=torch.float64, seed=0):
    """Same start, same mini-batches; the largest |W_ours - W_reference| over all steps."""
    gen = torch.Generator().manual_seed(seed)
    w0 = torch.randn(shape, generator=gen, dtype=dtype) / shape[1] ** 0.5
    teacher = torch.randn(shape, generator=gen, dtype=dtype) / shape[1] ** 0.5
    ws = [w0.clone().requires_grad_() for _ in range(2)]
    opts = [make_ours([ws[0]]), make_reference([ws[1]])]
    gap = 0.0
    for _ in range(steps):
        x = torch.randn(64, shape[1], generator=gen, dtype=dtype)
        for w, opt in zip(ws, opts, strict=True):
            w.grad = None
            ((torch.tanh(x @ w.T) - torch.tanh(x @ teacher.T)) ** 2).mean().backward()
            opt.step()
        gap = max(gap, (ws[0] - ws[1]).abs().max().item())
    return gap


def torch_mus(steps):
    """mu_t as torch.optim.NAdam applies it: the ratio of its stored products mu_1...mu_t."""
    p = torch.zeros(1, dtype=torch.float64, requires_grad=True)
    opt, products = torch.optim.NAdam([p]), [1.0]
    for _ in range(steps):
        p.grad = torch.ones_like(p)
        opt.step()
        products.append(opt.state[p]["mu_product"].item())
    return [b / a for a, b in itertools.pairwise(products)]


if __name__ == "__main__":
    torch.set_num_threads(1)
    print(f"device: cpu; torch {importlib.metadata.version('torch')}")
    print("mu_t with beta1 = 0.9, momentum_decay = 0.004:")
    for t in (1, 10, 100, 1_000, 10_000, 100_000):
        print(f"  t = {t:>7,}: mu_t = {mu(t):.4f}")
    previous = torch.get_default_dtype()
    for default in (torch.float64, torch.float32):
        torch.set_default_dtype(default)  # the dtype torch.optim.NAdam keeps mu_product in
        gap = race(NAdam, torch.optim.NAdam)
        print(f"float64 parameters, default dtype {default}: largest |difference| {gap:.1e}")
    torch.set_default_dtype(previous)
    torch.set_default_dtype(torch.float64)
    ran = torch_mus(300)  # mu_1...mu_t stays above float64 underflow
    torch.set_default_dtype(previous)
    worst = max(abs(r - mu(t)) for t, r in enumerate(ran, start=1))
    print(f"torch's mu_t over 300 steps against the formula: largest |difference| {worst:.1e}")
