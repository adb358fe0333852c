"""The FAQ's claims, each checked against the snippet that shows it on the page."""

import itertools
import math

import pytest
import torch
from conftest import load_script

sparse = load_script("snippets/faq_sparse.py")
state = load_script("snippets/faq_state.py")
adam = load_script("snippets/faq_adam_bias.py")
porting = load_script("snippets/faq_porting.py")
decay = load_script("snippets/faq_weight_decay.py")
lr_change = load_script("snippets/faq_lr_change.py")
overshoot = load_script("snippets/faq_overshoot.py")
warmup = load_script("snippets/faq_warmup.py")
adaptive = load_script("snippets/faq_not_adaptive.py")
accel = load_script("snippets/faq_acceleration.py")
quad = load_script("snippets/quadratic_optimal.py")
gamma = load_script("snippets/faq_gamma.py")
judge = load_script("snippets/faq_judge.py")


# --- sparse gradients ---------------------------------------------------------------------------
def test_sparse_gradient_keeps_moving():
    """An entry whose gradient is 1 on step 1 only moves by lr * 0.9**(k-1) on step k."""
    mom = sparse.dense_run(0.9, steps=30)[:, 1]
    moves = torch.diff(torch.cat([torch.zeros(1, dtype=mom.dtype), mom]))
    expected = -sparse.LR * 0.9 ** torch.arange(30, dtype=torch.float64)
    assert torch.allclose(moves, expected, rtol=0, atol=1e-12)


def test_sparse_gradient_stops_without_momentum():
    plain = sparse.dense_run(0.0, steps=10)[:, 1]
    assert torch.all(plain == -sparse.LR)


def test_sparse_gradient_travels_lr_over_one_minus_momentum_in_the_limit():
    mom = sparse.dense_run(0.9, steps=400)[:, 1]
    assert mom[-1].item() == pytest.approx(-sparse.LR / (1 - 0.9), abs=1e-12)


def test_sparse_embedding_row_seen_once_keeps_moving():
    moved = sparse.embedding_run(0.9, steps=5)
    row1 = moved[:, 1]
    assert torch.all(torch.diff(row1) > 0)  # it moves on every step, looked up or not
    assert torch.all(moved[:, 0] == 0)  # a row never looked up stays put
    # control: plain SGD (momentum 0) moves row 1 on step 1 only, then it stops
    plain = sparse.embedding_run(0.0, steps=5)
    assert plain[0, 1] > 0
    assert torch.all(plain[:, 1] == plain[0, 1])
    assert plain[0, 1] == moved[0, 1]  # the same first step; momentum makes the rest


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


def test_rmsprop_state_is_one_buffer_and_a_step_counter_per_parameter(small_model):
    params = list(small_model.parameters())
    nbytes = sum(p.numel() * p.element_size() for p in params)
    seen = state.state_over_time(state.OPTIMIZERS["RMSprop"], small_model, (1, 10))
    for full, scalars, total in seen.values():
        assert (full, scalars) == (len(params), len(params))
        assert nbytes <= total <= nbytes + 8 * len(params)  # + one scalar each


def test_adam_state_is_two_buffers_and_a_step_counter_per_parameter(small_model):
    params = list(small_model.parameters())
    nbytes = sum(p.numel() * p.element_size() for p in params)
    seen = state.state_over_time(state.OPTIMIZERS["Adam"], small_model, (1, 10))
    for full, scalars, total in seen.values():
        assert (full, scalars) == (2 * len(params), len(params))
        assert 2 * nbytes <= total <= 2 * nbytes + 8 * len(params)  # + one scalar each


# --- Adam's bias correction ---------------------------------------------------------------------
def test_torch_adam_divides_by_one_minus_beta_to_the_t():
    gen = torch.Generator().manual_seed(0)
    grads = torch.randn(200, generator=gen, dtype=torch.float64).tolist()
    ours = adam.adam_steps(grads, "beta**t")
    theirs = adam.torch_adam_steps(grads)
    assert ours == pytest.approx(theirs, rel=1e-10, abs=1e-15)


def test_wrong_bias_correction_agrees_on_step_one_and_not_after():
    grads = [1.0] * 12
    right, wrong = adam.adam_steps(grads, "beta**t"), adam.adam_steps(grads, "1-beta (wrong)")
    assert wrong[0] == pytest.approx(right[0], rel=1e-12)
    assert wrong[1] / adam.LR == pytest.approx(1.9 / math.sqrt(1.999), rel=1e-6)  # 1.344
    assert max(wrong) / adam.LR > 2.0  # its steps overshoot the intended lr by 2x


