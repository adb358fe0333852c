"""Claims of docs/update_rule.md: the forms, the frameworks, the schedule and the converter."""

import pytest
import torch
from conftest import load_script

forms = load_script("snippets/update_rule_forms.py")
frameworks = load_script("snippets/update_rule_frameworks.py")
schedule = load_script("snippets/update_rule_schedule.py")

STEPS = 200


@pytest.fixture(scope="module")
def problem():
    return forms.make_problem(steps=STEPS)


@pytest.fixture(scope="module")
def torch_ref(problem):
    grad, theta0 = problem
    return forms.torch_sgd(grad, theta0, STEPS, lr=0.1, momentum=0.9)


def test_heavy_ball_equals_lr_inside_and_torch_sgd_to_1e_12(problem, torch_ref):
    grad, theta0 = problem
    hb = forms.heavy_ball(grad, theta0, 0.1, 0.9, STEPS)
    a = forms.lr_inside(grad, theta0, 0.1, 0.9, STEPS)
    assert (hb - a).abs().max() < 1e-12
    assert (hb - torch_ref).abs().max() < 1e-12


def test_lr_inside_and_lr_outside_agree_with_torch_sgd_at_constant_lr(problem, torch_ref):
    grad, theta0 = problem
    assert (forms.lr_inside(grad, theta0, 0.1, 0.9, STEPS) - torch_ref).abs().max() < 1e-12
    assert (forms.lr_outside(grad, theta0, 0.1, 0.9, STEPS) - torch_ref).abs().max() < 1e-12


def test_moving_average_needs_lr_over_one_minus_beta(problem, torch_ref):
    grad, theta0 = problem
    same = forms.moving_average(grad, theta0, 0.1 / (1 - 0.9), 0.9, STEPS)
    naive = forms.moving_average(grad, theta0, 0.1, 0.9, STEPS)
    assert (same - torch_ref).abs().max() < 1e-12
    assert (naive - torch_ref).abs().max() > 0.1  # copying lr unchanged is a different run


def test_torch_dampening_is_not_the_zero_started_moving_average(problem):
    grad, theta0 = problem
    ema = forms.moving_average(grad, theta0, 1.0, 0.9, STEPS)
    damp = forms.torch_sgd(grad, theta0, STEPS, lr=1.0, momentum=0.9, dampening=0.9)
    gap = (ema - damp).abs().amax(dim=1)
    # the page: largest gap 2.8, at step 9; by step 200 the runs are 3e-5 apart
    assert round(gap.max().item(), 1) == 2.8 and gap.argmax().item() == 9
    assert 1e-5 < gap[-1].item() < 1e-4


# --- frameworks: each transcription against its form -------------------------------------


@pytest.mark.parametrize("name", list(frameworks.RULES))
def test_every_transcription_matches_torch_sgd_at_constant_lr(name):
    gap = frameworks.max_gap_to_torch(frameworks.RULES[name], frameworks.constant)
    assert gap < 1e-12


@pytest.mark.parametrize("name", ["TF1 MomentumOptimizer", "optax.sgd", "d2l.ai"])
def test_lr_outside_frameworks_match_torch_sgd_under_step_decay(name):
    gap = frameworks.max_gap_to_torch(frameworks.RULES[name], frameworks.step_decay)
    assert gap < 1e-12


@pytest.mark.parametrize("name", ["Keras 3 / tf.keras SGD", "cs231n, Goodfellow 8.2"])
def test_lr_inside_frameworks_follow_form_a_and_leave_torch_under_step_decay(name):
    gap = frameworks.gap_to_torch(frameworks.RULES[name], frameworks.step_decay)
    # the page: largest gap 0.254 at step 121, 0.064 at the last step
    assert round(gap.max().item(), 3) == 0.254 and gap.argmax().item() == 121
    assert round(gap[-1].item(), 3) == 0.064
    grad, theta0 = frameworks.make_problem(steps=STEPS)
    path = frameworks.run_rule(
        frameworks.RULES[name], grad, theta0, STEPS, frameworks.step_decay, 0.9
    )
    a = schedule.lr_inside(grad, theta0, frameworks.step_decay, 0.9, STEPS)
    assert (path - a).abs().max() < 1e-12


