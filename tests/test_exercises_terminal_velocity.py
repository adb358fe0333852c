"""The answers of the exercises on docs/terminal_velocity/: each solution's script computes
what its question asks (the format of every exercise and the list: tests/test_exercises.py).

The numbers the solutions quote are read from the scripts' recorded runs and compared with closed
forms; the scripts' functions run on other inputs.
"""

import math

import numpy as np
import pytest
from conftest import load_script, recorded, snippet

EPS = float(np.finfo(np.float64).eps)  # 2.2e-16


def script(name):
    return load_script(snippet(f"exercise_{name}"))


def test_terminal_velocity_1_a_pulse_travels_one_over_one_minus_gamma_times_as_far():
    r = recorded("exercise_terminal_velocity_1").results
    lr, gamma, pulse = 0.1, 0.9, 10  # the script's settings
    # closed forms: the velocity after k pulse steps is lr (1 - gamma^k) / (1 - gamma); the
    # pulse's steps sum to lr (pulse - gamma (1 - gamma^pulse) / (1 - gamma)) / (1 - gamma); the
    # total is pulse * lr / (1 - gamma) (the tail after 400 steps, gamma^390 = 1e-18, aside)
    during = lr * (pulse - gamma * (1 - gamma**pulse) / (1 - gamma)) / (1 - gamma)
    total = pulse * lr / (1 - gamma)
    tol = 400 * 10 * EPS  # 400 steps summed, each below 1, sums below 10
    assert r["largest_step"] == pytest.approx(lr * (1 - gamma**pulse) / (1 - gamma), abs=tol)
    assert r["during_pulse"] == pytest.approx(during, abs=tol)
    assert r["after_pulse"] == pytest.approx(total - during, abs=tol)
    assert r["total"] == pytest.approx(total, abs=tol)
    assert r["ratio"] == pytest.approx(1 / (1 - gamma), abs=tol)
    # other inputs: a 25-step pulse with gamma 0.8
    ex = script("terminal_velocity_1")
    plain, mom = ex.steps_taken(0.0, pulse=25), ex.steps_taken(0.8, pulse=25)
    assert mom.sum() / plain.sum() == pytest.approx(1 / (1 - 0.8), abs=400 * 5 * EPS)


def test_terminal_velocity_2_buffer_lags_gamma_over_one_minus_gamma_steps():
    r = recorded("exercise_terminal_velocity_2").results
    # the delay and the weights' mean age both equal gamma / (1 - gamma); what is left after
    # 5000 steps (gamma^5000) and 200,000 terms is below 1e-21. The buffer b (at most
    # c * 5000 / (1 - gamma) = 5000, c = 0.01) is off by at most |b| EPS / (1 - gamma), which the
    # delay (c (N - 1) - (1 - gamma) b) / c turns into |b| EPS / c = 1.1e-10 steps, on delays of
    # at least 1: below 1e-9. The mean age sums 200,000 terms below 1: 200,000 * EPS
    for i, gamma in enumerate((0.5, 0.9, 0.99)):
        lag = gamma / (1 - gamma)
        assert r["delay"][i] == pytest.approx(lag, rel=1e-9)
        assert r["mean_age"][i] == pytest.approx(lag, rel=200_000 * EPS)
    assert r["relative_error"] < 1e-9 and r["to_1e-9"]
    ex = script("terminal_velocity_2")  # other inputs: gamma 0.7 and 0.95, c = 0.3
    for gamma in (0.7, 0.95):
        assert ex.delay(gamma, c=0.3, steps=2000) == pytest.approx(gamma / (1 - gamma), rel=1e-9)


def test_terminal_velocity_3_period_four_gain_and_unit_gain_period():
    r = recorded("exercise_terminal_velocity_3").results
    for gamma, measured, period in zip(
        r["gammas"], r["period_4_gain"], r["unit_gain_period"], strict=True
    ):
        # 2000 periods of 4 steps: gamma^8000 of the start-up is left; the buffer rounds values
        # below 1 / (1 - gamma) each step
        assert measured == pytest.approx(1 / math.sqrt(1 + gamma**2), rel=1e-9)
        assert measured < 1  # period 4 is damped for every gamma
        # the gain at 2 pi / period is exactly 1: cos(omega) = gamma / 2
        omega = 2 * math.pi / period
        assert math.cos(omega) == pytest.approx(gamma / 2, abs=4 * EPS)
        assert 4 < period < 6  # period 6 or slower: always amplified
    ex = script("terminal_velocity_3")  # other inputs: gamma 0.7, and a period of 8 steps
    omega = 2 * math.pi / ex.unit_gain_period(0.7)
    assert ex.gain(0.7, omega) == pytest.approx(1.0, rel=4 * EPS)
    assert ex.gain(0.7, 0.99 * omega) > 1 > ex.gain(0.7, 1.01 * omega)
    # 4000 steps leave 0.7^4000 of the start-up; rounding of values below 1 / (1 - 0.7)
    measured = ex.measured_gain(0.7, 8, periods=500)
    assert measured == pytest.approx(ex.gain(0.7, math.pi / 4), rel=1e-9)
