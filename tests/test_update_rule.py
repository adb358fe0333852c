"""Claims of docs/update_rule/: the forms, the frameworks, the schedule and the converter.

The numbers the page quotes are read from the scripts' recorded runs; the tests compare them with
computations of their own (a linear recursion for the gap, the offset's series summed term by
term) and call the scripts' functions on other problems.
"""

import numpy as np
import pytest
import torch
from conftest import load_script, recorded

forms = load_script("snippets/update_rule/update_rule_forms.py")
frameworks = load_script("snippets/update_rule/update_rule_frameworks.py")
schedule = load_script("snippets/update_rule/update_rule_schedule.py")

STEPS = 200
EPS = float(np.finfo(np.float64).eps)  # 2.2e-16
# Two ways of writing one float64 update differ by rounding only: each step rounds parameters of
# order 1 (|theta| < 4 on these problems) by at most 4 * EPS, and a contracting iteration keeps
# the sum of those roundings below STEPS * 4 * EPS = 1.8e-13 over 200 steps.
ROUNDING = STEPS * 4 * EPS


def other_problem(steps=STEPS):
    """The scripts' noisy quadratic with another seed and size: inputs the demos never ran."""
    return forms.make_problem(dim=3, steps=steps, seed=1)


def matrix_of(grad, dim=5):
    """A of g(theta, k) = A (theta - theta*) + noise_k, read off by differences (exact up to
    rounding: the noise cancels at a fixed k)."""
    zero = torch.zeros(dim, dtype=torch.float64)
    return np.stack([(grad(e, 0) - grad(zero, 0)).numpy() for e in torch.eye(dim).double()], 1)


# --- the three forms ---------------------------------------------------------------------------


def test_heavy_ball_equals_lr_inside_and_torch_sgd_to_1e_12():
    gaps = recorded("update_rule_forms").results["largest_gap"]
    assert gaps["heavy_ball"] <= ROUNDING and gaps["lr_inside"] <= ROUNDING
    assert recorded("update_rule_forms").results["same_up_to_rounding"]
    grad, theta0 = other_problem()
    ref = forms.torch_sgd(grad, theta0, STEPS, lr=0.2, momentum=0.7)
    assert (forms.heavy_ball(grad, theta0, 0.2, 0.7, STEPS) - ref).abs().max() <= ROUNDING
    assert (forms.lr_inside(grad, theta0, 0.2, 0.7, STEPS) - ref).abs().max() <= ROUNDING


def test_lr_inside_and_lr_outside_agree_with_torch_sgd_at_constant_lr():
    gaps = recorded("update_rule_forms").results["largest_gap"]
    assert gaps["lr_inside"] <= ROUNDING and gaps["lr_outside"] <= ROUNDING
    grad, theta0 = other_problem()
    ref = forms.torch_sgd(grad, theta0, STEPS, lr=0.2, momentum=0.7)
    assert (forms.lr_outside(grad, theta0, 0.2, 0.7, STEPS) - ref).abs().max() <= ROUNDING


def test_moving_average_needs_lr_over_one_minus_beta():
    assert recorded("update_rule_forms").results["largest_gap"]["ema"] <= ROUNDING
    grad, theta0 = other_problem()
    ref = forms.torch_sgd(grad, theta0, STEPS, lr=0.2, momentum=0.7)
    same = forms.moving_average(grad, theta0, 0.2 / (1 - 0.7), 0.7, STEPS)
    naive = forms.moving_average(grad, theta0, 0.2, 0.7, STEPS)
    assert (same - ref).abs().max() <= ROUNDING
    assert (naive - ref).abs().max() > 0.1  # copying lr unchanged is a different run


def test_torch_dampening_is_not_the_zero_started_moving_average():
    """The gap between dampened torch and the zero-started EMA (lr 1, beta 0.9), worked out
    independently: after step 1 both follow m <- b m + (1 - b) g, theta <- theta - lr m, so
    their difference follows the same recursion without the noise, from b g_0 and -lr b g_0."""
    r = recorded("update_rule_forms").results
    grad, theta0 = forms.make_problem(steps=STEPS)
    a, g0, lr, beta = matrix_of(grad), grad(theta0, 0).numpy(), 1.0, 0.9
    d_m, d_theta = beta * g0, -lr * beta * g0
    gaps = [0.0, np.abs(d_theta).max()]
    for _ in range(STEPS - 1):
        d_m = beta * d_m + (1 - beta) * a @ d_theta
        d_theta = d_theta - lr * d_m
        gaps.append(np.abs(d_theta).max())
    # the recorded gap is to torch.optim.SGD(lr=0.1, momentum=0.9), which the EMA run equals to
    # largest_gap["ema"]: the two gaps differ by that much plus the rounding of each run
    tol = r["largest_gap"]["ema"] + 2 * ROUNDING
    assert r["largest_gap"]["torch_dampened"] == pytest.approx(max(gaps), abs=tol)
    assert r["dampened_worst_step"] == int(np.argmax(gaps))
    assert r["dampened_final_gap"] == pytest.approx(gaps[-1], abs=tol)
    assert r["dampened_final_gap"] < 1e-4 * r["largest_gap"]["torch_dampened"]  # same end point


