"""The FAQ's answers on noise, the buffer's start, lr rescaling, hand-written EMAs and
gradient accumulation, each checked against the snippet that shows it on the page."""

import numpy as np
import pytest
import torch
from conftest import load_script

noise = load_script("snippets/faq_noise.py")
start = load_script("snippets/faq_buffer_start.py")
rescale = load_script("snippets/faq_lr_rescale.py")
ema = load_script("snippets/faq_hand_ema.py")
accum = load_script("snippets/faq_grad_accumulation.py")


# --- noise at the same effective learning rate ---------------------------------------------------
def test_stationary_variance_matches_the_closed_forms():
    for lr, gamma, h in ((0.01, 0.9, 1.0), (0.3, 0.5, 2.0), (0.05, 0.0, 0.7)):
        exact = lr * (1 + gamma) / (h * (1 - gamma) * (2 * (1 + gamma) - lr * h))
        assert noise.stationary_variance(lr, gamma, h) == pytest.approx(exact, rel=1e-10)


def test_momentum_noise_equals_plain_sgd_at_the_same_effective_lr_for_small_steps():
    gamma, h = 0.9, 1.0
    ratios = {}
    for eff_h in (0.001, 0.01, 0.1, 0.5, 1.0, 1.9):
        lr = eff_h * (1 - gamma) / h
        mom = noise.stationary_variance(lr, gamma, h)
        sgd = noise.stationary_variance(lr / (1 - gamma), 0.0, h)
        ratios[eff_h] = mom / sgd
        # the ratio is (2 - a) / (2 - a (1 - gamma) / (1 + gamma)) with a = eff_h
        a = eff_h
        assert ratios[eff_h] == pytest.approx((2 - a) / (2 - a * (1 - gamma) / (1 + gamma)))
    assert ratios[0.001] > 0.999 and ratios[0.01] > 0.995  # equal to first order
    assert round(ratios[0.1], 4) == 0.9525 and round(ratios[1.0], 4) == 0.5135
    assert round(ratios[1.9], 4) == 0.0526  # plain SGD near its limit a = 2


def test_torch_sgd_chains_reach_the_predicted_variance(one_thread):
    lr = 0.1 * (1 - 0.9)
    for lr_run, g_run in ((lr, 0.9), (lr / (1 - 0.9), 0.0)):
        measured = noise.measured_variance(lr_run, g_run, 1.0, chains=20000)
        assert measured == pytest.approx(noise.stationary_variance(lr_run, g_run, 1.0), rel=0.02)


# --- where the buffer starts, and resuming without it ---------------------------------------------
def test_first_buffer_equals_a_zero_buffer_after_one_step():
    first, zero_start = start.zero_start_equals_first_gradient()
    assert first == zero_start == 3.0


def test_dropped_buffer_lags_by_lr_momentum_over_one_minus_momentum_squared():
    lag, closed = start.lag_under_steady_gradient()
    assert closed == pytest.approx(9.0) and lag == pytest.approx(closed, rel=1e-12)


def test_resuming_without_optimizer_state_lags_then_catches_up(one_thread):
    kept, dropped = start.resume(True), start.resume(False)
    ratios = [dropped[k - 1] / kept[k - 1] for k in (1, 10, 30, 100, 300)]
    assert [round(r, 3) for r in ratios] == [1.058, 1.117, 1.189, 1.089, 1.039]
    # and with the state loaded, the run is the uninterrupted one
    curv, noise_stream = start.problem()
    w = torch.ones_like(curv, requires_grad=True)
    opt = torch.optim.SGD([w], lr=0.1, momentum=0.9)
    straight = start.train(w, opt, curv, noise_stream, 0, 350)[50:]
    assert np.allclose(straight, kept, rtol=1e-12, atol=0)


# --- rescaling the buffer when the learning rate changes -----------------------------------------
def test_buffer_rescaling_switches_between_the_two_forms():
    grad, theta0 = rescale.problem()
    sched = rescale.step_decay
    torch_sgd = rescale.run_torch(grad, theta0, sched, 300)
    inside = rescale.run_lr_inside(grad, theta0, sched, 300)
    assert (torch_sgd - inside).abs().max() > 0.05  # the two forms part at an lr change
    follow = rescale.run_torch(grad, theta0, sched, 300, buffer_factor=lambda o, n: o / n)
    assert (follow - inside).abs().max() < 1e-12  # torch's buffer * old/new = lr inside
    corrected = rescale.run_lr_inside(grad, theta0, sched, 300, correct=True)
    assert (corrected - torch_sgd).abs().max() < 1e-12  # Detectron's v * new/old = torch


def test_detectrons_correction_copied_onto_torch_buffers_is_neither_form():
    grad, theta0 = rescale.problem()
    sched = rescale.step_decay
    copied = rescale.run_torch(grad, theta0, sched, 300, buffer_factor=lambda o, n: n / o)
    torch_sgd = rescale.run_torch(grad, theta0, sched, 300)
    inside = rescale.run_lr_inside(grad, theta0, sched, 300)
    assert (copied - torch_sgd).abs().max() > 5e-3  # the page prints 8.1e-03
    assert (copied - inside).abs().max() > 5e-2  # and 9.0e-02


# --- a hand-written moving average against the library -------------------------------------------
def test_hand_written_ema_needs_lr_over_one_minus_beta():
    lr, beta = 0.01, 0.9
    ref = ema.run(lambda ps: torch.optim.SGD(ps, lr=lr, momentum=beta))
    same_lr = ema.run(lambda ps: ema.HandEMA(ps, lr, beta))
    scaled = ema.run(lambda ps: ema.HandEMA(ps, lr / (1 - beta), beta))
    first = (same_lr[1] - same_lr[0]).norm() / (ref[1] - ref[0]).norm()
    assert first.item() == pytest.approx(1 - beta, rel=1e-12)
    assert (same_lr - ref).abs().max() > 1.0
    assert (scaled - ref).abs().max() < 1e-12


def test_dampening_beta_differs_from_the_hand_written_ema_on_the_first_step():
    lr, beta = 0.1, 0.9
    hand = ema.run(lambda ps: ema.HandEMA(ps, lr, beta), steps=5)
    damp = ema.run(lambda ps: torch.optim.SGD(ps, lr=lr, momentum=beta, dampening=beta), steps=5)
    first = (damp[1] - damp[0]).norm() / (hand[1] - hand[0]).norm()
    assert first.item() == pytest.approx(1 / (1 - beta), rel=1e-12)  # PyTorch copies g


# --- gradient accumulation -----------------------------------------------------------------------
def test_accumulated_micro_batches_take_the_large_batch_step():
    change, diff = accum.compare(batchnorm=False)
    assert change > 0.1 and diff < 1e-12


def test_batchnorm_breaks_the_equality_and_forgetting_the_division_quadruples_the_step():
    _, diff = accum.compare(batchnorm=True)
    assert diff > 0.1  # statistics per micro-batch of 8, not per batch of 32
    assert accum.first_step_ratio() == pytest.approx(4.0, rel=1e-12)
