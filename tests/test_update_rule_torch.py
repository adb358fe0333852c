"""PyTorch's own details and the small programs of docs/update_rule/.

The numbers the page quotes are read from the scripts' recorded runs and compared with the rules
worked out by hand; the scripts' functions are run on other inputs.
"""

import math

import numpy as np
import pytest
import torch
from conftest import load_script, recorded

buf = load_script("snippets/update_rule/update_rule_torch_buffer.py")
nest = load_script("snippets/update_rule/update_rule_torch_nesterov.py")
impls = load_script("snippets/update_rule/update_rule_torch_impls.py")
scratch = load_script("snippets/update_rule/update_rule_scratch.py")
linreg = load_script("snippets/update_rule/update_rule_linreg.py")
over = load_script("snippets/update_rule/update_rule_overshoot.py")

EPS = float(np.finfo(np.float64).eps)  # 2.2e-16


def test_buffer_starts_as_first_gradient_not_zero():
    # with dampening 0.5 a zero-started buffer would hold 0.5 * g1 after step 1; the buffer is
    # g1 itself, copied, so exactly
    assert recorded("update_rule_torch_buffer").results["dampened_step1"] == 1.0
    assert buf.buffers_after([-2.5], lr=0.1, momentum=0.9, dampening=0.5) == [-2.5]
    assert buf.buffers_after([-2.5], lr=0.1, momentum=0.9) == [-2.5]


def test_dampening_applies_from_the_second_step():
    # one multiply-add of numbers below 3: at most two roundings of 2.4 * EPS each
    r = recorded("update_rule_torch_buffer").results
    assert r["dampened_step2"] == pytest.approx(0.9 * 1.0 + 0.5 * 3.0, rel=0, abs=4 * 3 * EPS)
    b = buf.buffers_after([-2.0, 0.5, 4.0], lr=0.1, momentum=0.8, dampening=0.25)
    assert b[0] == -2.0
    assert b[1] == pytest.approx(0.8 * -2.0 + 0.75 * 0.5, rel=0, abs=4 * 3 * EPS)
    assert b[2] == pytest.approx(0.8 * b[1] + 0.75 * 4.0, rel=0, abs=4 * 4 * EPS)


def test_weight_decay_enters_the_gradient_before_the_buffer():
    r = recorded("update_rule_torch_buffer").results
    assert r["decayed_step1"] == pytest.approx(1.0 + 0.1 * 2.0, rel=0, abs=2 * 2 * EPS)
    # second step: theta1 = 2 - 0.1 * 1.2 = 1.88; buffer = 0.9 * 1.2 + (1 + 0.1 * 1.88)
    b = buf.buffers_after([1.0, 1.0], theta0=2.0, lr=0.1, momentum=0.9, weight_decay=0.1)
    assert b[1] == pytest.approx(0.9 * 1.2 + 1.0 + 0.1 * 1.88, rel=0, abs=8 * 3 * EPS)


def test_dampened_torch_runs_ahead_of_zero_started_ema_by_lr_beta_over_one_minus_beta():
    r = recorded("update_rule_torch_buffer").results
    cases = [(0.1, 0.9, 200, r["ahead_of_ema"]), (0.05, 0.5, 60, None), (0.01, 0.99, 3000, None)]
    for lr, beta, steps, ahead in cases:
        closed = lr * beta * (1 - beta**steps) / (1 - beta)
        # both runs move by at most lr per step, so |theta| <= lr * steps; each of the 2 * steps
        # updates rounds it by at most lr * steps * EPS
        tol = 2 * steps * lr * steps * EPS
        ahead = buf.dampened_vs_ema(lr, beta, steps) if ahead is None else ahead
        assert ahead == pytest.approx(closed, rel=0, abs=tol)
    assert r["ahead_closed_form"] == pytest.approx(0.1 * 0.9 * (1 - 0.9**200) / 0.1, rel=1e-15)


def test_nesterov_requires_momentum_and_zero_dampening():
    msg = "Nesterov momentum requires a momentum and zero dampening"
    assert nest.nesterov_error(0.9, 0.0) is None
    assert nest.nesterov_error(0.9, 0.1) == msg
    assert nest.nesterov_error(0.0, 0.0) == msg


# rounding only: float32 / float64 eps (1.2e-7 / 2.2e-16) on parameters of order 1, a few
# roundings per step in a different order, over 200 steps, stays below 1e-6 / 1e-12 (the page's)
IMPL_TOLERANCE = {torch.float32: 1e-6, torch.float64: 1e-12}


