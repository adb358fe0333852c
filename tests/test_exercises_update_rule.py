"""The answers of the exercises on docs/update_rule/: each solution's script computes what its
question asks (the format of every exercise and the list: tests/test_exercises.py).

The numbers the solutions quote are read from the scripts' recorded runs and compared with the
hand calculation, numpy's roots and the closed form; the scripts' functions run on other inputs.
"""

import numpy as np
import pytest
from conftest import load_script, recorded, snippet

EPS = float(np.finfo(np.float64).eps)  # 2.2e-16


def script(name):
    return load_script(snippet(f"exercise_{name}"))


def test_update_rule_1_three_steps_with_weight_decay_by_hand_equal_torch():
    r = recorded("exercise_update_rule_1").results
    # the solution's arithmetic, exact in decimals: d = 1 + 0.1 theta, b = 0.9 b + d,
    # theta -= 0.1 b; float64 rounds each of the few operations on numbers below 3
    tol = 16 * 3 * EPS
    assert r["decayed_grad"] == pytest.approx([1.1, 1.089, 1.06821], rel=0, abs=tol)
    assert r["decay_term"] == pytest.approx([0.1, 0.089, 0.06821], rel=0, abs=tol)
    assert r["buffer"] == pytest.approx([1.1, 2.079, 2.93931], rel=0, abs=tol)
    assert r["theta"] == pytest.approx([0.89, 0.6821, 0.388169], rel=0, abs=tol)
    assert r["step"] == pytest.approx([0.11, 0.2079, 0.293931], rel=0, abs=tol)
    # torch.optim.SGD against the hand calculation, recorded: the solution's "to 1e-14"
    assert r["torch_gap"] < 1e-14 and r["agrees_to_1e-14"]
    # other inputs: weight decay 0.3 from theta 2, gradient 1 twice, computed both ways
    ex = script("update_rule_1")
    ex.WEIGHT_DECAY, ex.THETA0, ex.GRADS = 0.3, 2.0, (1.0, 1.0)
    assert np.allclose(ex.by_hand(), ex.by_torch(), rtol=0, atol=tol)
    assert ex.by_hand()[0] == pytest.approx((1.6, 1.84), abs=tol)  # d = 1 + 0.3 * 2


def test_update_rule_2_without_zero_grad_momentum_diverges_at_every_lr():
    r = recorded("exercise_update_rule_2").results
    assert r["lrs"] == [0.01, 0.001]
    # with zero_grad() the error shrinks from 4 (1.9e-3 at lr 0.001 after 300 steps); without,
    # it grows past 1e4 from the same start
    assert all(d < 2e-3 for d in r["final_with"])
    assert all(d > 1e4 for d in r["final_without"])
    ex = script("update_rule_2")
    assert all(ex.growth_per_step(lr) > 1 for lr in np.logspace(-8, 0, 49))
    # the second-order estimate of the growth: its excess over 1 within 1 % for small lr
    # (the next term is of relative size about sqrt(lr h / (1 - gamma)), 0.45 % at lr 1e-6)
    assert r["estimate_error"] < 0.01 and r["estimate_within_1pct"]
    for lr in (1e-6, 1e-7, 3e-8):
        excess = ex.growth_per_step(lr) - 1
        assert excess == pytest.approx(ex.small_lr_estimate(lr) - 1, rel=0.01)


def test_update_rule_2_the_growth_factor_is_what_the_loop_measures():
    r = recorded("exercise_update_rule_2").results
    # the cubic (z - 1)^2 (z - 0.9) + lr h z^2 at lr 0.01, h 2, solved here on its own
    cubic = np.polymul(np.polymul([1, -1], [1, -1]), [1, -0.9]) + np.array([0, 0.02, 0, 0])
    root = np.abs(np.roots(cubic)).max()
    assert r["root_growth"] == pytest.approx(root, rel=1e-12)  # np.roots: a few EPS
    # the loop's growth, measured between oscillation peaks 100 steps apart (period 26 steps):
    # each window's largest value is the envelope times a factor in [cos(pi / 26), 1], so the
    # 100-step ratio is off by at most 1 / cos(pi / 26) = 1.007, 0.007^(1/100): 7e-5 in the
    # rate; the other roots' share after 200 steps (below 0.9^200) is negligible. 5e-3 is far
    # above both; the page shows three decimals
    assert r["measured_growth"] == pytest.approx(root, rel=5e-3)


def test_update_rule_3_distance_after_n_steps_matches_torch_to_1e_12():
    r = recorded("exercise_update_rule_3").results
    assert r["relative_error"] < 1e-12 and r["matches_1e-12"]
    # the lag's limit lr g gamma / (1 - gamma)^2, for gamma 0.5 and 0.9 (lr 0.1, g 1)
    assert r["lag_limit"] == pytest.approx([0.1 * 0.5 / 0.5**2, 0.1 * 0.9 / 0.1**2], rel=4 * EPS)
    assert r["plain_steps"] == pytest.approx(90, rel=4 * EPS)
    ex = script("update_rule_3")
    # other inputs: gamma 0.8 and 0.99; the closed form against the sum of the steps
    for gamma in (0.8, 0.99):
        for n in (1, 7, 300):
            by_steps = sum(ex.LR * ex.G * (1 - gamma**k) / (1 - gamma) for k in range(1, n + 1))
            # n terms below 10 summed: n * 10 * EPS relative to sums of at least 0.1
            assert ex.closed_form(n, gamma) == pytest.approx(by_steps, rel=n * 100 * EPS)
            # torch: n steps of |theta| < 3000, a rounding each
            tol = n * 3000 * EPS / ex.closed_form(n, gamma)
            assert ex.torch_distance(n, gamma) == pytest.approx(ex.closed_form(n, gamma), rel=tol)
