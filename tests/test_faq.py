"""The FAQ's claims: the numbers its scripts recorded when the site was built, each compared with
an independent computation (a closed form, another page's function, the snippet's functions on
other inputs).

EPS is float64's machine epsilon; every tolerance below says how many roundings of what size it
allows for."""

import copy
import inspect
import itertools
import math

import numpy as np
import pytest
import torch
from conftest import load_script, recorded

sparse = load_script("snippets/faq/faq_sparse.py")
state = load_script("snippets/faq/faq_state.py")
adam = load_script("snippets/faq/faq_adam_bias.py")
porting = load_script("snippets/faq/faq_porting.py")
decay = load_script("snippets/faq/faq_weight_decay.py")
lr_change = load_script("snippets/faq/faq_lr_change.py")
overshoot = load_script("snippets/faq/faq_overshoot.py")
warmup = load_script("snippets/faq/faq_warmup.py")
adaptive = load_script("snippets/faq/faq_not_adaptive.py")
accel = load_script("snippets/faq/faq_acceleration.py")
quad = load_script("snippets/quadratic/quadratic_optimal.py")
gamma = load_script("snippets/faq/faq_gamma.py")
judge = load_script("snippets/faq/faq_judge.py")

EPS = np.finfo(np.float64).eps


# --- sparse gradients ---------------------------------------------------------------------------
def test_sparse_gradient_keeps_moving():
    """Entry 1, with gradient 1 on step 1 only, is at -lr (1 - 0.9^k) / (1 - 0.9) after k steps."""
    run = recorded("faq_sparse").results
    k = np.arange(1, len(run["momentum"]) + 1)
    expected = -sparse.LR * (1 - 0.9**k) / (1 - 0.9)
    # positions below 1 in size, one rounding (EPS) per step
    assert np.allclose(run["momentum"], expected, rtol=0, atol=len(k) * EPS)
    # and on more steps than the page prints: each step moves lr * 0.9^(k-1)
    path = sparse.dense_run(0.9, steps=30)[:, 1]
    moves = torch.diff(torch.cat([torch.zeros(1, dtype=path.dtype), path]))
    expected = -sparse.LR * 0.9 ** torch.arange(30, dtype=torch.float64)
    assert torch.allclose(moves, expected, rtol=0, atol=2 * 30 * EPS)  # a difference of two


def test_sparse_gradient_stops_without_momentum():
    # w = 0 - 0.1 * 1, then w - 0.1 * 0: no rounding at all
    assert recorded("faq_sparse").results["plain"] == [-sparse.LR] * 8


def test_sparse_gradient_travels_lr_over_one_minus_momentum_in_the_limit():
    assert recorded("faq_sparse").results["long_run"] == pytest.approx(-1.0, rel=EPS)
    end = sparse.dense_run(0.9, steps=400)[-1, 1].item()
    # 0.9^400 = 5e-19 of the distance is left; 400 steps of rounding on positions below 1
    assert end == pytest.approx(-sparse.LR / (1 - 0.9), rel=0, abs=400 * EPS)


def test_sparse_embedding_row_seen_once_keeps_moving():
    run = recorded("faq_sparse").results
    k = np.arange(1, 6)
    width = 2  # the embedding's rows have 2 entries, each moved by the same amount
    once = width * sparse.LR * (1 - 0.9**k) / (1 - 0.9)
    every = width * sparse.LR * np.cumsum((1 - 0.9**k) / (1 - 0.9))
    # distances below 3, summed over 2 entries, 5 steps of rounding each
    assert np.allclose(run["embedding"]["seen_once"], once, rtol=0, atol=2 * 5 * 3 * EPS)
    assert np.allclose(run["embedding"]["every_step"], every, rtol=0, atol=2 * 5 * 3 * EPS)
    assert run["never_seen_moved"] == 0  # a row never looked up stays put
    # control: plain SGD (momentum 0) moves row 1 on step 1 only, then it stops
    plain = sparse.embedding_run(0.0, steps=5)
    assert torch.all(plain[:, 1] == plain[0, 1]) and plain[0, 1].item() == pytest.approx(
        once[0], rel=EPS
    )


