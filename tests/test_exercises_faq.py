"""The answers of the exercises on docs/faq.md: each solution's script computes what its
question asks (the format of every exercise and the list: tests/test_exercises.py)."""

import math

import pytest
from conftest import load_script


def script(name):
    return load_script(f"snippets/exercise_{name}.py")


def test_faq_1_sparse_row_travels_lr_g_one_minus_gamma_n_over_one_minus_gamma():
    ex = script("faq_1")
    for n in (1, 2, 10, 44, 100):
        assert ex.row_distance(n) == pytest.approx(ex.closed_form(n), rel=1e-12)
    assert ex.closed_form(44) >= 0.99 * ex.LR / (1 - ex.GAMMA) > ex.closed_form(43)


def test_faq_2_first_adam_step_with_missing_bias_corrections():
    ex = script("faq_2")
    lr, b1, b2 = ex.LR, ex.B1, ex.B2
    assert ex.torch_first_step() == pytest.approx(lr, rel=1e-6)  # eps = 1e-8 against 0.5
    assert ex.first_step(True, True) == pytest.approx(ex.torch_first_step(), rel=1e-12)
    assert ex.first_step(True, False) == pytest.approx(lr / math.sqrt(1 - b2), rel=1e-6)
    assert ex.first_step(False, True) == pytest.approx(lr * (1 - b1), rel=1e-6)
    assert ex.first_step(False, False) == pytest.approx(lr * (1 - b1) / math.sqrt(1 - b2), rel=1e-6)


def test_faq_3_weight_decay_fixed_points_coupled_and_decoupled():
    ex = script("faq_3")
    assert ex.coupled() == pytest.approx(1 / (1 + ex.WD), rel=1e-12)
    assert ex.decoupled() == pytest.approx(1 / (1 + ex.WD * (1 - ex.GAMMA)), rel=1e-12)
    assert ex.decoupled(ex.WD / (1 - ex.GAMMA)) == pytest.approx(ex.coupled(), rel=1e-12)