def test_for_loop_foreach_and_fused_agree_on_the_recorded_run():
    r = recorded("update_rule_torch_impls").results
    assert r["largest_diff"]["float32"] <= IMPL_TOLERANCE[torch.float32]
    assert r["largest_diff"]["float64"] <= IMPL_TOLERANCE[torch.float64]
    assert r["within_rounding"] and 0 <= r["identical"] <= r["comparisons"] == 12
    assert r["torch_version"] == torch.__version__.split("+")[0]
    assert r["parameters"] == sum(math.prod(s) for s in [(64, 32), (32,), (10, 64), (10,)])


@pytest.mark.parametrize("config", list(impls.CONFIGS))
@pytest.mark.parametrize("dtype", [torch.float32, torch.float64], ids=["float32", "float64"])
def test_for_loop_foreach_and_fused_give_the_same_numbers(config, dtype):
    # other inputs than the page's run: 20 steps instead of 200
    kwargs = impls.CONFIGS[config]
    ref = impls.run_sgd("for-loop", dtype, steps=20, **kwargs)
    start = impls.run_sgd("for-loop", dtype, steps=0, **kwargs)
    assert (ref - start).abs().max() > 0.1  # 20 steps really moved the parameters
    for impl in ("foreach", "fused"):  # fused on CPU is supported for SGD in torch 2.14
        out = impls.run_sgd(impl, dtype, steps=20, **kwargs)
        assert out.dtype == dtype
        assert (out - ref).abs().max().item() <= IMPL_TOLERANCE[dtype]


def test_scratch_sgd_momentum_matches_torch_sgd():
    r = recorded("update_rule_scratch").results
    # float64, 100 steps, parameters of order 1: rounding far below 1e-12
    assert r["max_difference"] < 1e-12 and r["matches_builtin"]
    assert r["loss_last"] < 0.01 * r["loss_first"]  # it trained
    # other settings: 30 steps with lr 0.1 and gamma 0.5
    mine, _ = scratch.train(use_builtin=False, steps=30, lr=0.1, gamma=0.5)
    ref, _ = scratch.train(use_builtin=True, steps=30, lr=0.1, gamma=0.5)
    assert (mine - ref).abs().max() < 30 * 8 * EPS  # a few roundings of |p| < 8 per step


def test_scratch_sgd_momentum_is_in_place_and_keeps_v_equal_minus_lr_times_torch_buffer():
    torch.manual_seed(0)
    p = torch.nn.Parameter(torch.randn(4, dtype=torch.float64))
    q = torch.nn.Parameter(p.detach().clone())
    vs = [torch.zeros_like(p)]
    opt = torch.optim.SGD([q], lr=0.05, momentum=0.9)
    ident = id(p)
    for _ in range(10):
        g = torch.randn(4, dtype=torch.float64)
        p.grad, q.grad = g.clone(), g.clone()
        scratch.sgd_momentum([p], vs, 0.05, 0.9)
        opt.step()
        # -lr * buffer and v round differently: two roundings a step of numbers below 1
        v_tol = 2 * 10 * EPS
        assert torch.allclose(vs[0], -0.05 * opt.state[q]["momentum_buffer"], rtol=0, atol=v_tol)
    assert id(p) == ident
    assert torch.allclose(p, q, rtol=0, atol=10 * 4 * EPS)  # one rounding of |p| < 4 a step


def test_linear_regression_recovers_w_2_b_1():
    r = recorded("update_rule_linreg").results
    # the page: the fit ends fit_gap from the least-squares line, and that line is line_error
    # away from w = 2, b = 1. Momentum 0.9 shrinks the error by sqrt(0.9) = 0.949 a step
    # (complex roots: lr h >= 0.068 > (1 - sqrt(0.9))^2 for both curvatures), so 200 steps
    # leave 0.949^200 = 2.7e-5 of the start distance (below 3): 8e-5, under 1e-4
    fit_gap = max(abs(r["w"] - r["w_least_squares"]), abs(r["b"] - r["b_least_squares"]))
    assert r["fit_gap"] == fit_gap < 1e-4
    error = max(abs(r["w_least_squares"] - 2), abs(r["b_least_squares"] - 1))
    # noise 0.1 over 100 points in [-1, 1]: standard errors 0.01 (b) and 0.017 (w); five of them
    assert r["line_error"] == error < 5 * 0.017
    # another seed, against numpy's least squares, to the same 1e-4
    w, b, _, x, y = linreg.fit_line(seed=1)
    w_np, b_np = np.polyfit(x.double().cpu().numpy().ravel(), y.double().cpu().numpy().ravel(), 1)
    assert w == pytest.approx(w_np, abs=1e-4) and b == pytest.approx(b_np, abs=1e-4)
    assert linreg.least_squares(x, y) == pytest.approx((w_np, b_np), abs=1e-12)


def _numpy_path(momentum, steps=40, lr=0.1, h=2.0, w0=5.0):
    """The same run, written out independently: torch's buffer starts at the first gradient,
    then b <- m b + g, w <- w - lr b, with g = h (w - 1)."""
    w, b, path = w0, None, [w0]
    for _ in range(steps):
        g = h * (w - 1)
        b = g if b is None else momentum * b + g
        w = w - lr * b
        path.append(w)
    return np.array(path)