# --- one buffer per parameter -------------------------------------------------------------------
@pytest.fixture(scope="module")
def small_model():
    torch.manual_seed(0)
    return torch.nn.Sequential(torch.nn.Linear(20, 30), torch.nn.ReLU(), torch.nn.Linear(30, 5))


def test_momentum_state_is_one_buffer_per_parameter_at_every_step(small_model):
    params = list(small_model.parameters())
    nbytes = sum(p.numel() * p.element_size() for p in params)
    for opt_name, expected in (
        ("SGD, momentum 0", (0, 0, 0)),
        ("SGD, momentum 0.9", (len(params), 0, nbytes)),
    ):
        seen = state.state_over_time(state.OPTIMIZERS[opt_name], small_model, (1, 10, 20))
        assert all(v == expected for v in seen.values()), opt_name
    run = recorded("faq_state").results  # the ResNet-18 of the page
    assert run["state"]["sgd"]["mib"] == 0 and run["state"]["sgd"]["full"] == 0
    assert run["state"]["momentum"]["full"] == run["tensors"]
    assert run["state"]["momentum"]["mib"] == run["param_mib"]  # the same bytes, exactly
    assert run["same_at_every_step"]


def test_rmsprop_state_is_one_buffer_and_a_step_counter_per_parameter(small_model):
    params = list(small_model.parameters())
    nbytes = sum(p.numel() * p.element_size() for p in params)
    seen = state.state_over_time(state.OPTIMIZERS["RMSprop"], small_model, (1, 10))
    for full, scalars, total in seen.values():
        assert (full, scalars) == (len(params), len(params))
        assert nbytes <= total <= nbytes + 8 * len(params)  # + one scalar each
    rms = recorded("faq_state").results["state"]["rmsprop"]
    assert rms["full"] == rms["scalars"] == recorded("faq_state").results["tensors"]


def test_adam_state_is_two_buffers_and_a_step_counter_per_parameter(small_model):
    params = list(small_model.parameters())
    nbytes = sum(p.numel() * p.element_size() for p in params)
    seen = state.state_over_time(state.OPTIMIZERS["Adam"], small_model, (1, 10))
    for full, scalars, total in seen.values():
        assert (full, scalars) == (2 * len(params), len(params))
        assert 2 * nbytes <= total <= 2 * nbytes + 8 * len(params)  # + one scalar each
    run = recorded("faq_state").results
    n, mib = run["tensors"], run["param_mib"]
    assert run["state"]["adam"]["full"] == 2 * n and run["state"]["adam"]["scalars"] == n
    # two fp32 buffers and at most one 8-byte counter per tensor
    assert 2 * mib <= run["state"]["adam"]["mib"] <= 2 * mib + 8 * n / 2**20


@pytest.mark.parametrize("name", list(state.OPTIMIZERS))
def test_meta_tensors_hold_the_same_state_as_real_ones(small_model, name):
    """The page's ResNet-18 is stepped on the meta device (shapes, no values): the count is the
    count on real tensors."""
    make = state.OPTIMIZERS[name]
    real = state.state_over_time(make, small_model, (1, 3))
    meta = state.state_over_time(make, copy.deepcopy(small_model).to("meta"), (1, 3))
    assert meta == real


# --- Adam's bias correction ---------------------------------------------------------------------
def test_torch_adam_divides_by_one_minus_beta_to_the_t():
    gen = torch.Generator().manual_seed(0)
    grads = torch.randn(200, generator=gen, dtype=torch.float64).tolist()
    ours = adam.adam_steps(grads, "beta**t")
    theirs = adam.torch_adam_steps(grads)
    # torch's steps are differences of positions up to 200 lr = 0.2 in size, so each carries an
    # absolute rounding of about 0.2 EPS; the steps themselves are about lr = 1e-3
    assert ours == pytest.approx(theirs, rel=0, abs=4 * 0.2 * EPS)
    run = recorded("faq_adam_bias").results  # under a constant gradient 1: m_hat = s_hat = 1
    step = 1 / (1 + adam.EPS)  # lr m_hat / (sqrt(s_hat) + eps), in units of lr
    # the recorded torch steps are differences of positions up to 3000 lr: 3000 EPS relative to lr
    assert all(v == pytest.approx(step, abs=4 * 3000 * EPS) for v in run["torch"].values())
    # 1 - 0.999^t cancels: at t = 1 its relative rounding is EPS / (1 - 0.999) = 1000 EPS
    assert all(v == pytest.approx(step, rel=2 * EPS / (1 - 0.999)) for v in run["right"].values())


