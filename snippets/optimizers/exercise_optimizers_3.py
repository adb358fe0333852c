"""NAdam's mu_t = beta1 (1 - 0.5 * 0.96^(psi t)): the first step at which it reaches a target.

mu_t >= target  <=>  0.96^(psi t) <= 2 (1 - target / beta1)
               <=>  t >= ln(2 (1 - target / beta1)) / (psi ln 0.96)   (ln 0.96 < 0 flips it).
"""

import json
import math
import os
from pathlib import Path


def mu(t, beta1=0.9, psi=4e-3):
    return beta1 * (1 - 0.5 * 0.96 ** (t * psi))


def first_step_closed_form(target, beta1=0.9, psi=4e-3):
    return math.ceil(math.log(2 * (1 - target / beta1)) / (psi * math.log(0.96)))


def first_step_by_search(target, beta1=0.9, psi=4e-3):
    t = 1
    while mu(t, beta1, psi) < target:
        t += 1
    return t


if __name__ == "__main__":
    results = {"targets": [0.5, 0.8, 0.85, 0.89], "first_step": []}
    agree = True
    for target in results["targets"]:
        closed, searched = first_step_closed_form(target), first_step_by_search(target)
        results["first_step"].append(closed)
        agree = agree and closed == searched
        print(f"mu_t >= {target}: closed form t = {closed:,}, counting steps t = {searched:,}")
    results["agree"] = agree
    if "DOCRUN_RESULTS" in os.environ:  # the site's build quotes these numbers on its pages
        Path(os.environ["DOCRUN_RESULTS"]).write_text(json.dumps(results))
