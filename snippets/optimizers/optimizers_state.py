"""What each optimizer stores, read from its state_dict(), for a model of 1,000,000 parameters."""

import importlib.metadata
import json
import os
from pathlib import Path

import torch


# --8<-- [start:measure]
def state_of(make_optimizer, shape=(1000, 1000), steps=3):
    """(full-size buffers per parameter, bytes of all tensors in state_dict()['state']).

    The model is one fp32 weight matrix of 1,000,000 values (2-D, so that Muon accepts it).
    """
    p = torch.nn.Parameter(torch.zeros(shape))
    opt = make_optimizer([p])
    if hasattr(opt, "train"):
        opt.train()  # schedule-free optimizers step only in training mode
    for _ in range(steps):
        p.grad = torch.ones_like(p)
        opt.step()
    state = opt.state_dict()["state"].get(0, {})  # parameter 0; plain SGD stores nothing
    tensors = [v for v in state.values() if torch.is_tensor(v)]
    full = sum(t.shape == p.shape for t in tensors)
    return full, sum(t.numel() * t.element_size() for t in tensors), sorted(state)


# --8<-- [end:measure]


def optimizers():
    import schedulefree
    from lion_pytorch import Lion

    return {
        "SGD": lambda ps: torch.optim.SGD(ps, lr=0.01),
        "SGD, momentum 0.9": lambda ps: torch.optim.SGD(ps, lr=0.01, momentum=0.9),
        "SGD, Nesterov": lambda ps: torch.optim.SGD(ps, lr=0.01, momentum=0.9, nesterov=True),
        "Adam": lambda ps: torch.optim.Adam(ps),
        "AdamW": lambda ps: torch.optim.AdamW(ps),
        "NAdam": lambda ps: torch.optim.NAdam(ps),
        "Muon": lambda ps: torch.optim.Muon(ps),
        "Lion": lambda ps: Lion(ps),
        "SGDScheduleFree": lambda ps: schedulefree.SGDScheduleFree(ps),
    }


RESULT_NAMES = {  # names for the page's quotes: letters, digits and _
    "SGD, momentum 0.9": "sgd_momentum",
    "SGD, Nesterov": "sgd_nesterov",
    "SGDScheduleFree": "schedule_free",
}

if __name__ == "__main__":
    torch.set_num_threads(1)
    print(f"device: cpu; torch {importlib.metadata.version('torch')}", end="; ")
    print(f"lion-pytorch {importlib.metadata.version('lion-pytorch')}", end="; ")
    print(f"schedulefree {importlib.metadata.version('schedulefree')}")
    print("one fp32 parameter of 1,000,000 values (4,000,000 bytes), after 3 steps:")
    print(f"  {'optimizer':<18} {'buffers':>7} {'state bytes':>12} {'/ params':>8}  keys")
    results = {"buffers": {}, "state_bytes": {}}
    for name, make in optimizers().items():
        full, nbytes, keys = state_of(make)
        key = RESULT_NAMES.get(name, name.lower())
        results["buffers"][key], results["state_bytes"][key] = full, nbytes
        print(f"  {name:<18} {full:>7} {nbytes:>12,} {nbytes / 4e6:>8.2f}  {', '.join(keys)}")

    if "DOCRUN_RESULTS" in os.environ:  # the site's build quotes these numbers on its pages
        Path(os.environ["DOCRUN_RESULTS"]).write_text(json.dumps(results))
