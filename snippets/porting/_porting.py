"""One problem, three frameworks: the runs the porting scripts compare.

The problem is least squares with two parameter tensors (a 6×3 weight and a bias), in float32,
on 32 rows of fixed data. A run is described by plain settings, one dict per framework, the
framework's own keyword names:

    torch  {"optimizer": "SGD", "kwargs": {...}, "clip_grad_norm": c, "decay_by_hand": ξ,
            "accumulate": K, "rescale_buffer_at_lr_change": True}
    keras  {"optimizer": "SGD", "kwargs": {...}, "l2": ξ / 2, "rescale_at_lr_change": True}
    optax  {"chain": [["clip_by_global_norm", {...}], ["sgd", {...}]], "multisteps": K}

and returns the parameters after each update. Accumulation splits each batch into K = 4
micro-batches of unequal size, each loss weighted by its share of the batch's tokens (rows) so
that the sum is the full batch's gradient; "loss": "mean" averages the micro-batches' mean losses
instead (the common mistake). Run alone, this file runs one SGD recipe in all three frameworks.
"""

import itertools
import os

os.environ.setdefault("KERAS_BACKEND", "jax")  # before keras is imported

import jax
import jax.numpy as jnp
import keras
import numpy as np
import optax
import torch

rng = np.random.default_rng(0)
X = rng.standard_normal((32, 6)).astype(np.float32)
Y = (X @ rng.standard_normal((6, 3)) + 0.1 * rng.standard_normal((32, 3))).astype(np.float32)
START = [0.5 * rng.standard_normal((6, 3)).astype(np.float32), np.ones(3, np.float32)]
MICRO = [4, 12, 3, 13]  # rows (tokens) in each micro-batch: unequal on purpose


def batches(mode):
    """[(rows, weight)]: the whole batch once, or its micro-batches; weight scales the loss sum."""
    if mode is None:
        return [(slice(0, len(X)), 1 / len(X))]
    sizes = MICRO
    edges = np.cumsum([0, *sizes])
    parts = [slice(a, b) for a, b in itertools.pairwise(edges)]
    # --8<-- [start:weights]
    # Keras and optax.MultiSteps average the K accumulated gradients: their weights include K
    k = len(sizes) if mode.endswith("_times_k") else 1
    if mode.startswith("tokens"):
        return [(p, k / len(X)) for p in parts]  # sum of squares / all tokens: the full batch
    return [(p, k / (len(sizes) * (p.stop - p.start))) for p in parts]  # mean of means
    # --8<-- [end:weights]


def squares(w, b, x, y):
    return ((x @ w + b - y) ** 2).sum()


def run_torch(s, lrs):
    import lion_pytorch  # Lion has no class in torch.optim: the widely used package by Phil Wang

    params = [torch.tensor(p, requires_grad=True) for p in START]
    make = getattr(torch.optim, s["optimizer"], None) or getattr(lion_pytorch, s["optimizer"])
    opt = make(params, **s["kwargs"])
    micro = "tokens" if accumulated(s, s.get("accumulate")) else None
    path, lr_before = [], lrs[0]
    for lr in lrs:
        for group in opt.param_groups:
            group["lr"] = lr
        if s.get("rescale_buffer_at_lr_change") and lr != lr_before:
            for p in params:  # to follow Keras, whose velocity keeps the old learning rate
                opt.state[p]["momentum_buffer"].mul_(lr_before / lr)
        lr_before = lr
        opt.zero_grad()
        for rows, weight in batches(micro):  # .grad sums over the micro-batches
            (squares(*params, torch.tensor(X[rows]), torch.tensor(Y[rows])) * weight).backward()
        if "clip_grad_norm" in s:
            torch.nn.utils.clip_grad_norm_(params, s["clip_grad_norm"])
        if "decay_by_hand" in s:  # decoupled decay, as Keras does it, before the step
            with torch.no_grad():
                for p in params:
                    p.mul_(1 - lr * s["decay_by_hand"])
        opt.step()
        path.append(np.concatenate([p.detach().numpy().ravel() for p in params]))
    return np.array(path)


def _loss(params, x, y, weight, l2):
    total = squares(*params, x, y) * weight
    # what kernel_regularizer=L2(l2) adds to a Keras model's loss
    return total + sum(keras.regularizers.L2(l2)(p) for p in params) if l2 else total


_grad = jax.jit(jax.grad(_loss), static_argnums=(3, 4))  # weight, l2: a few floats


