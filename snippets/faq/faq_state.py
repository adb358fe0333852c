"""What momentum stores: one buffer per parameter, however many steps have run.

A ResNet-18 (torchvision) is given gradients and stepped by plain SGD, SGD with momentum, RMSprop
and Adam. We count the optimizer's state tensors and their bytes after 1, 10 and 20 steps.
Momentum holds one running sum per parameter, not a list of past gradients. What an optimizer
stores depends on its parameters' shapes and dtypes, not on their values, so the model is built
on PyTorch's meta device: tensors with a shape and a dtype but no data, which the optimizers step
like any others, in a fraction of the time (tests/test_faq.py checks that the count is the same
on real tensors).
"""

import json
import os
from pathlib import Path

import torch


# --8<-- [start:count]
def optimizer_state(optimizer, params):
    """(full-size state tensors, scalar state tensors, bytes of all state) of an optimizer."""
    full = scalars = nbytes = 0
    for p in params:
        for value in optimizer.state[p].values():
            if torch.is_tensor(value):
                nbytes += value.numel() * value.element_size()
                if value.shape == p.shape:
                    full += 1
                else:
                    scalars += 1  # e.g. Adam's step counter
    return full, scalars, nbytes


def state_over_time(make_optimizer, model, checkpoints=(1, 10, 20)):
    """{steps: optimizer_state(...)} after each number of steps in checkpoints."""
    params = [p for p in model.parameters() if p.requires_grad]
    for p in params:
        p.grad = torch.ones_like(p)  # the values do not matter here, only what is stored
    optimizer = make_optimizer(params)
    seen = {}
    for step in range(1, max(checkpoints) + 1):
        optimizer.step()
        if step in checkpoints:
            seen[step] = optimizer_state(optimizer, params)
    return seen


# --8<-- [end:count]

OPTIMIZERS = {
    "SGD, momentum 0": lambda ps: torch.optim.SGD(ps, lr=1e-6, momentum=0.0),
    "SGD, momentum 0.9": lambda ps: torch.optim.SGD(ps, lr=1e-6, momentum=0.9),
    "RMSprop": lambda ps: torch.optim.RMSprop(ps, lr=1e-6),
    "Adam": lambda ps: torch.optim.Adam(ps, lr=1e-6),
}

KEYS = dict(zip(OPTIMIZERS, ("sgd", "momentum", "rmsprop", "adam"), strict=True))  # result names

if __name__ == "__main__":
    import torchvision  # only the demo needs it

    with torch.device("meta"):  # shapes and dtypes only: what the optimizers' state depends on
        model = torchvision.models.resnet18(weights=None)
    params = [p for p in model.parameters() if p.requires_grad]
    n_params = sum(p.numel() for p in params)
    param_bytes = sum(p.numel() * p.element_size() for p in params)
    results = {
        "tensors": len(params),
        "values": n_params,
        "param_mib": param_bytes / 2**20,
        "state": {},
    }
    print(
        f"ResNet-18: {len(params)} parameter tensors, {n_params:,} values, "
        f"{param_bytes / 2**20:.1f} MiB (fp32)\n"
    )
    print(
        f"{'optimizer':<18} {'steps':>5} {'full-size tensors':>17} {'scalars':>7} "
        f"{'state MiB':>9} {'state / params':>14}"
    )
    for name, make in OPTIMIZERS.items():
        seen = state_over_time(make, model)
        for steps, (full, scalars, nbytes) in seen.items():
            print(
                f"{name:<18} {steps:>5} {full:>17} {scalars:>7} {nbytes / 2**20:9.1f} "
                f"{nbytes / param_bytes:14.2f}"
            )
        full, scalars, nbytes = seen[1]
        results["state"][KEYS[name]] = {
            "full": full,
            "scalars": scalars,
            "mib": nbytes / 2**20,
            "per_param": nbytes / param_bytes,
            "bytes_per_value": nbytes / n_params,
            "same_at_every_step": len(set(seen.values())) == 1,
        }
    results["same_at_every_step"] = all(r["same_at_every_step"] for r in results["state"].values())
    if "DOCRUN_RESULTS" in os.environ:  # the site's build quotes these numbers on its pages
        Path(os.environ["DOCRUN_RESULTS"]).write_text(json.dumps(results))