def test_wrong_bias_correction_agrees_on_step_one_and_not_after():
    run = recorded("faq_adam_bias").results
    wrong = run["one_minus_beta"]
    assert wrong["1"] == run["right"]["1"]
    # step 2 by hand: m = 0.19 g, s = 0.001999 g^2, divided by 0.1 and 0.001
    assert wrong["2"] == pytest.approx(1.9 / math.sqrt(1.999), rel=1e-6)  # Adam's eps, 1e-8
    assert run["wrong_max"] > 2.0  # its steps overshoot the intended lr by 2x
    # the largest of all its steps, searched here over every step rather than the table's
    steps = adam.adam_steps([1.0] * 100, "1-beta (wrong)")
    assert max(steps) / adam.LR == run["wrong_max"]
    assert steps.index(max(steps)) + 1 == run["wrong_max_at"]


def test_wrong_bias_correction_tends_to_sqrt_one_minus_b2_over_one_minus_b1():
    wrong = adam.adam_steps([1.0] * 50000, "1-beta (wrong)")
    # 0.999^50000 = 2e-22 is left of the start; Adam's eps 1e-8 against sqrt(s_hat) = 1
    assert wrong[-1] / adam.LR == pytest.approx(math.sqrt(0.001) / 0.1, rel=1e-7)
    limit = recorded("faq_adam_bias").results["wrong_limit"]
    assert limit == pytest.approx(math.sqrt(0.001) / 0.1, rel=EPS)


def test_no_bias_correction_makes_the_first_step_sqrt_ten_times_too_large():
    first = recorded("faq_adam_bias").results["none"]["1"]
    # m = 0.1, sqrt(s) = sqrt(0.001) = 0.0316: Adam's eps (1e-8) is 3.2e-7 of it
    assert first == pytest.approx(math.sqrt(10), rel=2 * 1e-8 / math.sqrt(0.001))


def test_multiplying_by_one_minus_beta_to_the_t_makes_the_first_step_ten_times_too_large():
    # m (1 - b1^t) / sqrt(s (1 - b2^t)) = (1 - b1^t)^2 / (1 - b2^t) under a constant gradient
    times = recorded("faq_adam_bias").results["times"]
    for t in (1, 10, 100, 3000):
        expected = (1 - 0.9**t) ** 2 / (1 - 0.999**t)
        # Adam's eps (1e-8) against sqrt(s_hat) = 1 - 0.999^t >= 0.001: 1e-5 relative at most
        assert times[str(t)] == pytest.approx(expected, rel=2 * 1e-8 / (1 - 0.999))


def test_an_unknown_correction_is_refused():
    with pytest.raises(ValueError, match="unknown correction 'beta'"):
        adam.adam_steps([1.0], "beta")


# --- porting between frameworks -----------------------------------------------------------------
# 200 steps on iterates of size <= 1, a few roundings (EPS) each, not amplified: f(w) is a
# contraction for these settings (lr 0.01, momentum 0.9, curvatures 1 and 10)
SAME_RUN = 200 * 4 * EPS


def test_porting_comparisons_agree_where_the_page_says_they_do():
    diffs = recorded("faq_porting").results
    for key in ("keras", "keras_nesterov", "sutskever_nesterov", "ema"):
        assert diffs[key] < SAME_RUN, key
    assert diffs["same_run_max"] == max(diffs[k] for k in ("keras", "keras_nesterov"))
    # torch skips dampening on the first step, so dampening=m is not the EMA form
    assert diffs["ema_vs_dampening"] > 1e-2
    # once the learning rate changes, Keras's and PyTorch's forms part ways
    assert diffs["lr_drop"] > 1e-3
    # the same on settings the page does not print: lr 0.02, momentum 0.5
    lrs = porting.constant(0.02)
    gap = (porting.keras_sgd(lrs, 0.5) - porting.torch_sgd(lrs, 0.5)).abs().max().item()
    assert gap < SAME_RUN


