"""SGD with momentum in PyTorch, Keras 3 (JAX backend) and optax: the settings that give the same
run, one row per setting, each row run in all three frameworks (helpers in _porting.py)."""

import json
import os

from _porting import compare, versions

LR, GAMMA, XI, CLIP, K, D, STEPS = 0.02, 0.9, 0.05, 1.0, 4, 0.5, 60
CONSTANT = [LR] * STEPS
DROP = [LR] * (STEPS // 2) + [LR / 10] * (STEPS // 2)  # a tenfold drop halfway


def sgd(torch=None, keras=None, optax=None, **common):
    """The same momentum SGD in each framework's own words; keyword names in `common` go to all
    three (nesterov), the dicts add each framework's own settings."""
    base = {"momentum": GAMMA, **common}
    return {
        "torch": {"optimizer": "SGD", "kwargs": {"lr": LR, **base}} | (torch or {}),
        "keras": {"optimizer": "SGD", "kwargs": {"learning_rate": LR, **base}} | (keras or {}),
        "optax": {"chain": [["sgd", {"learning_rate": LR, **base}]]} | (optax or {}),
    }


def kwargs(framework, **extra):
    """The framework's SGD keyword arguments, plus extra ones."""
    return sgd()[framework]["kwargs"] | extra


# --8<-- [start:rows]
# name: (the settings that give the same run, the learning rate at each step)
ROWS = {
    "momentum": (sgd(), CONSTANT),
    "nesterov": (sgd(nesterov=True), CONSTANT),
    # a new learning rate: Keras's velocity keeps the old one unless rescaled by new/old
    "lr_change": (sgd(keras={"rescale_at_lr_change": True}), DROP),
    # ... or PyTorch follows Keras, its buffer rescaled by old/new (optax has no such setting)
    "lr_change_keras": (
        {k: v for k, v in sgd(torch={"rescale_buffer_at_lr_change": True}).items() if k != "optax"},
        DROP,
    ),
    # PyTorch's weight_decay adds ξ·w to the gradient, inside the buffer: an L2 term ξ/2·‖w‖²
    "coupled_decay": (
        sgd(
            torch={"kwargs": kwargs("torch", weight_decay=XI)},
            keras={"l2": XI / 2},  # what kernel_regularizer=keras.regularizers.L2(XI / 2) adds
            optax={
                "chain": [["add_decayed_weights", {"weight_decay": XI}], *sgd()["optax"]["chain"]]
            },
        ),
        CONSTANT,
    ),
    # Keras's weight_decay shrinks w by lr·ξ before the step, outside the buffer
    "decoupled_decay": (
        sgd(
            torch={"decay_by_hand": XI},
            keras={"kwargs": kwargs("keras", weight_decay=XI)},
            optax={
                "chain": [
                    ["trace", {"decay": GAMMA}],
                    ["add_decayed_weights", {"weight_decay": XI}],
                    ["scale_by_learning_rate", {"learning_rate": LR}],
                ]
            },
        ),
        CONSTANT,
    ),
    # the norm of all tensors' gradients together clipped to CLIP, before the buffer
    "clip": (
        sgd(
            torch={"clip_grad_norm": CLIP},
            keras={"kwargs": kwargs("keras", global_clipnorm=CLIP)},
            optax={
                "chain": [["clip_by_global_norm", {"max_norm": CLIP}], *sgd()["optax"]["chain"]]
            },
        ),
        CONSTANT,
    ),
    # K micro-batches of unequal size, one update: the full batch's gradient
    "accumulation": (
        sgd(
            torch={"accumulate": K},
            keras={"kwargs": kwargs("keras", gradient_accumulation_steps=K)},
            optax={"multisteps": K},
        ),
        CONSTANT,
    ),
}
# --8<-- [end:rows]

# What a reader would try first, and does not give the same run.
NEAR_MISSES = {
    "lr_change": (sgd(), DROP),
    # the decoupled decay that settles where PyTorch's coupled decay settles: XI / (1 - GAMMA)
    "coupled_decay": (
        sgd(
            torch={"kwargs": kwargs("torch", weight_decay=XI)},
            keras={"kwargs": kwargs("keras", weight_decay=XI / (1 - GAMMA))},
        ),
        CONSTANT,
    ),
    # Keras's clipnorm clips each tensor by its own norm
    "clip": (
        sgd(torch={"clip_grad_norm": CLIP}, keras={"kwargs": kwargs("keras", clipnorm=CLIP)}),
        CONSTANT,
    ),
    # each micro-batch's mean loss, averaged: the short micro-batches weigh more
    "accumulation": (
        sgd(
            torch={"accumulate": K},
            keras={"kwargs": kwargs("keras", gradient_accumulation_steps=K), "loss": "mean"},
            optax={"multisteps": K, "loss": "mean"},
        ),
        CONSTANT,
    ),
}

# PyTorch's dampening d scales each new gradient by 1 - d, except the first, which starts the
# buffer undamped; Keras and optax have none, and lr·(1 - d) is the nearest setting.
DAMPENING = {
    "torch": sgd()["torch"] | {"kwargs": kwargs("torch", dampening=D)},
    "keras": {"optimizer": "SGD", "kwargs": {"learning_rate": LR * (1 - D), "momentum": GAMMA}},
    "optax": {"chain": [["sgd", {"learning_rate": LR * (1 - D), "momentum": GAMMA}]]},
}


def row(settings, lrs, exact=True):
    gaps = compare(settings, lrs)
    # lr_changes: what a converter is told; the learning rates changed during the run
    return {"settings": settings, "gaps": gaps, "gap": max(gaps.values()), "exact": exact} | {
        "lr_changes": lrs is DROP,
        "optimizer": "sgd",  # the converter's name for it
    }


rows = {name: row(*spec) for name, spec in ROWS.items()}
for name, spec in NEAR_MISSES.items():
    rows[name]["near_miss"] = max(compare(*spec).values())
rows["dampening"] = row(DAMPENING, CONSTANT, exact=False)
# the first step's difference, once the buffers have forgotten it: the last step alone
rows["dampening"]["last_step_gap"] = max(compare(DAMPENING, CONSTANT, last_only=True).values())
# The frameworks whose settings a reader starts from in each row: the others are the answer.
rows["lr_change"]["sources"] = ["torch", "optax"]
rows["lr_change_keras"]["sources"] = ["keras"]
rows["decoupled_decay"]["sources"] = ["keras", "optax"]
rows["dampening"]["sources"] = ["torch"]

for name, r in rows.items():
    extra = "".join(f"   {k} {r[k]:.1e}" for k in ("near_miss", "last_step_gap") if k in r)
    print(f"{name:16} largest gap {r['gap']:.1e}{extra}")
print("versions:", ", ".join(f"{k} {v}" for k, v in versions().items()))
if "DOCRUN_RESULTS" in os.environ:
    results = {"rows": rows, "versions": versions(), "lr": LR, "gamma": GAMMA, "xi": XI, "d": D}
    results |= {"steps": STEPS, "clip": CLIP, "k": K}
    with open(os.environ["DOCRUN_RESULTS"], "w") as f:
        json.dump(results, f)
