"""The convention converter of docs/update_rule.md, checked against torch.optim.SGD."""

import functools
import itertools

import pytest
import torch
from conftest import load_script

conv = load_script("snippets/update_rule_convert.py")

STEPS = 200  # the issue asks for at least 200 steps


@functools.cache
def _references(src, dtype):
    """src run as its own formula, and torch.optim.SGD run with the converted settings."""
    grad, theta0 = conv.make_problem(steps=STEPS, dtype=dtype)
    args = SRC_ARGS[src]
    own = conv.run_form(src, *args, 0.0, grad, theta0, STEPS)
    ref = conv.run_form(
        "pytorch", *conv.convert(*args, src=src, dst="pytorch"), grad, theta0, STEPS
    )
    return own, ref


SRC_ARGS = {
    "pytorch": (0.05, 0.9),
    "lr_outside": (0.05, 0.9),
    "lr_inside": (0.05, 0.9),
    "ema": (0.5, 0.9),
}


@pytest.mark.parametrize(
    ("dtype", "tol"), [(torch.float32, 1e-6), (torch.float64, 1e-12)], ids=["float32", "float64"]
)
@pytest.mark.parametrize(("src", "dst"), list(itertools.product(conv.FORMS, conv.FORMS)))
def test_converted_trajectories_match_torch_sgd(src, dst, dtype, tol):
    grad, theta0 = conv.make_problem(steps=STEPS, dtype=dtype)
    own, ref = _references(src, dtype)
    path = conv.run_form(dst, *conv.convert(*SRC_ARGS[src], src=src, dst=dst), grad, theta0, STEPS)
    assert path.dtype == dtype
    assert (path - ref).abs().max().item() <= tol
    assert (path - own).abs().max().item() <= tol


def test_converter_values_printed_on_the_page():
    assert conv.convert(0.1, 0.9, src="pytorch", dst="ema") == pytest.approx((1.0, 0.9, 0.0))
    assert conv.convert(1.0, 0.9, src="ema", dst="pytorch") == pytest.approx((0.1, 0.9, 0.0))
    assert conv.convert(0.1, 0.9, src="pytorch", dst="lr_inside") == (0.1, 0.9, 0.0)


def test_converter_round_trips():
    for src, dst in itertools.product(conv.FORMS, conv.FORMS):
        there = conv.convert(0.3, 0.8, src=src, dst=dst)
        back = conv.convert(*there, src=dst, dst=src)
        assert back == pytest.approx((0.3, 0.8, 0.0), rel=1e-15)


def test_converter_refuses_dampened_pytorch_and_bad_input():
    with pytest.raises(ValueError, match="dampening"):
        conv.convert(0.1, 0.9, dampening=0.9, src="pytorch", dst="ema")
    with pytest.raises(ValueError, match="dampening"):
        conv.convert(0.1, 0.9, dampening=0.5, src="ema", dst="pytorch")
    with pytest.raises(ValueError, match="momentum"):
        conv.convert(0.1, 1.0)
    with pytest.raises(ValueError, match="forms"):
        conv.convert(0.1, 0.9, src="keras")


def test_converter_ema_step_size_is_lr_times_one_minus_beta():
    lr, m, _ = conv.convert(0.7, 0.95, src="ema", dst="lr_outside")
    assert lr == pytest.approx(0.7 * (1 - 0.95))
    assert m == 0.95