def test_wrong_bias_correction_tends_to_sqrt_one_minus_b2_over_one_minus_b1():
    wrong = adam.adam_steps([1.0] * 50000, "1-beta (wrong)")
    assert wrong[-1] / adam.LR == pytest.approx(math.sqrt(0.001) / 0.1, rel=1e-6)


def test_no_bias_correction_makes_the_first_step_sqrt_ten_times_too_large():
    assert adam.adam_steps([1.0], "none")[0] / adam.LR == pytest.approx(math.sqrt(10), rel=1e-6)


def test_multiplying_by_one_minus_beta_to_the_t_makes_the_first_step_ten_times_too_large():
    # m (1 - b1^t) / sqrt(v (1 - b2^t)) = (1 - b1^t)^2 / (1 - b2^t) under a constant gradient
    steps = adam.adam_steps([1.0] * 3000, "times 1-beta**t (wrong)")
    for t in (1, 10, 100, 3000):
        expected = (1 - 0.9**t) ** 2 / (1 - 0.999**t)
        assert steps[t - 1] / adam.LR == pytest.approx(expected, rel=1e-4)  # eps 1e-8
    assert round(steps[0] / adam.LR, 3) == 10.0 and round(steps[9] / adam.LR, 1) == 42.6


# --- porting between frameworks -----------------------------------------------------------------
def test_porting_comparisons_agree_where_the_page_says_they_do():
    diffs = dict(porting.comparisons())
    assert diffs["Keras(lr, m) vs torch(lr, m)"] < 1e-12
    assert diffs["Keras nesterov vs torch nesterov"] < 1e-12
    assert diffs["Sutskever NAG (lookahead) vs torch nesterov"] < 1e-12
    assert diffs["EMA(lr/(1-m), m) vs torch(lr, m)"] < 1e-12
    # torch skips dampening on the first step, so dampening=m is not the EMA form
    assert diffs["EMA(lr/(1-m), m) vs torch(lr/(1-m), m, dampening=m)"] > 1e-2
    # once the learning rate changes, Keras's and PyTorch's forms part ways
    assert diffs["Keras vs torch, lr x0.1 at step 100"] > 1e-3


def test_torch_sgd_default_lr_is_one_thousandth():
    import inspect

    assert inspect.signature(torch.optim.SGD).parameters["lr"].default == 1e-3


# --- weight decay --------------------------------------------------------------------------------
def test_coupled_and_decoupled_weight_decay_agree_without_momentum():
    for grad_fn in (decay.no_loss, decay.pull_to_one):
        c = decay.coupled(grad_fn, 300, 0.0)
        d = decay.decoupled(grad_fn, 300, 0.0)
        assert c == pytest.approx(d, abs=1e-12)


def test_coupled_weight_decay_under_momentum_shrinks_like_heavy_ball():
    m, a = 0.9, decay.LR * decay.WD
    p = 1 + m - a
    slow_root = (p + math.sqrt(p * p - 4 * m)) / 2
    assert decay.decay_per_step(decay.coupled, m) == pytest.approx(slow_root, abs=1e-9)
    assert decay.decay_per_step(decay.decoupled, m) == pytest.approx(1 - a, abs=1e-12)
    ratio = math.log(slow_root) / math.log(1 - a)
    assert 10 <= ratio <= 12  # about 1/(1-m) times faster (11.2 here)


def test_decoupled_decay_needs_wd_over_one_minus_m_to_match_coupled():
    m = 0.9
    c = decay.coupled(decay.pull_to_one, 2000, m)
    d = decay.decoupled(decay.pull_to_one, 2000, m)
    d_scaled = decay.decoupled(decay.pull_to_one, 2000, m, wd=decay.WD / (1 - m))
    assert c == pytest.approx(1 / (1 + decay.WD), abs=1e-9)
    assert d == pytest.approx(1 / (1 + decay.WD * (1 - m)), abs=1e-9)
    assert d_scaled == pytest.approx(c, abs=1e-9)


def test_torch_optim_has_no_sgdw():
    assert not hasattr(torch.optim, "SGDW") and hasattr(torch.optim, "AdamW")