def test_torch_sgd_default_lr_is_one_thousandth():
    default = inspect.signature(torch.optim.SGD).parameters["lr"].default
    assert default == 1e-3 == recorded("faq_porting").results["torch_default_lr"]


# --- weight decay --------------------------------------------------------------------------------
# the runs contract by at least 0.95 per step (heavy ball, complex roots of modulus sqrt(0.9)), so
# the rounding of every step (EPS on weights below 1) adds up to at most EPS / (1 - 0.95) = 20 EPS
SETTLED = 20 * EPS * 4


def test_coupled_and_decoupled_weight_decay_agree_without_momentum():
    run = recorded("faq_weight_decay").results
    assert run["decay_only"]["0_0"]["coupled"] == pytest.approx(
        run["decay_only"]["0_0"]["decoupled"], abs=100 * EPS
    )  # 100 steps of rounding on a weight below 1
    assert run["settles"]["0_0"]["coupled"] == pytest.approx(
        run["settles"]["0_0"]["decoupled"], abs=SETTLED
    )
    for grad_fn in (decay.no_loss, decay.pull_to_one):  # and on a length the page does not show
        c, d = decay.coupled(grad_fn, 37, 0.0), decay.decoupled(grad_fn, 37, 0.0)
        assert c == pytest.approx(d, abs=37 * 2 * EPS)


def test_coupled_weight_decay_under_momentum_shrinks_like_heavy_ball():
    run = recorded("faq_weight_decay").results["decay_only"]["0_9"]
    m, a = 0.9, decay.LR * decay.WD
    p = 1 + m - a
    slow_root = (p + math.sqrt(p * p - 4 * m)) / 2
    fast_root = (p - math.sqrt(p * p - 4 * m)) / 2
    # w(501) / w(500): the fast root's share is (fast/slow)^500 = 1e-18; each w carries 500 steps
    # of rounding relative to itself
    assert (fast_root / slow_root) ** 500 < EPS
    assert run["coupled_per_step"] == pytest.approx(slow_root, rel=2 * 501 * EPS)
    assert run["decoupled_per_step"] == pytest.approx(1 - a, rel=2 * 501 * EPS)
    # the log of a factor 1 - a near 1 turns its relative error into an absolute one of the log,
    # which is only |log(1 - a)| = 0.001 in size
    log_tol = 2 * (2 * 501 * EPS) / abs(math.log(1 - a))
    assert run["ratio_of_logs"] == pytest.approx(math.log(slow_root) / math.log(1 - a), rel=log_tol)
    assert 10 <= run["ratio_of_logs"] <= 12  # about 1/(1-m) times faster


def test_decoupled_decay_needs_wd_over_one_minus_m_to_match_coupled():
    run = recorded("faq_weight_decay").results
    settles = run["settles"]["0_9"]
    assert settles["coupled"] == pytest.approx(1 / (1 + decay.WD), abs=SETTLED)
    assert settles["decoupled"] == pytest.approx(1 / (1 + decay.WD * (1 - 0.9)), abs=SETTLED)
    assert settles["decoupled_scaled"] == pytest.approx(settles["coupled"], abs=2 * SETTLED)
    assert run["keras_for_1e-4"] == pytest.approx(1e-3, rel=2 * EPS)


def test_torch_optim_has_no_sgdw():
    assert not hasattr(torch.optim, "SGDW") and hasattr(torch.optim, "AdamW")


# --- learning-rate changes -----------------------------------------------------------------------
def test_pytorch_and_keras_forms_agree_at_constant_lr_and_on_the_first_step():
    lrs = [0.05] * 50
    # steps below 0.5, each a geometric sum of up to 50 terms rounded once each
    assert lr_change.torch_steps(lrs) == pytest.approx(
        lr_change.keras_steps(lrs), rel=0, abs=50 * 0.5 * EPS
    )
    run = recorded("faq_lr_change").results
    assert run["torch"]["1"] == run["keras"]["1"] == lr_change.schedule(1)


