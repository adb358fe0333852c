"""AdamW, Adam with L2, NAdam and Lion in PyTorch, Keras 3 (JAX backend) and optax: the settings
that give the same run, one row per setting, each row run in every framework that has the
optimizer (helpers in _porting.py)."""

import inspect
import json
import math
import os

import lion_pytorch
from _porting import compare, keras, optax, torch, versions

LR, B1, B2, EPS, XI, STEPS = 0.01, 0.9, 0.999, 1e-8, 0.1, 60
CONSTANT = [LR] * STEPS


def adamw(eps=EPS, **flags):
    """Every setting written out (the defaults differ between frameworks); flags only when on."""
    return {
        "torch": {
            "optimizer": "AdamW",
            "kwargs": {"lr": LR, "betas": (B1, B2), "eps": eps, "weight_decay": XI, **flags},
        },
        "keras": {
            "optimizer": "AdamW",
            "kwargs": {
                "learning_rate": LR,
                "beta_1": B1,
                "beta_2": B2,
                "epsilon": eps,
                "weight_decay": XI,
                **flags,
            },
        },
        "optax": {
            "chain": [
                ["adamw", {"learning_rate": LR, "b1": B1, "b2": B2, "eps": eps, "weight_decay": XI}]
            ]
        },
    }


# optax has no amsgrad switch on adamw: the same chain, with scale_by_amsgrad
AMSGRAD = adamw(amsgrad=True) | {
    "optax": {
        "chain": [
            ["scale_by_amsgrad", {"b1": B1, "b2": B2, "eps": EPS}],
            ["add_decayed_weights", {"weight_decay": XI}],
            ["scale_by_learning_rate", {"learning_rate": LR}],
        ]
    },
}

# --8<-- [start:rows]
ROWS = {
    "adamw": adamw(),
    # ε where √v is small: Keras adds it to √v before the bias correction, the others after
    "epsilon": adamw(eps=1e-3),
    "amsgrad": AMSGRAD,
    # Adam with L2 (coupled decay): ξ·w joins the gradient, so Adam's scaling divides it too
    "adam_l2": {
        "torch": {
            "optimizer": "Adam",
            "kwargs": {"lr": LR, "betas": (B1, B2), "eps": EPS, "weight_decay": XI},
        },
        "keras": {
            "optimizer": "Adam",
            "kwargs": {"learning_rate": LR, "beta_1": B1, "beta_2": B2, "epsilon": EPS},
            "l2": XI / 2,
        },
        "optax": {
            "chain": [
                ["add_decayed_weights", {"weight_decay": XI}],
                ["adam", {"learning_rate": LR, "b1": B1, "b2": B2, "eps": EPS}],
            ]
        },
    },
    # Keras's Nadam warms its momentum up as 0.96^t: PyTorch's NAdam with momentum_decay=1
    "nadam_keras": {
        "torch": {
            "optimizer": "NAdam",
            "kwargs": {"lr": LR, "betas": (B1, B2), "eps": EPS, "momentum_decay": 1.0},
        },
        "keras": {
            "optimizer": "Nadam",
            "kwargs": {"learning_rate": LR, "beta_1": B1, "beta_2": B2, "epsilon": EPS},
        },
    },
    # optax's nadam has no warm-up: PyTorch's NAdam with momentum_decay=inf
    "nadam_optax": {
        "torch": {
            "optimizer": "NAdam",
            "kwargs": {"lr": LR, "betas": (B1, B2), "eps": EPS, "momentum_decay": float("inf")},
        },
        "optax": {"chain": [["nadam", {"learning_rate": LR, "b1": B1, "b2": B2, "eps": EPS}]]},
    },
    # Lion: PyTorch has none built in; lion-pytorch (Phil Wang) is the package most use
    "lion": {
        "torch": {
            "optimizer": "Lion",
            "kwargs": {"lr": LR / 10, "betas": (B1, 0.99), "weight_decay": XI * 10},
        },
        "keras": {
            "optimizer": "Lion",
            "kwargs": {
                "learning_rate": LR / 10,
                "beta_1": B1,
                "beta_2": 0.99,
                "weight_decay": XI * 10,
            },
        },
        "optax": {
            "chain": [
                ["lion", {"learning_rate": LR / 10, "b1": B1, "b2": 0.99, "weight_decay": XI * 10}]
            ]
        },
    },
}
# --8<-- [end:rows]

