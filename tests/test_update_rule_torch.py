"""PyTorch's own details and the small programs of docs/update_rule.md."""

import math

import numpy as np
import pytest
import torch
from conftest import load_script

buf = load_script("snippets/update_rule_torch_buffer.py")
nest = load_script("snippets/update_rule_torch_nesterov.py")
impls = load_script("snippets/update_rule_torch_impls.py")
scratch = load_script("snippets/update_rule_scratch.py")
linreg = load_script("snippets/update_rule_linreg.py")
over = load_script("snippets/update_rule_overshoot.py")


def test_buffer_starts_as_first_gradient_not_zero():
    # with dampening 0.5 a zero-started buffer would hold 0.5 * g1 after step 1
    assert buf.buffers_after([1.0], lr=0.1, momentum=0.9, dampening=0.5) == [1.0]
    assert buf.buffers_after([-2.5], lr=0.1, momentum=0.9) == [-2.5]


def test_dampening_applies_from_the_second_step():
    b = buf.buffers_after([1.0, 3.0, -1.0], lr=0.1, momentum=0.9, dampening=0.5)
    assert b[1] == pytest.approx(0.9 * 1.0 + 0.5 * 3.0, abs=1e-15)
    assert b[2] == pytest.approx(0.9 * b[1] + 0.5 * -1.0, abs=1e-15)


def test_weight_decay_enters_the_gradient_before_the_buffer():
    b = buf.buffers_after([1.0], theta0=2.0, lr=0.1, momentum=0.9, weight_decay=0.1)
    assert b == [pytest.approx(1.0 + 0.1 * 2.0, abs=1e-15)]
    # second step: theta1 = 2 - 0.1 * 1.2 = 1.88; buffer = 0.9 * 1.2 + (1 + 0.1 * 1.88)
    b = buf.buffers_after([1.0, 1.0], theta0=2.0, lr=0.1, momentum=0.9, weight_decay=0.1)
    assert b[1] == pytest.approx(0.9 * 1.2 + 1.0 + 0.1 * 1.88, abs=1e-14)


def test_dampened_torch_runs_ahead_of_zero_started_ema_by_lr_beta_over_one_minus_beta():
    for lr, beta, steps in [(0.1, 0.9, 200), (0.05, 0.5, 60), (0.01, 0.99, 3000)]:
        closed = lr * beta * (1 - beta**steps) / (1 - beta)
        assert buf.dampened_vs_ema(lr, beta, steps) == pytest.approx(closed, rel=1e-9)
    assert round(buf.dampened_vs_ema(0.1, 0.9, 200), 6) == 0.9  # the page prints 0.900000


def test_nesterov_requires_momentum_and_zero_dampening():
    msg = "Nesterov momentum requires a momentum and zero dampening"
    assert nest.nesterov_error(0.9, 0.0) is None
    assert nest.nesterov_error(0.9, 0.1) == msg
    assert nest.nesterov_error(0.0, 0.0) == msg


@pytest.mark.parametrize("config", list(impls.CONFIGS))
@pytest.mark.parametrize(
    ("dtype", "tol"), [(torch.float32, 1e-6), (torch.float64, 1e-12)], ids=["float32", "float64"]
)
def test_for_loop_foreach_and_fused_give_the_same_numbers(config, dtype, tol):
    kwargs = impls.CONFIGS[config]
    ref = impls.run_sgd("for-loop", dtype, **kwargs)
    start = impls.run_sgd("for-loop", dtype, steps=0, **kwargs)
    assert (ref - start).abs().max() > 0.1  # 200 steps really moved the parameters
    for impl in ("foreach", "fused"):  # fused on CPU is supported for SGD in torch 2.14
        out = impls.run_sgd(impl, dtype, **kwargs)
        assert out.dtype == dtype
        assert (out - ref).abs().max().item() <= tol


def test_scratch_sgd_momentum_matches_torch_sgd():
    mine, loss_mine = scratch.train(use_builtin=False)
    ref, _ = scratch.train(use_builtin=True)
    assert (mine - ref).abs().max() < 1e-12
    assert loss_mine[-1] < 0.01 * loss_mine[0]  # it trained


