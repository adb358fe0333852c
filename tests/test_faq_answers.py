"""The FAQ's answers on noise, the buffer's start, lr rescaling, hand-written EMAs and gradient
accumulation: the numbers the scripts recorded when the site was built, each compared with an
independent computation (a closed form, or the snippet's functions on other inputs).

EPS is float64's machine epsilon; every tolerance below says how many roundings of what size it
allows for."""

import numpy as np
import pytest
import torch
from conftest import load_script, recorded

noise = load_script("snippets/faq/faq_noise.py")
start = load_script("snippets/faq/faq_buffer_start.py")
rescale = load_script("snippets/faq/faq_lr_rescale.py")
ema = load_script("snippets/faq/faq_hand_ema.py")
accum = load_script("snippets/faq/faq_grad_accumulation.py")

EPS = np.finfo(np.float64).eps


def closed_variance(lr, gamma, h):
    """Var(x) of heavy ball on h x^2 / 2 under unit gradient noise, in closed form."""
    return lr * (1 + gamma) / (h * (1 - gamma) * (2 * (1 + gamma) - lr * h))


def solve_tolerance(lr, gamma, h):
    """The relative error of the 4 x 4 solve in stationary_variance: its condition number times
    EPS, times 10 for the products that build the matrix."""
    t = np.array([[1 + gamma - lr * h, -gamma], [1.0, 0.0]])
    return 10 * np.linalg.cond(np.eye(4) - np.kron(t, t)) * EPS


# --- noise at the same effective learning rate ---------------------------------------------------
def test_stationary_variance_matches_the_closed_forms():
    for lr, gamma, h in ((0.01, 0.9, 1.0), (0.3, 0.5, 2.0), (0.05, 0.0, 0.7), (0.001, 0.99, 3.0)):
        assert noise.stationary_variance(lr, gamma, h) == pytest.approx(
            closed_variance(lr, gamma, h), rel=solve_tolerance(lr, gamma, h)
        )


def test_momentum_noise_equals_plain_sgd_at_the_same_effective_lr_for_small_steps():
    ratios = recorded("faq_noise").results["ratio"]
    gamma = 0.9
    for a in noise.A:  # a = lr h / (1 - gamma), the effective step in units of the curvature
        expected = (2 - a) / (2 - a * (1 - gamma) / (1 + gamma))
        tol = solve_tolerance(a * (1 - gamma), gamma, 1.0) + solve_tolerance(a, 0.0, 1.0)
        assert ratios[noise.key(a)] == pytest.approx(expected, rel=tol), a
    # equal to first order in a: 1 - ratio = a gamma / (1 + gamma) + O(a^2)
    assert 1 - ratios["0_001"] == pytest.approx(0.001 * gamma / (1 + gamma), rel=0.01)
    assert ratios["1_9"] < 0.1  # plain SGD near its limit a = 2: momentum's wider stable range


def test_larger_gamma_at_a_fixed_lr_raises_the_noise_floor():
    same_lr = recorded("faq_noise").results["same_lr"]
    plain = closed_variance(0.01, 0.0, 1.0)
    floors = [same_lr[noise.key(g)] for g in (0.5, 0.9, 0.99)]
    for g, ratio in zip((0.5, 0.9, 0.99), floors, strict=True):
        expected = closed_variance(0.01, g, 1.0) / plain
        assert ratio == pytest.approx(expected, rel=2 * solve_tolerance(0.01, g, 1.0))
        # about the 1/(1 - gamma) by which the effective learning rate grew
        assert ratio == pytest.approx(1 / (1 - g), rel=0.01)
    assert floors == sorted(floors)


def test_torch_sgd_chains_reach_the_predicted_variance():
    chains = recorded("faq_noise").results["chains"]
    for name, lr, gamma in (("momentum", 0.1 * (1 - 0.9), 0.9), ("plain", 0.1, 0.0)):
        run = chains[name]
        assert run["predicted"] == pytest.approx(closed_variance(lr, gamma, 1.0), rel=1e-12)
        # Monte Carlo: the chains are independent, so their means' spread gives the standard
        # error; 4 standard errors miss once in 16,000 runs
        assert abs(run["measured"] - run["predicted"]) < 4 * run["standard_error"], name
    assert recorded("faq_noise").results["chains_agree"]


# --- where the buffer starts, and resuming without it ---------------------------------------------
def test_first_buffer_equals_a_zero_buffer_after_one_step():
    run = recorded("faq_buffer_start").results
    assert run["first_buffer"] == run["zero_start"] == 3.0
    # and for another gradient and momentum
    first, zero_start = start.zero_start_equals_first_gradient(g0=-0.7, momentum=0.5)
    assert first == pytest.approx(zero_start, rel=2**-23)  # the buffer is float32