def test_pytorch_applies_a_new_lr_at_once_keras_over_geometric_decay():
    run = recorded("faq_lr_change").results
    pt, ks = run["torch"], run["keras"]
    m, drop = lr_change.MOMENTUM, lr_change.DROP_AT
    # every step is a sum of at most 200 terms below 1, each rounded once
    tol = 200 * EPS
    b = sum(m**j for j in range(drop))  # buffer after DROP_AT gradients of 1
    assert pt[str(drop)] == pytest.approx(lr_change.schedule(drop) * b, abs=tol)
    # the old learning rate fades from Keras's velocity by m per step: the excess over PyTorch's
    excess = {k: ks[str(k)] - pt[str(k)] for k in (100, 101, 102, 110, 130)}
    for k in (101, 102, 110, 130):
        assert excess[k] == pytest.approx(m ** (k - 100) * excess[100], abs=2 * tol)
    # within 1 % once the excess, m^(k - 100) times that at the drop, is below 1 % of 0.1
    late = 100 + math.ceil(math.log(0.01 * 0.1 / excess[100]) / math.log(m))
    assert run["keras_within_1pct_from"] == late


# --- when momentum hurts -------------------------------------------------------------------------
@pytest.mark.parametrize("m", [0.0, 0.5, 0.9])
def test_heavy_ball_is_stable_exactly_below_two_plus_two_m(m):
    limit = 2 + 2 * m
    assert overshoot.spectral_radius(limit - 1e-3, m) < 1
    assert overshoot.spectral_radius(limit + 1e-3, m) > 1
    assert overshoot.steps_to(limit - 0.05, m) is not None
    assert overshoot.steps_to(limit + 0.05, m) is None
    # the page's limits, found by bisection on the spectral radius: 60 halvings of [0, 10] leave
    # 1e-17, and the radius, computed with a few roundings, crosses 1 with a slope of order 1
    recorded_limit = recorded("faq_overshoot").results["stable_limit"][overshoot.key(m)]
    assert recorded_limit == pytest.approx(limit, abs=16 * EPS * limit)


def test_heavy_ball_trajectory_is_torch_sgd():
    w = torch.ones(1, dtype=torch.float64, requires_grad=True)
    opt = torch.optim.SGD([w], lr=0.3, momentum=0.9)  # lam = 1, so lr*lam = 0.3
    ours = overshoot.trajectory(0.3, 0.9, 100)
    for k in range(100):
        w.grad = w.detach().clone()
        opt.step()
        assert w.item() == pytest.approx(ours[k], abs=(k + 1) * 2 * EPS)  # |w| <= 1


def test_momentum_hurts_when_lr_matches_the_curvature_and_helps_when_it_is_small():
    steps, swing = (recorded("faq_overshoot").results[k] for k in ("steps", "overshoot"))
    assert steps["1_0"]["0_0"] == 1  # w = 1 - 1 * 1 = 0
    # momentum 0.9 at lr lam = 1: w1 = 0, then b = 0.9 * 1 + 0 and w2 = -0.9: past by gamma
    assert swing["1_0"]["0_9"] == pytest.approx(0.9, abs=2 * EPS)
    assert steps["1_0"]["0_9"] > 200
    # gradient descent at lr lam = 0.01 shrinks by 0.99 per step: the first k with 0.99^k < 1e-6
    assert steps["0_01"]["0_0"] == math.ceil(math.log(1e-6) / math.log(0.99))
    assert steps["0_01"]["0_9"] < steps["0_01"]["0_0"] / 4
    # past gradient descent's limit 2, momentum still converges
    for lr_lam in ("2_5", "3_5"):
        assert steps[lr_lam]["0_0"] is None and steps[lr_lam]["0_9"] is not None


# --- momentum warm-up ----------------------------------------------------------------------------
def test_torch_sgd_reads_the_momentum_coefficient_at_every_step():
    momenta = [warmup.ramp(k) for k in range(1, 80)]
    # positions up to 80 steps of at most 0.1: 80 roundings on values below 8
    assert warmup.torch_run(momenta) == pytest.approx(
        warmup.manual_run(momenta), rel=0, abs=80 * 8 * EPS
    )
    assert recorded("faq_warmup").results["ramp_vs_hand"] <= 100 * 10 * EPS  # 100 steps, |w| < 10