def test_scratch_sgd_momentum_is_in_place_and_keeps_v_equal_lr_times_torch_buffer():
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
        assert torch.allclose(vs[0], 0.05 * opt.state[q]["momentum_buffer"], atol=1e-15)
    assert id(p) == ident
    assert torch.allclose(p, q, atol=1e-14)


def test_linear_regression_recovers_w_2_b_1():
    w, b, _, x, y = linreg.fit_line()
    assert w == pytest.approx(2.0, abs=0.02)
    assert b == pytest.approx(1.0, abs=0.02)
    w_ls, b_ls = linreg.least_squares(x, y)
    assert abs(w_ls - 2.0) < 0.004  # the page: the noisy data's best line is within 0.004
    assert abs(b_ls - 1.0) < 0.004
    assert w == pytest.approx(w_ls, abs=1e-4)  # float32 on the device; converged to the optimum
    assert b == pytest.approx(b_ls, abs=1e-4)


def test_one_parameter_loss_overshoots_past_1():
    path = over.run(0.9)
    assert path[:4] == pytest.approx([5.0, 4.2, 2.84, 1.248], abs=1e-12)
    assert next(k for k, w in enumerate(path) if w < 1) == 4
    assert min(path) == pytest.approx(-1.8359, abs=5e-5)
    assert (1 - min(path)) / 4 == pytest.approx(0.709, abs=5e-4)
    # without momentum the same lr never crosses 1: w - 1 shrinks by 0.8 each step
    gd = over.run(0.0)
    assert all(w > 1 for w in gd)
    assert gd[10] - 1 == pytest.approx(4 * 0.8**10, rel=1e-12)


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
    d = over.damping(0.1, 0.9)
    # the discrete characteristic polynomial r^2 - (1 + m - lr h) r + m, lr h = 0.1 * 2
    r = np.roots([1.0, -(1 + 0.9 - 0.2), 0.9])
    assert d["roots complex (oscillates)"] is True
    assert abs(r[0].imag) > 0.1
    # critical momentum: just below it the error never changes sign, just above it does
    crit = d["critical momentum (1 - sqrt(lr h))^2"]
    assert _error_changes_sign(crit - 1e-3) is False
    assert _error_changes_sign(crit + 1e-3) is True
    assert (1 + crit - 0.2) ** 2 - 4 * crit == pytest.approx(0.0, abs=1e-12)  # a double root
    # continuous analogue w'' + (1 - m) w' + lr h w = 0: zeta = -Re(s) / |s| of its roots s
    s = np.roots([1.0, 1 - 0.9, 0.2])
    assert d["damping ratio zeta"] == pytest.approx(-s[0].real / abs(s[0]), rel=1e-12)
    # the continuous estimate of the first overshoot is within 1 % of the measured 0.709
    assert d["overshoot exp(-pi zeta / sqrt(1 - zeta^2))"] == pytest.approx(0.709, abs=0.01)
    # the envelope shrinks by |r| = sqrt(0.9) per step; r = sqrt(0.9) e^{+-i omega}
    assert d["|r| = sqrt(momentum), shrink per step"] == pytest.approx(abs(r[0]), rel=1e-12)
    assert abs(r[1]) == pytest.approx(abs(r[0]), rel=1e-12)
    omega = abs(np.angle(r[0]))
    period = 2 * math.pi / omega  # 13.6 steps
    path = [w - 1 for w in over.run(0.9, steps=200)]
    k0, k1 = 20, 20 + round(5 * period)
    amp0 = max(abs(x) for x in path[k0 : k0 + math.ceil(period)])
    amp1 = max(abs(x) for x in path[k1 : k1 + math.ceil(period)])
    assert amp1 / amp0 == pytest.approx(math.sqrt(0.9) ** (k1 - k0), rel=0.05)


def test_critical_momentum_does_not_overshoot():
    crit = over.damping(0.1, 0.9)["critical momentum (1 - sqrt(lr h))^2"]
    assert min(over.run(crit)) > 1 - 1e-9