# --- learning-rate changes -----------------------------------------------------------------------
def test_pytorch_and_keras_forms_agree_at_constant_lr_and_on_the_first_step():
    lrs = [0.05] * 50
    assert lr_change.torch_steps(lrs) == pytest.approx(lr_change.keras_steps(lrs), abs=1e-12)
    ramp = [lr_change.schedule(k) for k in range(1, 30)]
    assert lr_change.torch_steps(ramp)[0] == pytest.approx(lr_change.keras_steps(ramp)[0])


def test_pytorch_applies_a_new_lr_at_once_keras_over_geometric_decay():
    lrs = [lr_change.schedule(k) for k in range(1, lr_change.STEPS + 1)]
    pt, ks = lr_change.torch_steps(lrs), lr_change.keras_steps(lrs)
    drop = lr_change.DROP_AT - 1  # index of the first step at the lower lr
    m = lr_change.MOMENTUM
    b = sum(m**j for j in range(lr_change.DROP_AT))  # buffer after DROP_AT gradients of 1
    assert pt[drop] == pytest.approx(lrs[drop] * b, rel=1e-12)  # all of it at the new lr
    excess = [k - p for k, p in zip(ks[drop:], pt[drop:], strict=True)]
    for e0, e1 in itertools.pairwise(excess):
        assert e1 == pytest.approx(m * e0, rel=1e-6, abs=1e-15)  # fades by m each step


# --- when momentum hurts -------------------------------------------------------------------------
@pytest.mark.parametrize("m", [0.0, 0.5, 0.9])
def test_heavy_ball_is_stable_exactly_below_two_plus_two_m(m):
    limit = 2 + 2 * m
    assert overshoot.spectral_radius(limit - 1e-3, m) < 1
    assert overshoot.spectral_radius(limit + 1e-3, m) > 1
    assert overshoot.steps_to(limit - 0.05, m) is not None
    assert overshoot.steps_to(limit + 0.05, m) is None


def test_heavy_ball_trajectory_is_torch_sgd():
    w = torch.ones(1, dtype=torch.float64, requires_grad=True)
    opt = torch.optim.SGD([w], lr=0.3, momentum=0.9)  # lam = 1, so lr*lam = 0.3
    ours = overshoot.trajectory(0.3, 0.9, 100)
    for k in range(100):
        w.grad = w.detach().clone()
        opt.step()
        assert w.item() == pytest.approx(ours[k], abs=1e-12)


def test_momentum_hurts_when_lr_matches_the_curvature_and_helps_when_it_is_small():
    assert overshoot.steps_to(1.0, 0.0) == 1
    assert overshoot.steps_to(1.0, 0.9) > 200
    assert overshoot.overshoot(1.0, 0.9) == pytest.approx(0.9)
    assert overshoot.steps_to(0.01, 0.9) < overshoot.steps_to(0.01, 0.0) / 4


# --- momentum warm-up ----------------------------------------------------------------------------
def test_torch_sgd_reads_the_momentum_coefficient_at_every_step():
    momenta = [warmup.ramp(k) for k in range(1, 80)]
    assert warmup.torch_run(momenta) == pytest.approx(warmup.manual_run(momenta), abs=1e-12)


def test_momentum_ramp_takes_smaller_steps_than_constant_momentum():
    const = warmup.torch_run([0.9] * 60)
    ramped = warmup.torch_run([warmup.ramp(k) for k in range(1, 61)])
    assert abs(ramped[-1]) < abs(const[-1])
    # per step: each step of the ramp is no longer than the constant-momentum step, and shorter
    # from step 2 on (step 1 is lr * g for both: the buffer starts as the first gradient)
    step_const = [abs(b - a) for a, b in itertools.pairwise([0.0, *const])]
    step_ramped = [abs(b - a) for a, b in itertools.pairwise([0.0, *ramped])]
    assert step_ramped[0] == pytest.approx(step_const[0], rel=1e-12)
    assert all(r < c for r, c in zip(step_ramped[1:], step_const[1:], strict=True))
    # step 3 by hand with momenta 0.508 and 0.516: b = 1, 1 + 0.508, 1 + 0.516 * 1.508
    assert step_ramped[2] == pytest.approx(0.01 * (1 + 0.516 * 1.508), rel=1e-12)
    # ... which no fixed momentum run gives: 0.01 * (1 + m + m^2) at m = 0.5 or 0.9
    for m in (0.5, 0.9):
        fixed = warmup.torch_run([m] * 3)
        assert abs(abs(fixed[2] - fixed[1]) - step_ramped[2]) > 1e-4


