"""Where weight decay under momentum settles, on f(theta) = (theta - 1)^2 / 2.

Coupled (torch.optim.SGD(weight_decay=wd)): the buffer sums g + wd theta, so the fixed point has
(theta - 1) + wd theta = 0: theta = 1 / (1 + wd), the minimum of the L2-penalised loss.
Decoupled (Keras 3: theta <- theta - lr wd theta, then the momentum step): at a fixed point the
velocity is the terminal -lr g / (1 - gamma), so lr wd theta + lr (theta - 1) / (1 - gamma) = 0:
theta = 1 / (1 + wd (1 - gamma)), as if the penalty were only wd (1 - gamma).
"""

import torch

LR, GAMMA, WD, STEPS = 0.1, 0.9, 0.1, 2000


def coupled(wd=WD):
    p = torch.nn.Parameter(torch.zeros(1, dtype=torch.float64))
    opt = torch.optim.SGD([p], lr=LR, momentum=GAMMA, weight_decay=wd)
    for _ in range(STEPS):
        p.grad = p.detach() - 1.0  # the loss's gradient; SGD adds wd * theta itself
        opt.step()
    return p.item()


def decoupled(wd=WD):
    """Keras 3's SGD as documented: decay the weights, then velocity = m v - lr g; w += velocity."""
    theta, velocity = 0.0, 0.0
    for _ in range(STEPS):
        g = theta - 1.0  # the gradient at the weights before this step's decay
        theta -= LR * wd * theta
        velocity = GAMMA * velocity - LR * g
        theta += velocity
    return theta


if __name__ == "__main__":
    print(f"f = (theta - 1)^2 / 2, lr {LR}, momentum {GAMMA}, weight decay {WD}, {STEPS} steps")
    print(f"  coupled (PyTorch):         {coupled():.9f}   1/(1 + wd) = {1 / (1 + WD):.9f}")
    print(f"  decoupled (Keras):         {decoupled():.9f}", end="")
    print(f"   1/(1 + wd (1 - gamma)) = {1 / (1 + WD * (1 - GAMMA)):.9f}")
    print(f"  decoupled, wd/(1 - gamma): {decoupled(WD / (1 - GAMMA)):.9f}")
