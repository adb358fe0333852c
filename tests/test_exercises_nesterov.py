"""The answers of the exercises on docs/nesterov/: each solution's script computes what its
question asks (the format of every exercise and the list: tests/test_exercises.py). The numbers
the solutions quote are the scripts' recorded runs, set here against closed forms."""

import cmath
import math

import numpy as np
import pytest
from conftest import load_script, recorded, snippet

EPS = np.finfo(float).eps  # 2.2e-16


def script(name):
    return load_script(snippet(f"exercise_{name}"))


def test_nesterov_1_nesterov_step_k_is_plain_momentum_step_k_plus_1():
    ex = script("nesterov_1")
    nesterov, plain = ex.torch_steps(True, 50), ex.torch_steps(False, 51)
    # each step is a difference of two positions below 5 (1e-12 is ~10^3 roundings of them)
    for k in range(1, 51):
        assert nesterov[k - 1] == pytest.approx(ex.nesterov_step(k), rel=1e-12)
        assert nesterov[k - 1] == pytest.approx(plain[k], rel=1e-12)
    # the first step, as the solution quotes it from the run: lr g (1 + mu) = 0.19, not lr g
    first = recorded("exercise_nesterov_1").results
    assert first["first_step"] == pytest.approx(ex.LR * ex.G * (1 + ex.MU), rel=4 * EPS)
    assert first["first_plain_step"] == pytest.approx(ex.LR * ex.G, rel=4 * EPS)


def test_nesterov_2_at_lr_one_over_lambda_nesterov_stays_on_the_minimum():
    ex = script("nesterov_2")
    rec = recorded("exercise_nesterov_2").results
    nesterov = ex.run("nesterov")
    assert max(abs(x) for x in nesterov[1:]) == 0.0  # exactly, from step 1 on
    assert rec["nesterov"]["x_2"] == 0.0 and rec["nesterov"]["steps_to_tol"] == 1
    # heavy ball: x_1 = 0, then the velocity -1 times mu carries it to -mu
    assert rec["heavy_ball"]["x_1"] == 0.0
    assert rec["heavy_ball"]["x_2"] == pytest.approx(-ex.MU, rel=4 * EPS)
    # From x_0 = 1, x_1 = 0 heavy ball with lr lam = 1 rings as x_k = 2 Re(a z^k), z a root of
    # z^2 - mu z + mu (modulus sqrt(mu)): the last k with |x_k| >= tol, by that closed form
    z = (ex.MU + cmath.sqrt(ex.MU**2 - 4 * ex.MU)) / 2
    a = 0.5 + 0.5j * z.real / z.imag  # Re(a) = 1/2 (x_0 = 1), Re(a z) = 0 (x_1 = 0)
    closed = [2 * (a * z**k).real for k in range(400)]
    last = max(k for k, x in enumerate(closed) if abs(x) >= ex.TOL)
    # the crossing is not a rounding call: the closed form and the loop differ by ~1e-14,
    # and no |x_k| lies within 1e-9 of the tolerance
    assert min(abs(abs(x) - ex.TOL) for x in closed) > 1e-9 * ex.TOL
    assert rec["heavy_ball"]["steps_to_tol"] == last + 1


@pytest.mark.parametrize("h", [0.001, 0.04, 0.25])
def test_nesterov_3_critical_momentum_gives_rate_one_minus_sqrt_h(h):
    ex = script("nesterov_3")
    mu_c = ex.critical_mu(h)
    assert mu_c * (1 - h) == pytest.approx((1 - math.sqrt(h)) ** 2, rel=8 * EPS)
    # a double root: eigvals finds it to sqrt(eps |M|) ~ 2e-8 only
    assert ex.rate(h, mu_c) == pytest.approx(1 - math.sqrt(h), abs=1e-7)
    kappa = 1 / h  # Nesterov's constant momentum for condition number kappa, at lr = 1/L
    assert mu_c == pytest.approx((math.sqrt(kappa) - 1) / (math.sqrt(kappa) + 1), rel=8 * EPS)
    rec = recorded("exercise_nesterov_3").results[f"h_{h:g}".replace(".", "_")]
    assert rec["mu_c"] == pytest.approx((1 - math.sqrt(h)) / (1 + math.sqrt(h)), rel=8 * EPS)
    assert rec["beta_c"] == pytest.approx((1 - math.sqrt(h)) ** 2, rel=8 * EPS)
    # the grid search finds the minimum next to mu_c: within one step of the 4000-point grid
    # (the rate has a corner at mu_c, so the best grid point is a neighbour of it)
    assert abs(rec["grid_best_mu"] - mu_c) < 0.999 / 3999
    assert rec["grid_best_rate"] >= rec["rate_at_mu_c"] - 1e-7  # nothing beats the double root