# --- frameworks: each transcription against its form -------------------------------------------


@pytest.mark.parametrize("name", list(frameworks.RULES))
def test_every_transcription_matches_torch_sgd_at_constant_lr(name):
    r = recorded("update_rule_frameworks").results
    assert r["constant_gap"] <= ROUNDING and r["constant_to_rounding"]
    grad, theta0 = other_problem()
    rule = frameworks.RULES[name]
    path = frameworks.run_rule(rule, grad, theta0, STEPS, lambda k: 0.2, 0.7)
    ref = frameworks.run_torch(grad, theta0, STEPS, lambda k: 0.2, 0.7)
    assert (path - ref).abs().max() <= ROUNDING


@pytest.mark.parametrize("name", ["TF1 MomentumOptimizer", "optax.sgd", "d2l.ai"])
def test_lr_outside_frameworks_match_torch_sgd_under_step_decay(name):
    r = recorded("update_rule_frameworks").results
    assert r["outside_decay_gap"] <= ROUNDING and r["outside_to_rounding"]
    grad, theta0 = other_problem()
    decay = schedule.step_schedule(0.2, 0.05, 60)
    path = frameworks.run_rule(frameworks.RULES[name], grad, theta0, STEPS, decay, 0.7)
    assert (path - frameworks.run_torch(grad, theta0, STEPS, decay, 0.7)).abs().max() <= ROUNDING


@pytest.mark.parametrize("name", ["Keras 3 / tf.keras SGD", "cs231n, Goodfellow 8.2"])
def test_lr_inside_frameworks_follow_form_a_and_leave_torch_under_step_decay(name):
    # the recorded gap (the Keras transcription against torch) against form (a) as its formula
    # reads, run under the same decay: the page's 0.254 at step 121 and 0.064 at step 200
    r = recorded("update_rule_frameworks").results
    grad, theta0 = frameworks.make_problem(steps=STEPS)
    a = schedule.lr_inside(grad, theta0, frameworks.step_decay, 0.9, STEPS)
    gap = (a - frameworks.run_torch(grad, theta0, STEPS, frameworks.step_decay, 0.9)).abs()
    gap = gap.amax(dim=1)
    assert r["inside_decay_gap"] == pytest.approx(gap.max().item(), abs=2 * ROUNDING)
    assert r["inside_worst_step"] == gap.argmax().item()
    assert r["steps_after_drop"] == r["inside_worst_step"] - 100  # the decay is at step 100
    assert r["inside_final_gap"] == pytest.approx(gap[-1].item(), abs=2 * ROUNDING)
    # each transcription is form (a), on another problem and schedule too
    grad, theta0 = other_problem()
    decay = schedule.step_schedule(0.2, 0.05, 60)
    path = frameworks.run_rule(frameworks.RULES[name], grad, theta0, STEPS, decay, 0.7)
    assert (path - schedule.lr_inside(grad, theta0, decay, 0.7, STEPS)).abs().max() <= ROUNDING


def test_keras_velocity_is_form_a_velocity():
    grad, theta0 = frameworks.make_problem(steps=STEPS)
    state_k, theta_k = {}, theta0.clone()
    v, theta_a = torch.zeros_like(theta0), theta0.clone()
    for k in range(50):
        theta_k = frameworks.keras_sgd(theta_k, grad(theta_k, k), 0.1, 0.9, state_k)
        v = 0.9 * v - 0.1 * grad(theta_a, k)
        theta_a = theta_a + v
        assert torch.allclose(state_k["m"], v, rtol=0, atol=ROUNDING)


# --- the learning-rate schedule ----------------------------------------------------------------


def offset_by_series(lr_old, lr_new, gamma, k_change, n_after):
    """How far (a) is ahead n_after steps after the change, summed term by term: the buffer at
    the change, b_K = sum_{j<K} gamma^j (g = 1), carries lr_old in (a) and lr_new in (b), and
    its share on step j after the change is gamma^j."""
    b_k = sum(gamma**j for j in range(k_change))
    return sum((lr_old - lr_new) * b_k * gamma**j for j in range(1, n_after + 1))