def test_one_parameter_loss_overshoots_past_1():
    r = recorded("update_rule_overshoot").results
    path = _numpy_path(0.9)
    # the same float64 arithmetic in another program: a rounding of |w| < 5 a step, 40 steps
    tol = 40 * 5 * EPS
    assert r["first_below"] == int(np.argmax(path < 1)) == 4
    assert r["lowest"] == pytest.approx(path.min(), abs=tol)
    assert r["lowest_step"] == int(np.argmin(path)) == 6
    assert r["overshoot"] == pytest.approx((1 - path.min()) / 4, abs=tol)
    # the function on other inputs: without momentum the same lr never crosses 1, w - 1
    # shrinks by 0.8 each step
    gd = over.run(0.0)
    assert all(w > 1 for w in gd)
    assert gd[10] - 1 == pytest.approx(4 * 0.8**10, rel=0, abs=10 * 5 * EPS)
    assert over.run(0.5, steps=30) == pytest.approx(_numpy_path(0.5, steps=30), abs=30 * 5 * EPS)


def _error_changes_sign(momentum, lr=0.1, steps=300):
    """torch.optim.SGD on u^2 (u = w - 1, so tiny errors keep their sign): does u go below 0?"""
    u = torch.nn.Parameter(torch.tensor(4.0, dtype=torch.float64))
    opt = torch.optim.SGD([u], lr=lr, momentum=momentum)
    for _ in range(steps):
        opt.zero_grad()
        (u**2).backward()
        opt.step()
        if u.item() < 0:
            return True
    return False


def test_damping_numbers_explain_the_swing():
    d = recorded("update_rule_overshoot").results
    # the discrete characteristic polynomial r^2 - (1 + m - lr h) r + m, lr h = 0.1 * 2
    r = np.roots([1.0, -(1 + 0.9 - 0.2), 0.9])
    assert abs(r[0].imag) > 0.1  # complex roots: w oscillates
    # critical momentum: just below it the error never changes sign, just above it does
    crit = d["critical_momentum"]
    assert crit == pytest.approx((1 - math.sqrt(0.2)) ** 2, rel=1e-15)  # a few roundings
    assert _error_changes_sign(crit - 1e-3) is False
    assert _error_changes_sign(crit + 1e-3) is True
    # a double root there: the discriminant vanishes up to the rounding of its terms (of order 1)
    assert (1 + crit - 0.2) ** 2 - 4 * crit == pytest.approx(0.0, abs=8 * EPS)
    # continuous analogue w'' + (1 - m) w' + lr h w = 0: zeta = -Re(s) / |s| of its roots s;
    # np.roots of a well-separated pair is accurate to a few eps relative
    s = np.roots([1.0, 1 - 0.9, 0.2])
    assert d["zeta"] == pytest.approx(-s[0].real / abs(s[0]), rel=1e-13)
    # the continuous estimate of the first overshoot is within 1 % of the measured one
    assert d["overshoot_predicted"] == pytest.approx(d["overshoot"], rel=0.01)
    assert d["prediction_within_1pct"]
    # the envelope shrinks by |r| = sqrt(0.9) per step; r = sqrt(0.9) e^{+-i omega}
    assert d["shrink_per_step"] == pytest.approx(abs(r[0]), rel=1e-13)
    assert abs(r[1]) == pytest.approx(abs(r[0]), rel=1e-13)
    omega = abs(np.angle(r[0]))
    period = 2 * math.pi / omega  # 13.6 steps
    path = [w - 1 for w in over.run(0.9, steps=200)]
    k0, k1 = 20, 20 + round(5 * period)
    amp0 = max(abs(x) for x in path[k0 : k0 + math.ceil(period)])
    amp1 = max(abs(x) for x in path[k1 : k1 + math.ceil(period)])
    # a window of one period samples the oscillation omega apart, so its largest |w - 1| is the
    # envelope times a factor in [cos(omega / 2), 1] = [0.973, 1]; the two windows start 5
    # periods apart rounded to a step, r^(+-1/2) = 2.6 % more: 5 % covers both
    assert amp1 / amp0 == pytest.approx(math.sqrt(0.9) ** (k1 - k0), rel=0.05)


def test_critical_momentum_does_not_overshoot():
    r = recorded("update_rule_overshoot").results
    assert r["critical_never_crosses"]
    assert min(over.run(r["critical_momentum"])) > 1
    # with half the lr the same momentum is over-damped: real positive roots, no crossing (100
    # steps leave w - 1 = 4 * 0.843^100 = 1.6e-7, far above float64 rounding)
    assert min(over.run(r["critical_momentum"], steps=100, lr=0.05)) > 1
