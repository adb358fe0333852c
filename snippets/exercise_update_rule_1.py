"""Three steps of torch.optim.SGD with momentum and weight decay, by hand and by the optimizer."""

import torch

LR, MOMENTUM, WEIGHT_DECAY, THETA0 = 0.1, 0.9, 0.1, 1.0
GRADS = (1.0, 1.0, 1.0)  # the loss's own gradient at each step (weight decay comes on top)


def by_hand():
    """d = g + wd * theta enters the buffer; the buffer starts as the first d."""
    theta, b, rows = THETA0, None, []
    for g in GRADS:
        d = g + WEIGHT_DECAY * theta
        b = d if b is None else MOMENTUM * b + d
        theta -= LR * b
        rows.append((b, theta))
    return rows


def by_torch():
    p = torch.nn.Parameter(torch.tensor([THETA0], dtype=torch.float64))
    opt = torch.optim.SGD([p], lr=LR, momentum=MOMENTUM, weight_decay=WEIGHT_DECAY)
    rows = []
    for g in GRADS:
        p.grad = torch.tensor([g], dtype=torch.float64)
        opt.step()
        rows.append((opt.state[p]["momentum_buffer"].item(), p.item()))
    return rows


if __name__ == "__main__":
    print("step  buffer by hand  buffer in torch   theta by hand  theta in torch")
    for k, ((b, t), (tb, tt)) in enumerate(zip(by_hand(), by_torch(), strict=True), start=1):
        print(f"{k:>4} {b:>15.6f} {tb:>16.6f} {t:>15.6f} {tt:>15.6f}")