def _const_grad_paths(lr_old, lr_new, k_change, steps, gamma=0.9, rescale=False):
    sched = schedule.step_schedule(lr_old, lr_new, k_change)
    theta0 = torch.zeros(1, dtype=torch.float64)
    a = schedule.lr_inside(schedule.constant_gradient, theta0, sched, gamma, steps, rescale)
    b = schedule.lr_outside(schedule.constant_gradient, theta0, sched, gamma, steps)
    return a[:, 0], b[:, 0]


# constant gradient 1: after 150 steps the paths are at most 150 / (1 - 0.9) * 0.1 = 150 long;
# each step rounds them by 150 * EPS, so 150 steps leave at most 150 * 150 * EPS = 5e-12
SCHEDULE_ROUNDING = 150 * 150 * EPS


@pytest.mark.parametrize(("lr_old", "lr_new"), [(0.1, 0.01), (0.01, 0.1)])
def test_step_change_offset_matches_closed_form(lr_old, lr_new):
    r = recorded("update_rule_schedule").results
    offset = offset_by_series(lr_old, lr_new, 0.9, 50, 100)  # the page: change at 50, 150 steps
    measured = r["offset_decay"] if lr_old > lr_new else r["offset_warmup"]
    assert measured == pytest.approx(offset, abs=SCHEDULE_ROUNDING)
    assert r["closed_form_error"] <= SCHEDULE_ROUNDING and r["closed_form_exact"]
    # the long-run limit (lr_old - lr_new) g gamma / (1 - gamma)^2 for an early-settled buffer
    assert r["offset_limit"] == pytest.approx((0.1 - 0.01) * 0.9 / 0.1**2, rel=1e-12)
    assert r["offset_in_steps"] == pytest.approx(r["offset_decay"] / 0.1, rel=1e-12)
    # the closed form on other inputs: a change at step 30, 1, 10 and 100 steps later
    a, b = _const_grad_paths(0.2, 0.05, 30, 130)
    for n in (1, 10, 100):
        closed = schedule.offset_closed_form(0.2, 0.05, 0.9, 1.0, 30, n)
        assert (b - a)[30 + n].item() == pytest.approx(closed, abs=SCHEDULE_ROUNDING)
        assert closed == pytest.approx(offset_by_series(0.2, 0.05, 0.9, 30, n), rel=1e-12)


def test_forms_agree_before_the_change_and_differ_after():
    a, b = _const_grad_paths(0.2, 0.05, 30, 130)
    assert (a[:31] - b[:31]).abs().max() <= SCHEDULE_ROUNDING
    assert (a - b).abs().max() > 0.9 * offset_by_series(0.2, 0.05, 0.9, 30, 100)


@pytest.mark.parametrize(("lr_old", "lr_new"), [(0.2, 0.05), (0.05, 0.2)])
def test_rescaling_v_by_lr_ratio_restores_agreement(lr_old, lr_new):
    r = recorded("update_rule_schedule").results
    assert r["rescaled_gap"] <= SCHEDULE_ROUNDING and r["rescaling_restores"]
    a, b = _const_grad_paths(lr_old, lr_new, 30, 130, rescale=True)
    assert (a - b).abs().max() <= SCHEDULE_ROUNDING


def test_rescaling_restores_agreement_on_noisy_quadratic_both_ways():
    r = recorded("update_rule_schedule").results
    assert r["noisy_rescaled_gap"] <= ROUNDING
    assert r["step_gap"] > 0.05 and r["cosine_gap"] > 0.05  # without it the forms part ways
    # the step-decay gap is the frameworks' Keras gap: form (a) against torch, same problem
    framework_gap = recorded("update_rule_frameworks").results["inside_decay_gap"]
    assert r["step_gap"] == pytest.approx(framework_gap, abs=2 * ROUNDING)
    grad, theta0 = other_problem()
    sched = schedule.cosine_schedule(0.2, STEPS)
    a = schedule.lr_inside(grad, theta0, sched, 0.7, STEPS)
    b = schedule.lr_outside(grad, theta0, sched, 0.7, STEPS)
    assert (schedule.lr_inside(grad, theta0, sched, 0.7, STEPS, rescale=True) - b).abs().max() <= (
        ROUNDING
    )
    assert (a - schedule.lr_outside(grad, theta0, sched, 0.7, STEPS, rescale=True)).abs().max() <= (
        ROUNDING
    )


def test_lr_outside_with_schedule_is_torch_sgd_with_param_group_lr():
    grad, theta0 = schedule.make_problem(steps=STEPS)
    sched = schedule.cosine_schedule(0.1, STEPS)
    b = schedule.lr_outside(grad, theta0, sched, 0.9, STEPS)
    ref = forms.torch_sgd(grad, theta0, STEPS, lr=0.1, schedule=sched, momentum=0.9)
    assert (b - ref).abs().max() <= ROUNDING