def test_one_cycle_moves_momentum_against_the_lr():
    values = warmup.one_cycle_values()
    lrs = [lr for lr, _ in values]
    peak = lrs.index(max(lrs))
    assert values[0][1] == pytest.approx(0.95) and values[peak][1] == pytest.approx(0.85)
    # at every step the lr and the momentum move in opposite directions (or stand still)
    for (lr0, m0), (lr1, m1) in itertools.pairwise(values):
        assert (lr1 - lr0) * (m1 - m0) <= 0


# --- not an adaptive method ----------------------------------------------------------------------
def test_momentum_moves_each_coordinate_in_proportion_to_its_gradient():
    make = adaptive.OPTIMIZERS["SGD momentum 0.9"]
    moved = adaptive.displacement(make)
    per_grad = moved / torch.tensor(adaptive.GRADS, dtype=torch.float64)
    assert torch.allclose(per_grad, per_grad[0].expand(3), rtol=1e-12, atol=0)
    assert torch.allclose(adaptive.displacement(make, scale=100.0), 100 * moved, rtol=1e-12)


def test_momentum_step_grows_with_the_running_sum_equally_in_every_coordinate():
    growth = adaptive.step_over_lr_gradient()
    ks = torch.arange(1, adaptive.STEPS + 1, dtype=torch.float64)
    expected = (1 - 0.9**ks) / (1 - 0.9)
    for i in range(len(adaptive.GRADS)):  # the geometric partial sum, whatever the gradient size
        assert torch.allclose(growth[:, i], expected, rtol=1e-9, atol=0)
    assert [round(growth[k - 1, 0].item(), 2) for k in (1, 2, 5, 10, 20, 50)] == [
        1.0,
        1.9,
        4.1,
        6.51,
        8.78,
        9.95,
    ]


@pytest.mark.parametrize("name", ["RMSprop", "Adam"])
def test_adaptive_methods_move_every_coordinate_about_equally(name):
    make = adaptive.OPTIMIZERS[name]
    moved = adaptive.displacement(make)
    assert torch.allclose(moved, moved[1].expand(3), rtol=1e-3, atol=0)
    assert torch.allclose(adaptive.displacement(make, scale=100.0), moved, rtol=1e-3, atol=0)


# --- acceleration --------------------------------------------------------------------------------
KAPPAS = (10, 100, 1000, 10000)


def _iterations(kappa, method):
    mu, L = 1 / kappa, 1.0
    grad = accel.quadratic_grad(mu, L)
    if method == "gd":
        return accel.iterations_to(1e-6, grad, accel.gd_tuning(mu, L)[0], 0.0, (1.0, 1.0))
    lr, m, _ = accel.heavy_ball_tuning(mu, L)
    return accel.iterations_to(1e-6, grad, lr, m, (1.0, 1.0))


def test_heavy_ball_iterations_grow_like_sqrt_kappa_gradient_descent_like_kappa():
    hb = _iterations(10000, "hb") / _iterations(100, "hb")
    gd = _iterations(10000, "gd") / _iterations(100, "gd")
    assert 8 < hb < 14  # sqrt(10000 / 100) = 10
    assert 95 < gd < 105  # 10000 / 100 = 100
    # the page: the ratio gd / hb is 0.64 to 0.81 sqrt(kappa)
    shares = [_iterations(k, "gd") / _iterations(k, "hb") / math.sqrt(k) for k in KAPPAS]
    assert (round(min(shares), 2), round(max(shares), 2)) == (0.64, 0.81)


def test_faq_counts_iterations_with_the_quadratic_pages_rule():
    # one stopping rule on both pages: every coordinate stays below tol times its start
    for kappa in KAPPAS:
        assert _iterations(kappa, "hb") == quad.predicted_momentum(kappa, 1e-6)
        assert _iterations(kappa, "gd") == quad.predicted_gd(kappa, 1e-6)
    assert [_iterations(k, "hb") for k in KAPPAS] == [27, 95, 321, 1074]


def test_heavy_ball_converges_linearly_not_quadratically():
    lr, m, rate = accel.heavy_ball_tuning(0.01, 1.0)
    path = accel.run(accel.quadratic_grad(0.01, 1.0), lr, m, (1.0, 1.0), 200)
    digits = [-math.log10(abs(path[k - 1][0])) for k in (40, 80, 120, 160, 200)]
    gains = [b - a for a, b in itertools.pairwise(digits)]
    per_40 = -40 * math.log10(rate)
    # not doubling, not constant either: 3.21, 3.32, 3.37, 3.39, rising towards 3.49
    assert [round(g, 2) for g in gains] == [3.21, 3.32, 3.37, 3.39]
    assert round(per_40, 2) == 3.49 and all(g < per_40 for g in gains)
    # the gap to 3.49 is the k of the double root: |x_k| = (1 + k (1 - rho)) rho^k exactly
    for k in (40, 80, 120, 160, 200):
        exact = (1 + k * (1 - rate)) * rate**k
        assert abs(path[k - 1][0]) == pytest.approx(exact, rel=1e-9)


