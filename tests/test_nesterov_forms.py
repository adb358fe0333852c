"""Sutskever's lookahead form, Bengio's shifted form and torch.optim.SGD(nesterov=True) agree."""

import pytest
import torch
from conftest import load_script

m = load_script("snippets/nesterov_forms.py")
LR, MU, STEPS = 0.5, 0.9, 200
W0 = torch.zeros(5, dtype=torch.float64, device=m.device)


@pytest.fixture(scope="module")
def runs():
    theta, v = m.nesterov_sutskever(m.grad, W0, LR, MU, STEPS)
    Theta, v_b = m.nesterov_bengio(m.grad, W0, LR, MU, STEPS)
    p, buf = m.nesterov_pytorch(m.loss_fn, W0, LR, MU, STEPS)
    return theta, v, Theta, v_b, p, buf


def test_nesterov_forms_agree_to_1e_12(runs):
    theta, v, Theta, v_b, _, _ = runs
    assert theta.dtype == torch.float64 and theta.shape[0] == STEPS + 1
    assert m.max_abs(Theta, theta + MU * v) < 1e-12  # Theta_k = theta_k + mu v_k
    assert m.max_abs(v_b, v) < 1e-12  # the velocities are the same sequence


def test_torch_sgd_nesterov_is_the_bengio_form_to_1e_12(runs):
    _, _, Theta, v_b, p, buf = runs
    assert m.max_abs(p, Theta) < 1e-12  # PyTorch's parameter is Theta
    assert m.max_abs(-LR * buf, v_b) < 1e-12  # its buffer is -v / lr


def test_pytorch_holds_the_lookahead_point_not_theta(runs):
    theta, v, _, _, p, buf = runs
    assert m.max_abs(p, theta) > 0.1  # a visible difference early in the run ...
    assert m.max_abs(p, theta + MU * v) < 1e-12  # ... which is exactly mu v
    assert m.max_abs(p[-1], theta[-1]) < 1e-6  # and which fades as v -> 0
    assert m.max_abs(theta, p + MU * LR * buf) < 1e-12  # theta recovered from PyTorch's state


def test_first_buffer_is_the_first_gradient_which_equals_a_zero_start(runs):
    *_, p, buf = runs
    g0 = m.grad(W0)
    assert torch.equal(buf[1], g0)  # PyTorch: b_1 = g_0 ...
    # ... which a zero start b_0 = 0 also gives, because Nesterov forces dampening = 0:
    # each later buffer is mu * b + g of the current gradient, from step 1 on.
    g1 = m.grad(p[1])
    assert m.max_abs(buf[2], MU * buf[1] + g1) < 1e-12
    # With dampening the first-step copy and a zero start would differ: PyTorch still
    # copies b_1 = g_0, where a zero start gives mu * 0 + (1 - 0.5) g_0 = 0.5 g_0.
    w = W0.clone().requires_grad_(True)
    opt = torch.optim.SGD([w], lr=LR, momentum=MU, dampening=0.5)
    m.loss_fn(w).backward()
    opt.step()
    damped = opt.state[w]["momentum_buffer"]
    assert torch.equal(damped, g0)
    assert m.max_abs(damped, 0.5 * g0) > 0.1 * g0.abs().max().item()


def test_nesterov_requires_zero_dampening():
    w = torch.zeros(2, requires_grad=True)
    with pytest.raises(ValueError, match=r"[Nn]esterov"):
        torch.optim.SGD([w], lr=0.1, momentum=0.9, dampening=0.1, nesterov=True)


def step_decay(k):
    return 0.5 if k < 10 else 0.05


def test_lr_change_separates_pytorch_from_lr_inside_form():
    theta, v = m.nesterov_sutskever(m.grad, W0, step_decay, MU, STEPS)
    p, _ = m.nesterov_pytorch(m.loss_fn, W0, step_decay, MU, STEPS)
    assert m.max_abs(p[:11], (theta + MU * v)[:11]) < 1e-12  # same up to the change
    assert m.max_abs(p, theta + MU * v) > 0.1  # then apart (the page prints 1.3e-01)


def test_rescaling_velocity_at_lr_change_restores_agreement():
    # PyTorch keeps b = -v / lr_old; the new lr then steps with -lr_new b = v lr_new / lr_old.
    Theta_a, v_a = m.nesterov_bengio(m.grad, W0, 0.5, MU, 10)
    v = v_a[-1] * (0.05 / 0.5)
    Theta = Theta_a[-1]
    Thetas = [Theta]
    for _ in range(STEPS - 10):
        g = m.grad(Theta)
        v = MU * v - 0.05 * g
        Theta = Theta + MU * v - 0.05 * g
        Thetas.append(Theta)
    p, _ = m.nesterov_pytorch(m.loss_fn, W0, step_decay, MU, STEPS)
    assert m.max_abs(p[10:], torch.stack(Thetas)) < 1e-12


def test_rescaling_at_lr_change_needs_a_theta_shift_in_sutskevers_form():
    p, _ = m.nesterov_pytorch(m.loss_fn, W0, step_decay, MU, STEPS)
    # the stored-lookahead form: multiplying v by lr_new / lr_old is all it takes
    Theta, _ = m.nesterov_bengio(m.grad, W0, step_decay, MU, STEPS, rescale=True)
    assert m.max_abs(p, Theta) < 1e-12
    # Sutskever's theta form: rescaling v alone moves the lookahead point theta + mu v ...
    th, v = m.nesterov_sutskever(m.grad, W0, step_decay, MU, STEPS, rescale=True, shift_theta=False)
    assert 0.02 < m.max_abs(p, th + MU * v) < 0.04  # the page prints 2.9e-02
    # ... unless theta also moves by mu (v_old - v_new)
    th, v = m.nesterov_sutskever(m.grad, W0, step_decay, MU, STEPS, rescale=True)
    assert m.max_abs(p, th + MU * v) < 1e-12


def test_lr_inside_forms_agree_even_with_a_schedule():
    # Sutskever's form and the shifted form (Keras' documented rule) keep lr inside the velocity:
    # the change of variables never assumed a constant lr.
    theta, v = m.nesterov_sutskever(m.grad, W0, step_decay, MU, STEPS)
    Theta, v_b = m.nesterov_bengio(m.grad, W0, step_decay, MU, STEPS)
    assert m.max_abs(Theta, theta + MU * v) < 1e-12
    assert m.max_abs(v_b, v) < 1e-12