def test_momentum_ramp_takes_smaller_steps_than_constant_momentum():
    const = warmup.torch_run([0.9] * 60)
    ramped = warmup.torch_run([warmup.ramp(k) for k in range(1, 61)])
    assert abs(ramped[-1]) < abs(const[-1])
    # per step: each step of the ramp is no longer than the constant-momentum step, and shorter
    # from step 2 on (step 1 is lr * g for both: the buffer starts as the first gradient)
    step_const = [abs(b - a) for a, b in itertools.pairwise([0.0, *const])]
    step_ramped = [abs(b - a) for a, b in itertools.pairwise([0.0, *ramped])]
    assert step_ramped[0] == step_const[0]
    assert all(r < c for r, c in zip(step_ramped[1:], step_const[1:], strict=True))
    # step 3 by hand with momenta 0.508 and 0.516: b = 1, 1 + 0.508, 1 + 0.516 * 1.508; the step
    # is a difference of positions below 0.1 (3 roundings each)
    assert step_ramped[2] == pytest.approx(0.01 * (1 + 0.516 * 1.508), abs=6 * 0.1 * EPS)
    # ... which no fixed momentum run gives: 0.01 * (1 + m + m^2) at m = 0.5 or 0.9
    for m in (0.5, 0.9):
        fixed = warmup.torch_run([m] * 3)
        assert abs(abs(fixed[2] - fixed[1]) - step_ramped[2]) > 1e-4


def test_one_cycle_moves_momentum_against_the_lr():
    defaults = inspect.signature(torch.optim.lr_scheduler.OneCycleLR).parameters
    cycle = recorded("faq_warmup").results["one_cycle"]
    assert cycle["first"] == defaults["max_momentum"].default  # 0.95
    assert cycle["lowest"] == pytest.approx(defaults["base_momentum"].default, abs=1e-12)
    # at every step the lr and the momentum move in opposite directions (or stand still); on a
    # cycle of another length than the page's
    values = warmup.one_cycle_values(total_steps=64)
    for (lr0, m0), (lr1, m1) in itertools.pairwise(values):
        assert (lr1 - lr0) * (m1 - m0) <= 0


# --- not an adaptive method ----------------------------------------------------------------------
def _momentum_distance_per_gradient(steps=adaptive.STEPS, lr=1e-3, m=0.9):
    """lr * sum over k of (1 - m^k)/(1 - m): how far a steady gradient of 1 moves momentum SGD."""
    k = np.arange(1, steps + 1)
    return lr * np.sum((1 - m**k) / (1 - m))


def test_momentum_moves_each_coordinate_in_proportion_to_its_gradient():
    run = recorded("faq_not_adaptive").results
    expected = _momentum_distance_per_gradient()
    # each coordinate's position, in units of its gradient, is rounded once per step: 50 steps
    assert run["moved_per_grad"]["sgd"] == pytest.approx([expected] * 3, rel=4 * 50 * EPS)
    assert run["loss_x100_moved_x"]["sgd"] == pytest.approx(100, rel=4 * 50 * EPS)


def test_momentum_step_grows_with_the_running_sum_equally_in_every_coordinate():
    growth = recorded("faq_not_adaptive").results["growth"]
    for k, per_coordinate in growth.items():
        expected = (1 - 0.9 ** int(k)) / (1 - 0.9)  # the geometric partial sum
        # the step is a difference of positions up to 410 times the first step: that many EPS
        assert per_coordinate == pytest.approx([expected] * 3, rel=4 * 410 * EPS), k


@pytest.mark.parametrize("name", ["rmsprop", "adam"])
def test_adaptive_methods_move_every_coordinate_about_equally(name):
    run = recorded("faq_not_adaptive").results
    moved = run["moved"][name]
    # the optimizers' eps (1e-8) against sqrt(v) of the smallest gradient: v starts at (1 - alpha)
    # g^2 in RMSprop (alpha 0.99), at g^2 in Adam (bias corrected)
    start = {"rmsprop": math.sqrt(1 - 0.99), "adam": 1.0}[name] * min(adaptive.GRADS)
    tol = 2 * 1e-8 / start
    assert moved == pytest.approx([moved[1]] * 3, rel=tol)
    assert run["loss_x100_moved_x"][name] == pytest.approx(1, rel=tol)
    # the momentum control moves them in proportion to their gradients: a factor 10^6 apart
    assert run["moved"]["sgd"][2] / run["moved"]["sgd"][0] == pytest.approx(1e6, rel=1e-9)


