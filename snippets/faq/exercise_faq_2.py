"""Adam's first step under a gradient g, with both bias corrections, one of them, or neither.

After one step m = (1 - b1) g and s = (1 - b2) g^2. The step lr m / sqrt(s) is then
    both corrections: lr;   only m corrected: lr / sqrt(1 - b2);
    only s corrected: lr (1 - b1);   neither: lr (1 - b1) / sqrt(1 - b2).
"""

import json
import math
import os
from pathlib import Path

import torch

LR, B1, B2, EPS, G = 1e-3, 0.9, 0.999, 1e-8, 0.5


def torch_first_step():
    p = torch.nn.Parameter(torch.zeros(1, dtype=torch.float64))
    opt = torch.optim.Adam([p], lr=LR, betas=(B1, B2), eps=EPS)
    p.grad = torch.full((1,), G, dtype=torch.float64)
    opt.step()
    return -p.item()


def first_step(correct_m, correct_s, g=G):
    m, s = (1 - B1) * g, (1 - B2) * g * g
    m_hat = m / (1 - B1) if correct_m else m
    s_hat = s / (1 - B2) if correct_s else s
    return LR * m_hat / (math.sqrt(s_hat) + EPS)


if __name__ == "__main__":
    print(f"lr {LR}, betas ({B1}, {B2}), gradient {G}: first step / lr")
    print(f"  torch.optim.Adam:          {torch_first_step() / LR:.6f}")
    print(f"  both corrections:          {first_step(True, True) / LR:.6f}")
    print(f"  only m corrected:          {first_step(True, False) / LR:.6f}", end="")
    print(f"   1 / sqrt(1 - b2) = {1 / math.sqrt(1 - B2):.6f}")
    print(f"  only s corrected:          {first_step(False, True) / LR:.6f}", end="")
    print(f"   1 - b1 = {1 - B1:.6f}")
    print(f"  neither:                   {first_step(False, False) / LR:.6f}", end="")
    print(f"   (1 - b1) / sqrt(1 - b2) = {(1 - B1) / math.sqrt(1 - B2):.6f}")
    results = {
        "betas": [B1, B2],  # the question's settings, quoted by the page
        "torch": torch_first_step() / LR,
        "both": first_step(True, True) / LR,
        "only_m": first_step(True, False) / LR,
        "only_s": first_step(False, True) / LR,
        "neither": first_step(False, False) / LR,
    }
    if "DOCRUN_RESULTS" in os.environ:  # the site's build quotes these numbers on its pages
        Path(os.environ["DOCRUN_RESULTS"]).write_text(json.dumps(results))
