"""Under a constant gradient g the velocity climbs to lr g / (1 - gamma): a geometric series."""

import matplotlib.pyplot as plt
import torch


# --8<-- [start:velocity]
def velocities(lr, gamma, g, steps):
    """v_k of v <- gamma v + lr g (form (a)), from v_0 = 0, for k = 0..steps."""
    v, out = 0.0, [0.0]
    for _ in range(steps):
        v = gamma * v + lr * g
        out.append(v)
    return out


def partial_sum(lr, gamma, g, k):
    """lr g (1 + gamma + ... + gamma^(k-1)) = lr g (1 - gamma^k) / (1 - gamma)."""
    return lr * g * (1 - gamma**k) / (1 - gamma)


def limit(lr, gamma, g):
    return lr * g / (1 - gamma)


# --8<-- [end:velocity]


def torch_step_after(lr, momentum, g, steps):
    """lr * momentum_buffer of torch.optim.SGD after `steps` steps of a constant gradient g."""
    p = torch.nn.Parameter(torch.zeros(1, dtype=torch.float64))
    opt = torch.optim.SGD([p], lr=lr, momentum=momentum)
    for _ in range(steps):
        p.grad = torch.full((1,), g, dtype=torch.float64)
        opt.step()
    return lr * opt.state[p]["momentum_buffer"].item()


GAMMAS = (0.5, 0.9, 0.99)

if __name__ == "__main__":
    lr, g, steps = 0.1, 1.0, 5000
    print(f"lr = {lr}, constant gradient g = {g}, {steps} steps")
    print(f"  {'gamma':>6} {'1/(1-gamma)':>12} {'v_5000':>10} {'lr*g/(1-gamma)':>15}", end="")
    print(f" {'torch lr*buffer':>16} {'max|v_k - sum|':>15}")
    for gamma in GAMMAS:
        v = velocities(lr, gamma, g, steps)
        gap = max(abs(v[k] - partial_sum(lr, gamma, g, k)) for k in range(steps + 1))
        t = torch_step_after(lr, gamma, g, steps)
        print(
            f"  {gamma:>6} {1 / (1 - gamma):>11.0f}x {v[-1]:>10.6f} {limit(lr, gamma, g):>15.6f}",
            end="",
        )
        print(f" {t:>16.6f} {gap:>15.1e}")

    fig, ax = plt.subplots(figsize=(7, 3.8))
    for i, gamma in enumerate(GAMMAS):
        v = velocities(lr, gamma, g, 2000)
        ax.plot(
            range(1, 2001), [x / (lr * g) for x in v[1:]], color=f"C{i}", label=f"gamma = {gamma}"
        )
        ax.axhline(1 / (1 - gamma), color=f"C{i}", linestyle="--", linewidth=1)
    ax.set(xscale="log", yscale="log", xlabel="step k", ylabel="v_k / (lr g)")
    ax.set_title("Velocity under a constant gradient; dashed: the limit 1/(1 - gamma)")
    ax.legend()
    fig.tight_layout()
    plt.show()