# --- acceleration --------------------------------------------------------------------------------
KAPPAS = (10, 100, 1000, 10000)


def test_heavy_ball_iterations_grow_like_sqrt_kappa_gradient_descent_like_kappa():
    it = recorded("faq_acceleration").results["iterations"]
    for kappa in KAPPAS:
        # gradient descent shrinks both coordinates by exactly rho = (kappa-1)/(kappa+1) per step
        rho = (kappa - 1) / (kappa + 1)
        assert it[str(kappa)]["gd"] == math.ceil(math.log(1e-6) / math.log(rho))
    hb = it["10000"]["hb"] / it["100"]["hb"]
    gd = it["10000"]["gd"] / it["100"]["gd"]
    assert 8 < hb < 14  # sqrt(10000 / 100) = 10, with the double root's k on top
    assert 95 < gd < 105  # 10000 / 100 = 100
    shares = [it[str(k)]["gd"] / it[str(k)]["hb"] / math.sqrt(k) for k in KAPPAS]
    run = recorded("faq_acceleration").results
    assert (run["per_sqrt_min"], run["per_sqrt_max"]) == (min(shares), max(shares))


def test_faq_counts_iterations_with_the_quadratic_pages_rule():
    # one stopping rule on both pages: every coordinate stays below tol times its start
    it = recorded("faq_acceleration").results["iterations"]
    for kappa in KAPPAS:
        assert it[str(kappa)]["hb"] == quad.predicted_momentum(kappa, 1e-6)
        assert it[str(kappa)]["gd"] == quad.predicted_gd(kappa, 1e-6)


def test_heavy_ball_converges_linearly_not_quadratically():
    run = recorded("faq_acceleration").results
    mu = 0.01
    rho = (1 - math.sqrt(mu)) / (1 + math.sqrt(mu))  # tuned heavy ball: a double root at rho
    assert run["rate_kappa_100"] == pytest.approx(rho, rel=4 * EPS)

    def digits(k):  # |x_k| = (1 + k (1 - rho)) rho^k exactly, from rest at x = 1
        return -math.log10((1 + k * (1 - rho)) * rho**k)

    expected = [digits(b) - digits(a) for a, b in itertools.pairwise((40, 80, 120, 160, 200))]
    # x_k after k steps carries about k roundings relative to itself: log10 of (1 + k EPS)
    assert run["digits_gained"] == pytest.approx(expected, abs=2 * 200 * EPS)
    limit = -40 * math.log10(rho)
    assert run["digits_limit"] == pytest.approx(limit, rel=4 * EPS)
    # not doubling, not constant either: rising towards the limit the rate gives
    gains = run["digits_gained"]
    assert all(a < b < limit for a, b in itertools.pairwise(gains))


def test_heavy_ball_tuned_for_kappa_25_cycles_on_a_non_quadratic_function():
    lessard = recorded("faq_acceleration").results["lessard"]
    last = lessard["hb_last"]  # steps 2995..3000
    # period 3, to rounding: 3000 steps with values near 2, if every step's rounding added up
    tol = 3000 * EPS * 2.2
    assert abs(last[-1] - last[-4]) < tol and abs(last[-2] - last[-5]) < tol
    assert min(abs(v) for v in last[-3:]) > 0.5  # and nowhere near the minimum at 0
    assert abs(lessard["gd_last"]) < 1e-50
    # the cycle by hand: x -> x - lr grad(x) + m (x - x_prev) maps (x_prev, x) on the cycle to
    # (x, next); the three points are a fixed cycle of that map, to rounding
    lr, m, _ = accel.heavy_ball_tuning(1.0, 25.0)
    a, b, c = last[-3:]
    for prev, x, nxt in ((a, b, c), (b, c, a), (c, a, b)):
        assert x - lr * accel.lessard_grad([x])[0] + m * (x - prev) == pytest.approx(nxt, abs=tol)


