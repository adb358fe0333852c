"""Multiply every gradient by 1000: which optimizers take a different step?

Four optimizers start from the same weights and see the same gradients, once as they are and
once multiplied by 1000 (a loss scaled by 1000). The script prints how far each moved in
20 steps with the scaled gradients, divided by how far it moved with the plain ones.
"""

import json
import os
from pathlib import Path

import torch
from lion_pytorch import Lion

OPTIMIZERS = {
    "SGD, momentum 0.9": lambda ps: torch.optim.SGD(ps, lr=1e-3, momentum=0.9),
    "AdamW": lambda ps: torch.optim.AdamW(ps, lr=1e-3),
    "Lion": lambda ps: Lion(ps, lr=1e-4),
    "Muon": lambda ps: torch.optim.Muon(ps, lr=1e-3),
}


def distance_moved(make_optimizer, scale, steps=20, seed=0):
    """|theta_20 - theta_0| for gradients g_k * scale; g_k the same random sequence every time."""
    gen = torch.Generator().manual_seed(seed)
    w = torch.nn.Parameter(torch.randn(16, 32, generator=gen))
    start, opt = w.detach().clone(), make_optimizer([w])
    for _ in range(steps):
        w.grad = scale * torch.randn(16, 32, generator=gen)
        opt.step()
    return (w.detach() - start).norm().item()


def ratios(scale=1000.0):
    return {
        name: distance_moved(m, scale) / distance_moved(m, 1.0) for name, m in OPTIMIZERS.items()
    }


if __name__ == "__main__":
    torch.set_num_threads(1)
    print("distance moved with gradients x 1000, divided by the distance with gradients x 1:")
    results = {}
    for name, ratio in ratios().items():
        results[name.split(",")[0].lower()] = ratio
        print(f"  {name:<18} {ratio:10.4f}")
    # 1024 is a power of two: every scaled number keeps its digits, so every rounding is the same
    results["muon_1024"] = ratios(1024.0)["Muon"]
    print(f"Muon with gradients x 1024 instead: {results['muon_1024']:.7f}")
    results["lion_exact"] = results["lion"] == 1.0
    results["muon_differs"] = f"{results['muon']:.4f}" != "1.0000"  # as printed above
    results["muon_1024_exact"] = results["muon_1024"] == 1.0
    if "DOCRUN_RESULTS" in os.environ:  # the site's build quotes these numbers on its pages
        Path(os.environ["DOCRUN_RESULTS"]).write_text(json.dumps(results))
