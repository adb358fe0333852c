"""The answers of the exercises on docs/faq/: what each solution's script recorded when the site
was built, against the closed form the solution derives, and the scripts' functions on other inputs
(the format of every exercise and the list: tests/test_exercises.py).

EPS is float64's machine epsilon; every tolerance says how many roundings it allows for."""

import math

import numpy as np
import pytest
from conftest import load_script, recorded, snippet

EPS = np.finfo(np.float64).eps


def script(name):
    return load_script(snippet(f"exercise_{name}"))


def test_faq_1_sparse_row_travels_lr_g_one_minus_gamma_n_over_one_minus_gamma():
    ex, run = script("faq_1"), recorded("exercise_faq_1").results
    assert run["final"] == pytest.approx(ex.LR / (1 - ex.GAMMA), rel=2 * EPS)
    assert run["steps_to_99"] == math.ceil(math.log(0.01) / math.log(ex.GAMMA)) == 44
    assert ex.closed_form(44) >= 0.99 * ex.LR / (1 - ex.GAMMA) > ex.closed_form(43)
    # distances below 1, one rounding per step: 100 steps
    assert run["max_gap"] < 100 * 2 * EPS and run["within_1e-12"]
    for n in (3, 7, 60):  # step counts the solution does not print
        assert ex.row_distance(n) == pytest.approx(ex.closed_form(n), rel=0, abs=n * 2 * EPS)


def test_faq_2_first_adam_step_with_missing_bias_corrections():
    ex, run = script("faq_2"), recorded("exercise_faq_2").results
    b1, b2 = ex.B1, ex.B2
    assert run["betas"] == [b1, b2]
    # Adam's eps (1e-8) is added to sqrt(s): sqrt((1 - b2) g^2) = 0.0158 when s is not corrected,
    # |g| = 0.5 when it is; the relative error of a first step is eps over that
    uncorrected_s = ex.EPS / math.sqrt((1 - b2) * ex.G**2)
    corrected_s = ex.EPS / abs(ex.G)
    assert run["torch"] == pytest.approx(1.0, rel=2 * corrected_s)
    assert run["both"] == pytest.approx(run["torch"], rel=16 * EPS)
    assert run["only_m"] == pytest.approx(1 / math.sqrt(1 - b2), rel=2 * uncorrected_s)
    assert run["only_s"] == pytest.approx(1 - b1, rel=2 * corrected_s)
    assert run["neither"] == pytest.approx((1 - b1) / math.sqrt(1 - b2), rel=2 * uncorrected_s)
    # the same rule for another gradient: the first step does not depend on |g| (but for eps)
    for g in (0.01, 3.0):
        assert ex.first_step(True, False, g=g) / ex.LR == pytest.approx(
            1 / math.sqrt(1 - b2), rel=2 * ex.EPS / math.sqrt((1 - b2) * g * g)
        )


def test_faq_3_weight_decay_fixed_points_coupled_and_decoupled():
    ex, run = script("faq_3"), recorded("exercise_faq_3").results
    # 2000 steps of a contraction (heavy ball, roots of modulus sqrt(0.9) = 0.95): every step's
    # rounding (EPS on values below 1) adds up to at most EPS / (1 - 0.95) = 20 EPS
    settled = 4 * 20 * EPS
    assert run["coupled"] == pytest.approx(1 / (1 + ex.WD), abs=settled)
    assert run["decoupled"] == pytest.approx(1 / (1 + ex.WD * (1 - ex.GAMMA)), abs=settled)
    assert run["decoupled_scaled"] == pytest.approx(run["coupled"], abs=2 * settled)
    assert run["max_gap"] < settled and run["within_1e-12"]
    wd = 0.3  # a weight decay the solution does not use
    assert ex.coupled(wd) == pytest.approx(1 / (1 + wd), abs=settled)
    assert ex.decoupled(wd) == pytest.approx(1 / (1 + wd * (1 - ex.GAMMA)), abs=settled)
