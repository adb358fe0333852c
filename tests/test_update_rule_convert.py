"""The convention converter of docs/update_rule/, checked against torch.optim.SGD.

The largest gap over the page's 16 pairs is read from the script's recorded run; the tests run the
converter on another problem and other settings.
"""

import functools
import itertools

import numpy as np
import pytest
import torch
from conftest import load_script, printed, recorded

conv = load_script("snippets/update_rule/update_rule_convert.py")

STEPS = 200  # the page's run: 200 steps
# Rounding only: the forms round in different places, each rounding of |theta| < 4 (2.84 at
# most on these problems) is at most 4 * eps, and a contracting iteration keeps the sum of the
# differences within a few such roundings: four for float32 (4 * 4 * 1.2e-7 = 1.9e-6 rounded
# down to the page's 1e-6, which is 4 ulps of numbers in [2, 4)), and for float64 the page's
# 1e-12, far above 200 * 4 * 2.2e-16 = 1.8e-13.
TOLERANCE = {torch.float32: 1e-6, torch.float64: 1e-12}


def test_the_recorded_gaps_are_within_the_tolerance():
    r = recorded("update_rule_convert").results
    assert 0 < r["max_gap_float32"] <= TOLERANCE[torch.float32]
    assert r["max_gap_float64"] <= TOLERANCE[torch.float64]
    assert r["within_tolerance"]
    # float32 really was float32: its gap is at least one float32 rounding of theta's size,
    # far above any float64 rounding
    assert r["max_gap_float32"] >= float(np.finfo(np.float32).eps) / 2


@functools.cache
def _references(src, dtype):
    """src run as its own formula, and torch.optim.SGD run with the converted settings, on a
    problem and with settings the script's demo never used."""
    grad, theta0 = conv.make_problem(steps=STEPS, seed=1, dim=3, dtype=dtype)
    args = SRC_ARGS[src]
    own = conv.run_form(src, *args, 0.0, grad, theta0, STEPS)
    ref = conv.run_form(
        "pytorch", *conv.convert(*args, src=src, dst="pytorch"), grad, theta0, STEPS
    )
    return own, ref


SRC_ARGS = {
    "pytorch": (0.08, 0.8),
    "lr_outside": (0.08, 0.8),
    "lr_inside": (0.08, 0.8),
    "ema": (0.4, 0.8),
}


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64], ids=["float32", "float64"])
@pytest.mark.parametrize(("src", "dst"), list(itertools.product(conv.FORMS, conv.FORMS)))
def test_converted_trajectories_match_torch_sgd(src, dst, dtype):
    grad, theta0 = conv.make_problem(steps=STEPS, seed=1, dim=3, dtype=dtype)
    own, ref = _references(src, dtype)
    path = conv.run_form(dst, *conv.convert(*SRC_ARGS[src], src=src, dst=dst), grad, theta0, STEPS)
    assert path.dtype == dtype
    assert path.abs().max().item() < 4  # the size the tolerance assumes
    assert (path - ref).abs().max().item() <= TOLERANCE[dtype]
    assert (path - own).abs().max().item() <= TOLERANCE[dtype]


def test_converter_values_printed_on_the_page():
    # the printed settings against the rule itself: an EMA's lr is PyTorch's lr / (1 - momentum)
    out = printed("update_rule_convert")
    assert f"ema         lr={round(0.1 / (1 - 0.9), 12)}  momentum=0.9" in out
    assert "an EMA recipe lr=1.0, beta=0.9 in torch.optim.SGD: lr=0.1  momentum=0.9" in out
    assert "lr_inside   lr=0.1  momentum=0.9" in out


def test_converter_round_trips():
    for src, dst in itertools.product(conv.FORMS, conv.FORMS):
        there = conv.convert(0.3, 0.8, src=src, dst=dst)
        back = conv.convert(*there, src=dst, dst=src)
        # there and back: at most a multiplication and a division by 1 - momentum, each
        # rounded to 2.2e-16 relative, plus the rounding of 1 - momentum: 1e-15 covers four
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
    assert lr == pytest.approx(0.7 * (1 - 0.95), rel=1e-15)  # the same two roundings at most
    assert m == 0.95