def test_heavy_ball_tuned_for_kappa_25_cycles_on_a_non_quadratic_function():
    lr, m, _ = accel.heavy_ball_tuning(1.0, 25.0)
    path = [p[0] for p in accel.run(accel.lessard_grad, lr, m, (3.3,), 3000)]
    assert abs(path[-1] - path[-4]) < 1e-9 and abs(path[-2] - path[-5]) < 1e-9  # period 3
    assert min(abs(v) for v in path[-3:]) > 0.5  # and nowhere near the minimum at 0
    gd = accel.run(accel.lessard_grad, accel.gd_tuning(1.0, 25.0)[0], 0.0, (3.3,), 3000)
    assert abs(gd[-1][0]) < 1e-50


def test_nesterov_constant_momentum_keeps_its_rate_where_heavy_ball_cycles():
    lr, m, rate = accel.nesterov_tuning(1.0, 25.0)
    assert (lr, round(m, 4), rate) == (0.04, 0.6667, pytest.approx(0.8))
    # on Lessard et al.'s function itself: at the minimum by step 2 (lr L = 1 on 25 x^2 / 2)
    ne = accel.run(accel.lessard_grad, lr, m, (3.3,), 3000, step=accel.nesterov_step)
    assert ne[0][0] == pytest.approx(0.96) and ne[1][0] == 0.0 and ne[-1][0] == 0.0
    for x0 in (-10.0, -3.3, 1.5, 3.3, 10.0):  # and the guarantee holds from other starts
        path = accel.run(accel.lessard_grad, lr, m, (x0,), 100, step=accel.nesterov_step)
        assert accel.nesterov_bound_ratio(path, (x0,)) <= 1
    # with a flat direction added: heavy ball's x still cycles, Nesterov converges at ~0.8
    x0 = (3.3, 1.0)
    hb = accel.run(accel.lessard_flat_grad, *accel.heavy_ball_tuning(1.0, 25.0)[:2], x0, 3000)
    assert abs(hb[-1][0] - hb[-4][0]) < 1e-9 and abs(hb[-1][0]) > 0.5
    ne = accel.run(accel.lessard_flat_grad, lr, m, x0, 200, step=accel.nesterov_step)
    per_step = (math.hypot(*ne[-1]) / math.hypot(*ne[99])) ** (1 / 100)
    assert round(per_step, 4) == 0.8054  # 1 - 1/sqrt(kappa) = 0.8, with a double root's k
    assert round(accel.nesterov_bound_ratio(ne, x0), 3) == 0.151  # F(x_k) <= bound, every k
    gd = accel.run(accel.lessard_flat_grad, accel.gd_tuning(1.0, 25.0)[0], 0.0, x0, 200)
    gd_step = (math.hypot(*gd[-1]) / math.hypot(*gd[99])) ** (1 / 100)
    assert gd_step == pytest.approx(12 / 13, abs=1e-4)  # (kappa - 1) / (kappa + 1)


# --- choosing gamma ------------------------------------------------------------------------------
def test_gamma_numbers_on_the_page():
    assert gamma.amplification(0.9) == pytest.approx(10)
    assert gamma.half_life(0.9) == pytest.approx(6.579, abs=1e-3)
    assert gamma.best_momentum(gamma.kappa_for(0.9)) == pytest.approx(0.9)
    assert gamma.kappa_for(0.9) == pytest.approx(1442, abs=1)
    assert gamma.best_momentum(100) == pytest.approx(0.669, abs=1e-3)


# --- judging whether momentum helps --------------------------------------------------------------
def test_momentum_run_tracks_plain_sgd_at_the_same_effective_lr():
    x, y = judge.make_data()
    slow = judge.train(0.05, 0.0, x, y, steps=100)[-1]
    mom = judge.train(0.05, 0.9, x, y, steps=100)[-1]
    fast = judge.train(0.5, 0.0, x, y, steps=100)[-1]
    assert mom < slow
    assert abs(mom - fast) < 0.2 * abs(mom - slow)
