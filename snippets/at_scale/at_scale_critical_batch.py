"""Where linear scaling stops: steps to a target loss against the batch size, for SGD and for
momentum, on the noisy quadratic model (Zhang et al. 2019), in expectation and exactly."""

import json
import os
from pathlib import Path

import numpy as np

# The model: curvatures h log-spaced from 1 down to 1e-3; curvature h stands for 1/h directions,
# so that every decade of the spectrum starts with the same share of the loss (as with h_i = 1/i).
CURVATURES = 10.0 ** (-np.arange(31) / 10)
DIRECTIONS = 1 / CURVATURES
THETA0 = 1.0  # every coordinate starts at 1
TARGET = 0.1  # steps until the expected loss is a tenth of the initial loss
BATCHES = [2**j for j in range(14)]  # 1 ... 8192
LRS = 2.0 ** (np.arange(-40, 8) / 4)  # the learning rates tried: 2^(-10) ... 2^(7/4), ratio 2^(1/4)
MOMENTUM = 0.9


# --8<-- [start:moments]
def moments_step(x2, xb, b2, lr, momentum, h, noise):
    """E[x^2], E[xb], E[b^2] one step later, for the buffer b <- momentum b + h x + e and
    x <- x - lr b, where e is gradient noise of variance `noise`, independent of x and b."""
    a, c = 1 - lr * h, -lr * momentum  # x' = a x + c b - lr e, b' = h x + momentum b + e
    return (
        a * a * x2 + 2 * a * c * xb + c * c * b2 + lr**2 * noise,
        a * h * x2 + (a * momentum + c * h) * xb + c * momentum * b2 - lr * noise,
        h * h * x2 + 2 * h * momentum * xb + momentum**2 * b2 + noise,
    )


def expected_loss(x2):
    """The loss 1/2 sum h x^2, in expectation, over every direction."""
    return x2 @ (0.5 * DIRECTIONS * CURVATURES)


def steps_to_target(batch, momentum, lrs=LRS, max_steps=100_000):
    """The fewest steps after which the expected loss is <= TARGET times its start, over the
    stable learning rates in lrs, and the learning rate that takes them (momentum 0: SGD)."""
    lrs = lrs[lrs * CURVATURES.max() < 2 * (1 + momentum)]  # the stable ones
    lr, noise = lrs[:, None], CURVATURES / batch  # gradient noise variance h / B
    x2 = np.full((len(lrs), len(CURVATURES)), THETA0**2)
    xb, b2 = np.zeros_like(x2), np.zeros_like(x2)  # the buffer starts at 0
    target = TARGET * expected_loss(x2[0])
    for step in range(1, max_steps + 1):
        x2, xb, b2 = moments_step(x2, xb, b2, lr, momentum, CURVATURES, noise)
        reached = expected_loss(x2) <= target
        if reached.any():  # the first learning rate to get there: the tuned one
            return step, float(lrs[reached.argmax()])
    raise RuntimeError(f"batch {batch}: no learning rate reaches the target in {max_steps} steps")


# --8<-- [end:moments]


def critical_batch(steps):
    """McCandlish et al.'s B_crit = E_min / S_min: the examples at the smallest batch over the
    steps at the largest."""
    return BATCHES[0] * steps[0] / steps[-1]


if __name__ == "__main__":
    print(f"Noisy quadratic: {len(CURVATURES)} curvatures from 1 to 1e-3, curvature h counted 1/h")
    print(f"times, gradient noise variance h/B; steps until the expected loss is {TARGET} of the")
    print(f"initial loss, learning rate tuned over 2^(j/4); momentum {MOMENTUM}")
    print(f"{'B':>5} {'SGD steps':>10} {'lr':>7} {'momentum steps':>15} {'lr':>7} {'SGD/mom.':>9}")
    steps, lrs = {"sgd": [], "momentum": []}, {"sgd": [], "momentum": []}
    for batch in BATCHES:
        for name, momentum in (("sgd", 0.0), ("momentum", MOMENTUM)):
            k, lr = steps_to_target(batch, momentum)
            steps[name].append(k)
            lrs[name].append(lr)
        print(
            f"{batch:>5} {steps['sgd'][-1]:>10} {lrs['sgd'][-1]:>7.4f}"
            f" {steps['momentum'][-1]:>15} {lrs['momentum'][-1]:>7.4f}"
            f" {steps['sgd'][-1] / steps['momentum'][-1]:>9.2f}"
        )
    crit = {name: critical_batch(steps[name]) for name in steps}
    print(
        f"critical batch size E_min/S_min: SGD {crit['sgd']:.0f}, momentum {crit['momentum']:.0f}"
    )
    ratio = [s / m for s, m in zip(steps["sgd"], steps["momentum"], strict=True)]
    halving = {  # steps at B over steps at 2B, for the first two doublings
        name: [s[0] / s[1], s[1] / s[2]] for name, s in steps.items()
    }
    results = {
        "batches": BATCHES,
        "steps": steps,
        "lr": lrs,
        "ratio": ratio,
        "critical_batch": crit,
        "halving": halving,
        "last_doubling_saves": {name: 1 - s[-1] / s[-2] for name, s in steps.items()},
        # claims the page makes, each checked against this run when the site is built
        "perfect_scaling_small": min(min(h) for h in halving.values()) > 1.9,
        "sgd_lr_at_limit": all(  # from B = 32 on: the largest stable learning rate
            lr == LRS[LRS * CURVATURES.max() < 2].max()
            for batch, lr in zip(BATCHES, lrs["sgd"], strict=True)
            if batch >= 32
        ),
        "flat_at_large": all(1 - s[-1] / s[-2] < 0.02 for s in steps.values()),
        "momentum_equal_small": abs(ratio[0] - 1) < 0.02,
        "momentum_fewer_large": ratio[-1] > 4,
        "momentum_critical_larger": crit["momentum"] > 2 * crit["sgd"],
    }
    if "DOCRUN_RESULTS" in os.environ:  # the site's build quotes these numbers on its pages
        Path(os.environ["DOCRUN_RESULTS"]).write_text(json.dumps(results))