NEAR_MISSES = {
    # Keras's Adam(weight_decay=ξ) is decoupled: it is AdamW, not Adam with L2
    "adam_l2": ROWS["adam_l2"]
    | {
        "keras": {
            "optimizer": "Adam",
            "kwargs": {
                "learning_rate": LR,
                "beta_1": B1,
                "beta_2": B2,
                "epsilon": EPS,
                "weight_decay": XI,
            },
        },
    },
    # PyTorch's NAdam at its default momentum_decay=0.004
    "nadam_keras": ROWS["nadam_keras"]
    | {
        "torch": {"optimizer": "NAdam", "kwargs": {"lr": LR, "betas": (B1, B2), "eps": EPS}},
    },
}
# Keras's Nadam against optax's nadam: no setting of either makes them agree
NO_SETTING = {
    "nadam": {"keras": ROWS["nadam_keras"]["keras"], "optax": ROWS["nadam_optax"]["optax"]}
}


# each row's optimizer, as the converter names it
OPTIMIZER = {"epsilon": "adamw", "amsgrad": "adamw", "nadam_keras": "nadam", "nadam_optax": "nadam"}


def row(name, settings, exact=True):
    gaps = compare(settings, CONSTANT)
    return {"settings": settings, "gaps": gaps, "gap": max(gaps.values()), "exact": exact} | {
        "optimizer": OPTIMIZER.get(name, name)
    }


rows = {name: row(name, settings) for name, settings in ROWS.items()}
# Keras adds ε to √v before the bias correction: in PyTorch's form its ε is ε / √(1 - β2^t)
KERAS_EPS_FACTOR = {t: 1 / math.sqrt(1 - B2**t) for t in (1, STEPS, 1000, 10000)}
for name, settings in NEAR_MISSES.items():
    rows[name]["near_miss"] = max(compare(settings, CONSTANT).values())
for name, settings in NO_SETTING.items():
    rows[name] = row(name, settings, exact=False)
# Keras's ε at 1e-3 and optax's amsgrad have no setting that matches the others
rows["epsilon"]["exact"] = rows["amsgrad"]["exact"] = False


def defaults(call, names):
    params = inspect.signature(call).parameters
    return {n: params[n].default for n in names}


# Each framework's own defaults, read from the installed libraries
DEFAULTS = {
    "torch": defaults(torch.optim.AdamW, ["lr", "betas", "eps", "weight_decay"]),
    "keras": defaults(
        keras.optimizers.AdamW, ["learning_rate", "beta_1", "beta_2", "epsilon", "weight_decay"]
    ),
    "optax": defaults(optax.adamw, ["b1", "b2", "eps", "weight_decay"]),
}
LION_DEFAULTS = {
    "torch": defaults(lion_pytorch.Lion, ["lr", "betas", "weight_decay"]),
    "keras": defaults(keras.optimizers.Lion, ["learning_rate", "beta_1", "beta_2", "weight_decay"]),
    "optax": defaults(optax.lion, ["b1", "b2", "weight_decay"]),
}
for name, r in rows.items():
    gaps = "   ".join(f"{pair} {g:.1e}" for pair, g in r["gaps"].items())
    miss = f"   near miss {r['near_miss']:.1e}" if "near_miss" in r else ""
    print(f"{name:12} {gaps}{miss}")
factors = ", ".join(f"{f:.1f} at step {t}" for t, f in KERAS_EPS_FACTOR.items())
print(f"Keras's epsilon, as PyTorch's: epsilon times {factors}")
for optimizer, table in (("AdamW", DEFAULTS), ("Lion", LION_DEFAULTS)):
    print(f"{optimizer} defaults (optax has no default learning rate):")
    for name, values in table.items():
        print(f"  {name:6}", ", ".join(f"{k}={v}" for k, v in values.items()))
if "DOCRUN_RESULTS" in os.environ:
    results = {"rows": rows, "defaults": DEFAULTS, "lion_defaults": LION_DEFAULTS}
    results["keras_eps_factor"] = {str(t): f for t, f in KERAS_EPS_FACTOR.items()}
    results |= {"versions": versions(), "lr": LR, "b1": B1, "xi": XI, "steps": STEPS}
    with open(os.environ["DOCRUN_RESULTS"], "w") as f:
        json.dump(results, f)
