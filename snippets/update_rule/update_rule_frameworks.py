"""What each framework and text writes, transcribed line for line into torch.

Only torch is installed here, so Keras, TF1 and optax are not run: their documented/source update
is copied into a torch function (source named in each docstring) and compared with
torch.optim.SGD, first with a constant learning rate, then with a step decay.
"""

import json
import os
from pathlib import Path

import torch
from _problem import make_problem


# --8<-- [start:transcriptions]
def keras_sgd(theta, g, lr, momentum, state):
    """keras/src/optimizers/sgd.py, update_step: m = m*momentum - g*lr; variable += m."""
    m = state.get("m", torch.zeros_like(theta))  # add_variable_from_reference: zeros
    state["m"] = m * momentum - g * lr
    return theta + state["m"]


def tf1_momentum(theta, g, lr, momentum, state):
    """tf.compat.v1.train.MomentumOptimizer: accumulation = momentum*accumulation + gradient;
    variable -= learning_rate*accumulation."""
    acc = state.get("acc", torch.zeros_like(theta))  # slot created as zeros
    state["acc"] = momentum * acc + g
    return theta - lr * state["acc"]


def optax_sgd(theta, g, lr, momentum, state):
    """optax.sgd = chain(trace(decay=momentum), scale_by_learning_rate(lr));
    trace: new_trace = g + decay*trace (starts at zeros); scale_by_learning_rate: -lr * update."""
    trace = state.get("trace", torch.zeros_like(theta))
    state["trace"] = g + momentum * trace
    return theta + (-lr * state["trace"])


def cs231n(theta, g, lr, mu, state):
    """cs231n notes: v = mu * v - learning_rate * dx; x += v  (v initialised at zero).
    Goodfellow et al. (2016) Algorithm 8.2 is the same: v <- alpha v - eps g; theta <- theta + v."""
    v = state.get("v", torch.zeros_like(theta))
    state["v"] = mu * v - lr * g
    return theta + state["v"]


def d2l(theta, g, lr, beta, state):
    """d2l.ai, Momentum: v_t = beta v_{t-1} + g_t; x_t = x_{t-1} - eta_t v_t  (v_0 = 0)."""
    v = state.get("v", torch.zeros_like(theta))
    state["v"] = beta * v + g
    return theta - lr * state["v"]


# --8<-- [end:transcriptions]

RULES = {
    "Keras 3 / tf.keras SGD": keras_sgd,
    "TF1 MomentumOptimizer": tf1_momentum,
    "optax.sgd": optax_sgd,
    "cs231n, Goodfellow 8.2": cs231n,
    "d2l.ai": d2l,
}


def run_rule(rule, grad, theta0, steps, schedule, momentum):
    theta, state, path = theta0.clone(), {}, [theta0.clone()]
    for k in range(steps):
        theta = rule(theta, grad(theta, k), schedule(k), momentum, state)
        path.append(theta.clone())
    return torch.stack(path)


def run_torch(grad, theta0, steps, schedule, momentum):
    p = torch.nn.Parameter(theta0.clone())
    opt = torch.optim.SGD([p], lr=schedule(0), momentum=momentum)
    path = [theta0.clone()]
    for k in range(steps):
        opt.param_groups[0]["lr"] = schedule(k)  # what an LR scheduler does between steps
        p.grad = grad(p.detach(), k)
        opt.step()
        path.append(p.detach().clone())
    return torch.stack(path)


def constant(k):
    return 0.1


def step_decay(k):
    return 0.1 if k < 100 else 0.01


def gap_to_torch(rule, schedule, steps=200, momentum=0.9):
    """|theta_k - theta_k(torch.optim.SGD)| at every step k, worst coordinate."""
    grad, theta0 = make_problem(steps=steps)
    ref = run_torch(grad, theta0, steps, schedule, momentum)
    return (run_rule(rule, grad, theta0, steps, schedule, momentum) - ref).abs().amax(dim=1)


def max_gap_to_torch(rule, schedule, steps=200, momentum=0.9):
    return gap_to_torch(rule, schedule, steps, momentum).max().item()


if __name__ == "__main__":
    print("|theta_k - theta_k(torch.optim.SGD)|, momentum 0.9, float64, 200 steps")
    print(f"  {'':<24} {'lr = 0.1':>9}   {'lr 0.1 -> 0.01 at step 100':>29}")
    head = f"{'largest':>9}   {'largest':>9} {'at step':>8} {'step 200':>9}"
    print(f"  {'update as written by':<24} {head}")
    constant_gaps, decay_gaps = {}, {}
    for name, rule in RULES.items():
        same = max_gap_to_torch(rule, constant)
        decayed = gap_to_torch(rule, step_decay)
        largest, final = decayed.max().item(), decayed[-1].item()
        at = decayed.argmax().item() if largest > 1e-12 else "-"  # rounding has no place
        print(f"  {name:<24} {same:>9.1e}   {largest:>9.2g} {at:>8} {final:>9.1e}")
        constant_gaps[name], decay_gaps[name] = same, (largest, decayed.argmax().item(), final)

    inside = ("Keras 3 / tf.keras SGD", "cs231n, Goodfellow 8.2")  # form (a)
    outside = ("TF1 MomentumOptimizer", "optax.sgd", "d2l.ai")  # form (b), as torch
    largest, at, final = decay_gaps[inside[0]]
    # rounding, not a different update: 200 float64 steps on parameters of order 1 (2.2e-16
    # per operation) stay many orders of magnitude below 1e-12
    rounding = 1e-12
    results = {
        "constant_gap": max(constant_gaps.values()),
        "constant_to_rounding": max(constant_gaps.values()) < rounding,
        "outside_decay_gap": max(decay_gaps[n][0] for n in outside),
        "outside_to_rounding": max(decay_gaps[n][0] for n in outside) < rounding,
        "inside_decay_gap": largest,
        "inside_worst_step": at,
        "steps_after_drop": at - 100,  # step_decay changes the rate at step 100
        "inside_final_gap": final,
    }
    if "DOCRUN_RESULTS" in os.environ:  # the site's build quotes these numbers on its pages
        Path(os.environ["DOCRUN_RESULTS"]).write_text(json.dumps(results))
