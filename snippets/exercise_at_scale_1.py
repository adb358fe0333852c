"""Summed micro-batch losses: which learning rate gives back the mean-reduced run?"""

import torch


def train(micro_batches, divide, lr, steps=20):
    torch.manual_seed(0)
    model = torch.nn.Linear(4, 1)
    opt = torch.optim.SGD(model.parameters(), lr=lr, momentum=0.9)
    gen = torch.Generator().manual_seed(1)
    for _ in range(steps):
        x = torch.randn(16, 4, generator=gen)
        y = x.sum(1, keepdim=True)
        opt.zero_grad()
        for xm, ym in zip(x.chunk(micro_batches), y.chunk(micro_batches), strict=True):
            loss = torch.nn.functional.mse_loss(model(xm), ym)
            (loss / micro_batches if divide else loss).backward()
        opt.step()
    return model.weight.detach().clone(), opt.state[model.weight]["momentum_buffer"].clone()


if __name__ == "__main__":
    mean_w, mean_buf = train(4, divide=True, lr=0.05)
    for lr in (0.05, 0.05 / 4):
        w, buf = train(4, divide=False, lr=lr)
        print(
            f"summed losses, lr {lr:<7}: weight gap to the mean-reduced run"
            f" {(w - mean_w).abs().max().item():.1e}, buffer / its buffer"
            f" {(buf.norm() / mean_buf.norm()).item():.3f}"
        )
