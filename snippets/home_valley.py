"""Gradient descent against momentum on the same narrow valley: the picture on the home page.

f(x, y) = (x^2 + 50 y^2) / 2 is fifty times steeper across the valley (y) than along it (x).
Both runs are torch.optim.SGD with the same learning rate, from the same start, for the same
number of steps; one has momentum 0, the other momentum 0.65.
"""

import matplotlib.pyplot as plt
import torch

CURVATURES = (1.0, 50.0)  # along the valley (x), across it (y)
START = (-10.0, 1.0)
LR, MOMENTUM, STEPS = 0.038, 0.65, 40  # lr * 50 = 1.9: close to the limit 2 of the steep side


# --8<-- [start:run]
def path(momentum, lr=LR, steps=STEPS):
    """The points torch.optim.SGD visits on f(x, y) = (x^2 + 50 y^2) / 2, start included."""
    w = torch.tensor(START, dtype=torch.float64, requires_grad=True)
    curvatures = torch.tensor(CURVATURES, dtype=torch.float64)
    opt = torch.optim.SGD([w], lr=lr, momentum=momentum)
    points = [w.detach().clone()]
    for _ in range(steps):
        opt.zero_grad()
        loss = 0.5 * (curvatures * w**2).sum()
        loss.backward()
        opt.step()
        points.append(w.detach().clone())
    return torch.stack(points)


# --8<-- [end:run]


def distances(points, at=(10, 20, 40)):
    """{k: distance from the minimum (0, 0) after k steps}."""
    return {k: points[k].norm().item() for k in at}


if __name__ == "__main__":
    torch.set_num_threads(1)  # two numbers per step: one thread is fastest
    print("device: cpu (a two-parameter problem; no GPU needed)")
    runs = {"gradient descent": path(0.0), f"momentum {MOMENTUM}": path(MOMENTUM)}
    print(f"f(x, y) = (x^2 + 50 y^2)/2 from {START}; lr {LR}; distance to the minimum")
    print(f"{'after k steps':<18}" + "".join(f"{k:>10}" for k in (10, 20, 40)))
    for name, points in runs.items():
        print(f"{name:<18}" + "".join(f"{d:10.2e}" for d in distances(points).values()))

    fig, ax = plt.subplots(figsize=(9, 3.2))
    xs, ys = torch.meshgrid(
        torch.linspace(-11, 2, 300), torch.linspace(-1.6, 1.6, 200), indexing="xy"
    )
    zs = 0.5 * (CURVATURES[0] * xs**2 + CURVATURES[1] * ys**2)
    ax.contour(xs, ys, zs, levels=torch.logspace(-2, 2, 12), colors="grey", linewidths=0.6)
    for name, points in runs.items():
        ax.plot(points[:, 0], points[:, 1], marker="o", markersize=3, linewidth=1.2, label=name)
    ax.plot(0, 0, marker="*", markersize=12, color="C2", linestyle="none", label="minimum")
    ax.set(xlabel="x (along the valley)", ylabel="y (across it)")
    ax.set_title(f"{STEPS} steps each, same learning rate {LR}")
    ax.legend(loc="upper right")
    fig.tight_layout()
    plt.show()