def test_keras_velocity_is_minus_form_a_velocity():
    grad, theta0 = frameworks.make_problem(steps=STEPS)
    state_k, theta_k = {}, theta0.clone()
    v, theta_a = torch.zeros_like(theta0), theta0.clone()
    for k in range(50):
        theta_k = frameworks.keras_sgd(theta_k, grad(theta_k, k), 0.1, 0.9, state_k)
        v = 0.9 * v + 0.1 * grad(theta_a, k)
        theta_a = theta_a - v
        assert torch.allclose(state_k["m"], -v, rtol=0, atol=1e-12)


# --- the learning-rate schedule ---------------------------------------------------------


def _const_grad_paths(lr_old, lr_new, k_change=50, steps=150, gamma=0.9, rescale=False):
    sched = schedule.step_schedule(lr_old, lr_new, k_change)
    theta0 = torch.zeros(1, dtype=torch.float64)
    a = schedule.lr_inside(schedule.constant_gradient, theta0, sched, gamma, steps, rescale)
    b = schedule.lr_outside(schedule.constant_gradient, theta0, sched, gamma, steps)
    return a[:, 0], b[:, 0]


@pytest.mark.parametrize(("lr_old", "lr_new"), [(0.1, 0.01), (0.01, 0.1)])
def test_step_change_offset_matches_closed_form(lr_old, lr_new):
    a, b = _const_grad_paths(lr_old, lr_new)
    for n_after in (1, 10, 100):
        measured = (b - a)[50 + n_after].item()
        closed = schedule.offset_closed_form(lr_old, lr_new, 0.9, 1.0, 50, n_after)
        assert measured == pytest.approx(closed, rel=1e-12, abs=1e-12)
    # the page quotes 8.0580 for a 0.1 -> 0.01 decay at step 50, 100 steps later
    final = schedule.offset_closed_form(0.1, 0.01, 0.9, 1.0, 50, 100)
    assert round(abs(final), 4) == 8.0580
    # and the limit (lr_old - lr_new) g gamma / (1 - gamma)^2 for an early-settled buffer
    assert schedule.offset_closed_form(0.1, 0.01, 0.9, 1.0, 10**6, 10**6) == pytest.approx(8.1)


def test_forms_agree_before_the_change_and_differ_after():
    a, b = _const_grad_paths(0.1, 0.01)
    assert (a[:51] - b[:51]).abs().max() < 1e-12
    assert (a - b).abs().max() > 8.0


@pytest.mark.parametrize(("lr_old", "lr_new"), [(0.1, 0.01), (0.01, 0.1)])
def test_rescaling_v_by_lr_ratio_restores_agreement(lr_old, lr_new):
    a, b = _const_grad_paths(lr_old, lr_new, rescale=True)
    assert (a - b).abs().max() < 1e-12


@pytest.mark.parametrize("kind", ["step", "cosine"])
def test_rescaling_restores_agreement_on_noisy_quadratic_both_ways(kind):
    grad, theta0 = schedule.make_problem(steps=STEPS)
    sched = (
        schedule.step_schedule(0.1, 0.01, 100)
        if kind == "step"
        else schedule.cosine_schedule(0.1, STEPS)
    )
    a = schedule.lr_inside(grad, theta0, sched, 0.9, STEPS)
    b = schedule.lr_outside(grad, theta0, sched, 0.9, STEPS)
    a_fixed = schedule.lr_inside(grad, theta0, sched, 0.9, STEPS, rescale=True)
    b_fixed = schedule.lr_outside(grad, theta0, sched, 0.9, STEPS, rescale=True)
    assert (a - b).abs().max() > 0.05  # the page prints 0.254 (step) and 0.058 (cosine)
    assert (a_fixed - b).abs().max() < 1e-12
    assert (a - b_fixed).abs().max() < 1e-12


def test_lr_outside_with_schedule_is_torch_sgd_with_param_group_lr():
    grad, theta0 = schedule.make_problem(steps=STEPS)
    sched = schedule.cosine_schedule(0.1, STEPS)
    b = schedule.lr_outside(grad, theta0, sched, 0.9, STEPS)
    ref = forms.torch_sgd(grad, theta0, STEPS, lr=0.1, schedule=sched, momentum=0.9)
    assert (b - ref).abs().max() < 1e-12