def accumulated(s, k):
    """The micro-batch weighting of a framework that averages k accumulated gradients."""
    if not k:
        return None
    assert k == len(MICRO), f"accumulation runs over the {len(MICRO)} micro-batches of MICRO"
    return ("mean" if s.get("loss") == "mean" else "tokens") + "_times_k"


def run_keras(s, lrs):
    variables = [keras.Variable(p) for p in START]
    opt = getattr(keras.optimizers, s["optimizer"])(**s["kwargs"])
    opt.build(variables)
    # Keras's own way to use its optimizers in a JAX loop: stateless_apply, compiled once
    apply = jax.jit(opt.stateless_apply)
    params, state = [v.value for v in variables], [v.value for v in opt.variables]
    micro = accumulated(s, s["kwargs"].get("gradient_accumulation_steps"))
    path, lr_before = [], lrs[0]
    # --8<-- [start:keras_rescale]
    at = {id(v): i for i, v in enumerate(opt.variables)}  # each variable's place in `state`
    lr_at = next(i for i, v in enumerate(opt.variables) if v.path.endswith("/learning_rate"))
    for lr in lrs:
        state[lr_at] = jnp.asarray(lr, jnp.float32)
        if s.get("rescale_at_lr_change") and lr != lr_before:
            for velocity in opt.momentums:  # the learning rate lives inside Keras's velocity
                state[at[id(velocity)]] = state[at[id(velocity)]] * (lr / lr_before)
        lr_before = lr
        # --8<-- [end:keras_rescale]
        for rows, weight in batches(micro):  # one apply per micro-batch: Keras accumulates
            grads = _grad(params, X[rows], Y[rows], weight, s.get("l2", 0.0))
            params, state = apply(state, grads, params)
        path.append(np.concatenate([np.asarray(p).ravel() for p in params]))
    return np.array(path)


def run_optax(s, lrs):
    # inject_hyperparams makes each learning rate a state entry the loop can change
    parts = [
        optax.inject_hyperparams(getattr(optax, name))(**kwargs)
        if "learning_rate" in kwargs
        else getattr(optax, name)(**kwargs)
        for name, kwargs in s["chain"]
    ]
    tx = optax.chain(*parts)
    if "multisteps" in s:
        tx = optax.MultiSteps(tx, every_k_schedule=s["multisteps"])
    update, micro = jax.jit(tx.update), accumulated(s, s.get("multisteps"))
    params = [jnp.asarray(p) for p in START]
    state = tx.init(params)
    path = []
    for lr in lrs:
        inner = state.inner_opt_state if "multisteps" in s else state
        for part in inner:
            if hasattr(part, "hyperparams"):
                part.hyperparams["learning_rate"] = jnp.asarray(lr)
        for rows, weight in batches(micro):
            updates, state = update(_grad(params, X[rows], Y[rows], weight, 0.0), state, params)
            params = optax.apply_updates(params, updates)
        path.append(np.concatenate([np.asarray(p).ravel() for p in params]))
    return np.array(path)


def versions():
    return {m.__name__: m.__version__ for m in (torch, jax, keras, optax)}


RUN = {"torch": run_torch, "keras": run_keras, "optax": run_optax}


# --8<-- [start:compare]
def gap(a, b):
    """The largest difference between two runs' parameters over all steps, relative to the
    largest parameter of the first."""
    return float(np.abs(a - b).max() / np.abs(a).max())


def compare(settings, lrs, last_only=False):
    """Each framework's run of its settings; the gap between each two of them, {"torch-keras": g},
    over all steps (or at the last step only, if asked)."""
    paths = {}
    for name, s in settings.items():
        path = RUN[name](s, lrs)
        paths[name] = path[-1:] if last_only else path
    names = list(paths)
    return {
        f"{a}-{b}": gap(paths[a], paths[b]) for i, a in enumerate(names) for b in names[i + 1 :]
    }


# --8<-- [end:compare]
if __name__ == "__main__":
    recipe = {
        "torch": {"optimizer": "SGD", "kwargs": {"lr": 0.02, "momentum": 0.9}},
        "keras": {"optimizer": "SGD", "kwargs": {"learning_rate": 0.02, "momentum": 0.9}},
        "optax": {"chain": [["sgd", {"learning_rate": 0.02, "momentum": 0.9}]]},
    }
    for pair, g in compare(recipe, [0.02] * 50).items():
        print(f"{pair}: largest gap over 50 steps {g:.1e}")