def test_dropped_buffer_lags_by_lr_momentum_over_one_minus_momentum_squared():
    run = recorded("faq_buffer_start").results
    # lr m / (1 - m)^2 plus the m^301 tail the 300 steps leave; the two sums of 300 terms of up to
    # 1 each, about 300 in size, are rounded 300 times
    lr, m = 0.1, 0.9
    exact = lr * m * (1 - m**300) / (1 - m) ** 2
    assert run["lag"] == pytest.approx(exact, abs=2 * 300 * 300 * EPS)
    assert run["lag_closed"] == pytest.approx(lr * m / (1 - m) ** 2, rel=4 * EPS)
    assert run["lag_terminal_steps"] == pytest.approx(m / (1 - m), rel=1e-9)


def test_resuming_without_optimizer_state_lags_then_catches_up(one_thread):
    ratios = recorded("faq_buffer_start").results["loss_ratio"]
    assert all(r > 1 for r in ratios.values())  # higher at every checkpoint the page names
    assert ratios["30"] > ratios["1"] and ratios["300"] < ratios["30"]  # it peaks, then recovers
    # with the state loaded, the run is the uninterrupted one
    curv, noise_stream = start.problem()
    w = torch.ones_like(curv, requires_grad=True)
    opt = torch.optim.SGD([w], lr=0.1, momentum=0.9)
    straight = start.train(w, opt, curv, noise_stream, 0, 350)[50:]
    kept = start.resume(True)
    # the same float64 operations in the same order: loading a state dict copies, not rounds
    assert np.array_equal(straight, kept)


# --- rescaling the buffer when the learning rate changes -----------------------------------------
# 300 steps on iterates of size about 1, a few roundings each: the two forms compute the same
# step in a different order
FORMS = 300 * 4 * EPS


def test_buffer_rescaling_switches_between_the_two_forms():
    run = recorded("faq_lr_rescale").results["step_decay"]
    assert run["torch"]["to_inside"] > 0.05  # the two forms part at an lr change
    assert run["torch_old_over_new"]["to_inside"] < FORMS  # torch's buffer * old/new = lr inside
    assert run["inside_new_over_old"]["to_torch"] < FORMS  # Detectron's v * new/old = torch
    # on a schedule and a problem the page does not show: lr 0.05, x0.3 at step 40, x0.5 at 90
    grad, theta0 = rescale.problem(dim=3, seed=4)

    def schedule(k):
        return 0.05 * (0.3 if k >= 40 else 1.0) * (0.5 if k >= 90 else 1.0)

    torch_sgd = rescale.run_torch(grad, theta0, schedule, 150)
    follow = rescale.run_torch(grad, theta0, schedule, 150, buffer_factor=lambda o, n: o / n)
    inside = rescale.run_lr_inside(grad, theta0, schedule, 150)
    corrected = rescale.run_lr_inside(grad, theta0, schedule, 150, correct=True)
    assert (follow - inside).abs().max() < FORMS
    assert (corrected - torch_sgd).abs().max() < FORMS


def test_detectrons_threshold_leaves_a_warm_up_uncorrected():
    results = recorded("faq_lr_rescale").results
    run = results["warm_up"]
    # the first warm-up step is the largest change: (1/3 + 2/3 / 50) / (1/3) = 1.04 < 1.1
    assert results["warm_up_largest_change"] == pytest.approx(1.04, rel=4 * EPS)
    assert run["inside_every_change"]["to_torch"] < FORMS  # corrected at every change: torch's
    # with the threshold: neither form; as far from torch's run as the uncorrected velocity is
    assert (
        run["inside_detectron"]["to_torch"] > 0.05 and run["inside_detectron"]["to_inside"] > 0.01
    )
    # the threshold does not matter where every change is tenfold (the page's step decay alone)
    grad, theta0 = rescale.problem()
    every = rescale.run_lr_inside(grad, theta0, rescale.step_decay, 300, correct=True)
    detectron = rescale.run_lr_inside(
        grad, theta0, rescale.step_decay, 300, correct=True, threshold=1.1
    )
    assert torch.equal(every, detectron)


def test_detectrons_correction_copied_onto_torch_buffers_is_neither_form():
    run = recorded("faq_lr_rescale").results["step_decay"]["torch_new_over_old"]
    assert run["to_torch"] > 5e-3 and run["to_inside"] > 5e-2

    # why, under a constant gradient of 1 and the page's tenfold drop at step 100: the step
    # right after the drop is new_lr (0.9 b + 1) in torch, 0.9 old_lr b + new_lr with the lr
    # inside, and new_lr (0.9 b new/old + 1) with the copied correction: the old gradients, b,
    # count 10 times less than in the lr-inside run in torch, 100 times less in the copy
    def ones(theta, k):
        return torch.ones_like(theta)

    zero = torch.zeros(1, dtype=torch.float64)
    b = (1 - 0.9**100) / (1 - 0.9)
    copied = rescale.run_torch(
        ones, zero, rescale.step_decay, 101, buffer_factor=lambda o, n: n / o
    )
    torch_sgd = rescale.run_torch(ones, zero, rescale.step_decay, 101)
    inside = rescale.run_lr_inside(ones, zero, rescale.step_decay, 101)
    for path, expected in (
        (copied, 0.01 * (0.9 * b * 0.1 + 1)),
        (torch_sgd, 0.01 * (0.9 * b + 1)),
        (inside, 0.9 * 0.1 * b + 0.01),
    ):
        # a difference of positions up to 101 * 1 in size
        assert (path[100] - path[101]).item() == pytest.approx(expected, abs=4 * 101 * EPS)