def test_nesterov_constant_momentum_keeps_its_rate_where_heavy_ball_cycles():
    lr, m, rate = accel.nesterov_tuning(1.0, 25.0)
    assert (lr, m, rate) == (pytest.approx(1 / 25), pytest.approx(2 / 3), pytest.approx(0.8))
    nesterov = recorded("faq_acceleration").results["nesterov"]
    # on Lessard et al.'s function itself: 3.3 - 0.04 * (25 * 3.3 - 24) = 0.96, then inside the
    # piece 25 x^2 / 2, where one step of lr 1/L lands on 0
    assert nesterov["first_steps"][0] == pytest.approx(0.96, abs=4 * EPS)
    assert nesterov["first_steps"][1:] == [0.0, 0.0, 0.0] and nesterov["last"] == 0.0
    assert nesterov["at_minimum_from"] == 2
    for x0 in (-10.0, -3.3, 1.5, 3.3, 10.0):  # and the guarantee holds from other starts
        path = accel.run(accel.lessard_grad, lr, m, (x0,), 100, step=accel.nesterov_step)
        assert accel.nesterov_bound_ratio(path, (x0,)) <= 1
    # with a flat direction added, x is 0 from step 2 on and y follows Nesterov's recursion on
    # curvature mu = 1: y+ = (1 + m)(1 - lr) y - m (1 - lr) y_prev, a double root at 0.8
    t = np.array([[(1 + m) * (1 - lr), -m * (1 - lr)], [1.0, 0.0]])
    y = [np.linalg.matrix_power(t, k) @ np.array([1.0, 1.0]) for k in (100, 200)]
    per_step = (abs(y[1][0]) / abs(y[0][0])) ** (1 / 100)
    # y_100 and y_200 carry at most 200 roundings relative to themselves
    assert nesterov["flat_per_step"] == pytest.approx(per_step, rel=4 * 200 * EPS)
    assert nesterov["flat_bound_ratio"] <= 1  # F(x_k) below the guaranteed bound at every k
    # gradient descent with lr 2/(L + mu) shrinks both directions by exactly 12/13 per step
    gd_step = recorded("faq_acceleration").results["gd_flat_per_step"]
    assert gd_step == pytest.approx(12 / 13, rel=4 * 200 * EPS)
    hb_last = recorded("faq_acceleration").results["hb_flat_last"]
    assert min(abs(v) for v in hb_last) > 0.5  # heavy ball's x still cycles


# --- choosing gamma ------------------------------------------------------------------------------
def test_gamma_numbers_on_the_page():
    run = recorded("faq_gamma").results
    for g in (0.5, 0.9, 0.95, 0.99):
        key = gamma.key(g)
        assert run["amplification"][key] == pytest.approx(1 / (1 - g), rel=4 * EPS)
        assert g ** run["half_life"][key] == pytest.approx(0.5, rel=4 * EPS)
        assert g ** run["forgotten_99"][key] == pytest.approx(0.01, rel=4 * EPS)
        assert gamma.best_momentum(run["kappa_for"][key]) == pytest.approx(g, rel=16 * EPS)
    # Polyak's momentum for kappa = 100: ((10 - 1) / (10 + 1))^2
    assert run["best_momentum"]["100"] == pytest.approx((9 / 11) ** 2, rel=4 * EPS)


# --- judging whether momentum helps --------------------------------------------------------------
def test_momentum_run_tracks_plain_sgd_at_the_same_effective_lr():
    run = recorded("faq_judge").results
    slow, mom, fast = run["slow"], run["momentum"], run["fast"]
    for step in ("100", "200", "300"):
        assert mom[step] < slow[step]
        assert abs(mom[step] - fast[step]) < 0.2 * abs(mom[step] - slow[step])
    assert run["momentum_beats_same_lr"] and run["same_effective_lr_close"]
    # the same on other data and another batch order than the page's
    x, y = judge.make_data(seed=3)
    ends = [judge.train(lr, m, x, y, steps=100, seed=5)[-1] for lr, m in judge.RUNS.values()]
    slow, mom, fast = ends
    assert mom < slow and abs(mom - fast) < 0.2 * abs(mom - slow)