# --- a hand-written moving average against the library -------------------------------------------
def test_hand_written_ema_needs_lr_over_one_minus_beta():
    run = recorded("faq_hand_ema").results
    beta = 0.9
    # ratios of norms of 3-vectors, a few roundings each
    assert run["same_lr"]["first_step"] == pytest.approx(1 - beta, rel=16 * EPS)
    assert run["same_lr"]["max_gap"] > 1.0
    # 200 steps on weights of size 2: the same run in another order of operations
    assert run["scaled_lr"]["max_gap"] < 200 * 4 * 2 * EPS
    assert run["scaled_lr"]["first_step"] == pytest.approx(1.0, rel=16 * EPS)


def test_dampening_beta_differs_from_the_hand_written_ema_on_the_first_step():
    assert recorded("faq_hand_ema").results["dampening"]["first_step"] == pytest.approx(
        1 / (1 - 0.9), rel=16 * EPS
    )
    lr, beta = 0.1, 0.5  # other settings than the page's
    hand = ema.run(lambda ps: ema.HandEMA(ps, lr, beta), steps=5)
    damp = ema.run(lambda ps: torch.optim.SGD(ps, lr=lr, momentum=beta, dampening=beta), steps=5)
    first = (damp[1] - damp[0]).norm() / (hand[1] - hand[0]).norm()
    assert first.item() == pytest.approx(1 / (1 - beta), rel=16 * EPS)  # PyTorch copies g


# --- gradient accumulation -----------------------------------------------------------------------
# 20 steps on parameters of size about 1; each step's gradient is a sum of 4 micro-batch
# gradients rather than one, so it is rounded differently: a few EPS per step
ACCUMULATED = 20 * 8 * EPS


def test_accumulated_micro_batches_take_the_large_batch_step():
    run = recorded("faq_grad_accumulation").results["mlp"]
    assert run["change"] > 0.1 and run["gap"] < ACCUMULATED


def test_batchnorm_breaks_the_equality_and_forgetting_the_division_quadruples_the_step():
    run = recorded("faq_grad_accumulation").results
    assert run["batchnorm"]["gap"] > 0.1  # statistics per micro-batch of 8, not per batch of 32
    # the first step is lr times the gradient: 4 undivided micro-batch means sum to 4 times the
    # mean over 32; multiplying by 4 is exact, the sums are rounded a few times
    assert run["first_step_ratio"] == pytest.approx(4.0, rel=16 * EPS)


def test_padded_micro_batches_need_the_whole_batchs_token_count():
    run = recorded("faq_grad_accumulation").results
    assert run["tokens"] == sum(accum.REAL_TOKENS)
    assert run["padded_per_token"] < ACCUMULATED  # sum / all tokens: the large batch's step
    assert run["padded_mean_of_means"] > 0.01  # each micro-batch's own mean / 4: another step
    # with the same number of real tokens in every micro-batch, the mean of the means is the
    # mean: the difference comes from the unequal counts
    x, y = accum.data()
    mask = accum.padding_mask(real=(5, 5, 5, 5))
    per_token = accum.train_padded(accum.make(), x, y, mask, 4, per_token=True, steps=5)
    means = accum.train_padded(accum.make(), x, y, mask, 4, per_token=False, steps=5)
    assert (per_token - means).abs().max().item() < 5 * 8 * EPS


def test_undivided_losses_are_a_larger_lr_only_without_weight_decay_or_clipping():
    run = recorded("faq_grad_accumulation").results
    gaps = run["undivided_vs_lr_x4"]
    # a loss divided by 4 and a learning rate times 4 are exact in binary: the same numbers
    assert gaps["plain"] < ACCUMULATED and run["undivided_is_lr_x4"]
    assert gaps["weight_decay"] > 1e-4 and gaps["clip"] > 1e-2 and run["clipped_steps"] > 0
    # one step by hand: the undivided run steps by lr (4 g + wd theta), the larger-lr run by
    # 4 lr (g + wd theta); the difference is 3 lr wd theta, largest where |theta| is
    x, y = accum.data()
    theta0 = accum.params(accum.make())
    wd, lr = accum.WEIGHT_DECAY, 0.05
    undivided = accum.train(accum.make(), x, y, 4, divide=False, lr=lr, weight_decay=wd, steps=1)
    larger = accum.train(accum.make(), x, y, 4, divide=True, lr=4 * lr, weight_decay=wd, steps=1)
    expected = 3 * lr * wd * theta0.abs()
    # parameters of size about 1, rounded once per step in each run
    assert torch.allclose((undivided - larger).abs(), expected, rtol=0, atol=4 * EPS)
    # and clipping: with max_norm far above the gradient's norm, nothing is clipped and the two
    # runs are the same again
    big = {"clip": 1e6, "steps": 3}
    assert accum.undivided_against_larger_lr(**big) < 3 * 8 * EPS
