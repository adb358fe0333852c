"""Claims of docs/terminal_velocity.md: the limit, its speed, the effective lr, EMA, the filter."""

import math

import numpy as np
import pytest
from conftest import load_script

lim = load_script("snippets/terminal_velocity_limit.py")
speed = load_script("snippets/terminal_velocity_speed.py")
eff = load_script("snippets/terminal_velocity_effective_lr.py")
ema = load_script("snippets/terminal_velocity_ema.py")
filt = load_script("snippets/terminal_velocity_filter.py")


# --- the limit ----------------------------------------------------------------------------


@pytest.mark.parametrize("gamma", [0.5, 0.9, 0.99])
def test_velocity_after_many_steps_equals_lr_g_over_one_minus_gamma_to_1e_6(gamma):
    lr, g = 0.1, 1.0
    v = lim.velocities(lr, gamma, g, 5000)[-1]
    assert abs(v - lr * g / (1 - gamma)) < 1e-6
    assert abs(lim.torch_step_after(lr, gamma, g, 5000) - lr * g / (1 - gamma)) < 1e-6


@pytest.mark.parametrize("gamma", [0.5, 0.9, 0.99])
def test_every_velocity_is_the_geometric_partial_sum(gamma):
    v = lim.velocities(0.1, gamma, -3.0, 300)
    for k in (0, 1, 2, 10, 300):
        assert v[k] == pytest.approx(lim.partial_sum(0.1, gamma, -3.0, k), rel=1e-12, abs=1e-15)


def test_amplification_table_2x_10x_100x():
    factors = [lim.limit(1.0, gamma, 1.0) for gamma in lim.GAMMAS]
    assert factors == pytest.approx([2.0, 10.0, 100.0], rel=1e-12)
    # The iteration itself: after 5000 steps the velocity is 2x, 10x, 100x the plain step lr g.
    lr, g = 0.1, 3.0
    ran = [lim.velocities(lr, gamma, g, 5000)[-1] / (lr * g) for gamma in lim.GAMMAS]
    assert ran == pytest.approx([2.0, 10.0, 100.0], rel=1e-9)
    torch_ran = [lim.torch_step_after(lr, gamma, g, 5000) / (lr * g) for gamma in lim.GAMMAS]
    assert torch_ran == pytest.approx([2.0, 10.0, 100.0], rel=1e-9)


# --- how fast -----------------------------------------------------------------------------


def test_steps_to_90_percent_table():
    expected = {0.5: 4, 0.9: 22, 0.95: 45, 0.99: 230, 0.999: 2302}
    for gamma, k in expected.items():
        assert speed.steps_to_fraction(gamma, 0.9) == k
        assert speed.simulated_steps(gamma, 0.9) == k
        assert 1 - gamma**k >= 0.9 > 1 - gamma ** (k - 1)


def test_half_life_table():
    expected = {0.5: 1.00, 0.9: 6.58, 0.95: 13.51, 0.99: 68.97, 0.999: 692.80}
    for gamma, h in expected.items():
        assert round(speed.half_life(gamma), 2) == h
        assert gamma ** speed.half_life(gamma) == pytest.approx(0.5, rel=1e-12)
        assert speed.simulated_steps(gamma, 0.5) == math.ceil(speed.half_life(gamma) - 1e-12)


def test_ln10_over_one_minus_gamma_is_the_large_gamma_estimate():
    for gamma in (0.99, 0.999):
        k = speed.steps_to_fraction(gamma, 0.9)
        assert k == pytest.approx(math.log(10) / (1 - gamma), rel=0.01)


# --- effective learning rate --------------------------------------------------------------


@pytest.fixture(scope="module")
def eff_rows():
    return {r["gamma"]: r for r in eff.table()}


def test_same_effective_lr_same_long_run_progress(eff_rows):
    gd = (1 - eff.EFFECTIVE_LR * eff.FLAT) ** eff.STEPS
    assert gd == pytest.approx(0.2230, abs=5e-5)
    for r in eff_rows.values():
        assert r["flat_end"] / gd == pytest.approx(1.0, abs=0.03)  # the page: 0.974 to 1.000
        assert r["flat_rate"] == pytest.approx(1 - eff.EFFECTIVE_LR * eff.FLAT, abs=5e-5)


def test_same_effective_lr_different_transient(eff_rows):
    overshoot = [eff_rows[g]["overshoot"] for g in eff.GAMMAS]
    settle = [eff_rows[g]["settle"] for g in eff.GAMMAS]
    assert overshoot[0] == 0.0
    assert overshoot == sorted(overshoot)
    assert overshoot[-1] > 0.75
    assert settle == sorted(settle)
    assert settle[-1] > 100 * settle[0]
    for g in eff.GAMMAS[1:]:  # complex roots: |r| = sqrt(gamma) in the steep direction
        assert eff_rows[g]["steep_rate"] == pytest.approx(math.sqrt(g), rel=1e-9)


@pytest.mark.parametrize("gamma", eff.GAMMAS[1:])
def test_rate_is_sqrt_gamma_only_inside_the_complex_band(gamma):
    lo, hi = eff.complex_band(gamma)
    lr = eff.EFFECTIVE_LR * (1 - gamma)
    assert lo < lr * eff.STEEP < hi  # the page's three settings are all inside
    for lr_h in np.linspace(lo, hi, 52)[1:-1]:  # inside: sqrt(gamma) whatever lr is
        assert max(abs(eff.roots(lr_h, gamma, 1.0))) == pytest.approx(math.sqrt(gamma), rel=1e-9)
    for lr_h in (0.5 * lo, 0.5 * (hi + 2 * (1 + gamma))):  # outside: real roots, a larger rate
        assert max(abs(eff.roots(lr_h, gamma, 1.0))) > math.sqrt(gamma) + 1e-6


@pytest.mark.parametrize("gamma", eff.GAMMAS)
def test_stability_limit_two_plus_two_gamma(gamma):
    lr = eff.EFFECTIVE_LR * (1 - gamma)
    h_max = eff.stability_limit(lr, gamma)
    # Independently: bisect for the curvature where heavy ball's 2x2 matrix reaches radius 1.
    lo, hi = 1e-9, 10 * h_max
    for _ in range(200):
        mid = 0.5 * (lo + hi)
        rho = max(abs(np.linalg.eigvals([[1 - lr * mid, gamma], [-lr * mid, gamma]])))
        lo, hi = (mid, hi) if rho < 1 else (lo, mid)
    assert h_max == pytest.approx(lo, rel=1e-6)
    assert lr * lo == pytest.approx(2 + 2 * gamma, rel=1e-6)  # the page's lr h < 2 + 2 gamma
    assert max(abs(eff.roots(lr, gamma, 0.97 * h_max))) < 1
    assert max(abs(eff.roots(lr, gamma, 1.03 * h_max))) > 1
    steps = 20000 if gamma == 0.99 else 3000
    inside = eff.heavy_ball_path(lr, gamma, 0.97 * h_max, steps)
    assert abs(inside[-1]) < 1e-3
    outside = eff.heavy_ball_path(lr, gamma, 1.03 * h_max, steps)
    assert not abs(outside[-1]) < 1e3  # grows without bound (may overflow to inf or nan)


def test_stability_limits_printed(eff_rows):
    assert [round(eff_rows[g]["h_max"]) for g in eff.GAMMAS] == [4, 12, 76, 796]


# --- moving average -----------------------------------------------------------------------


def test_ema_limit_is_g_and_sum_limit_is_g_over_one_minus_beta():
    hist_sum = ema.buffer_history("sum", 0.9, 400, g=2.0)
    hist_ema = ema.buffer_history("ema", 0.9, 400, g=2.0)
    hist_torch = ema.buffer_history("torch_ema", 0.9, 400, g=2.0)
    assert hist_sum[-1] == pytest.approx(2.0 / (1 - 0.9), rel=1e-12)
    assert hist_ema[-1] == pytest.approx(2.0, rel=1e-12)
    assert hist_torch == pytest.approx([2.0] * 400, rel=1e-15)  # no warm-up at all
    assert hist_ema[0] == pytest.approx(0.2)


def test_ema_needs_lr_over_one_minus_beta_for_the_same_run():
    ref = ema.quadratic_run("sum", 0.1, 0.9)
    same = ema.quadratic_run("ema", 1.0, 0.9)
    naive = ema.quadratic_run("ema", 0.1, 0.9)
    assert (same - ref).abs().max() < 1e-12
    assert naive[-1].norm() > 2.8e5 * ref[-1].norm()  # the page: more than 280,000 times


# --- the filter ---------------------------------------------------------------------------


@pytest.mark.parametrize("gamma", [0.5, 0.9, 0.99])
def test_alternating_gradient_settles_at_one_over_one_plus_gamma(gamma):
    assert filt.measured_gain(gamma, math.pi) == pytest.approx(1 / (1 + gamma), rel=1e-9)
    assert filt.gain(gamma, math.pi) == pytest.approx(1 / (1 + gamma), rel=1e-12)
    # the real sequence (-1)^k: |v_k| tends to lr / (1 + gamma)
    v = 0.0
    for k in range(5000):
        v = gamma * v + 0.1 * (-1) ** k
    assert abs(v) == pytest.approx(0.1 / (1 + gamma), rel=1e-9)


@pytest.mark.parametrize("gamma", [0.5, 0.9, 0.99])
def test_noise_variance_of_velocity_is_lr2_sigma2_over_one_minus_gamma2(gamma):
    exact = filt.velocity_variance_exact(gamma)
    # independently: the series lr^2 (1 + gamma^2 + gamma^4 + ...), summed term by term
    assert exact == pytest.approx(sum(0.01 * gamma ** (2 * j) for j in range(5000)), rel=1e-12)
    # closed form for finite N: the sum of the squared impulse response lr^2 gamma^(2j)
    assert filt.velocity_variance_exact(gamma, steps=1500) == pytest.approx(
        sum(0.01 * gamma ** (2 * j) for j in range(1500)), rel=1e-12
    )
    # Monte Carlo, 20,000 chains: standard error of the ratio is sqrt(2 / 19999) = 1 %,
    # so 5 % is five standard errors
    mc = filt.velocity_variance_mc(gamma)
    assert mc / exact == pytest.approx(1.0, abs=0.05)


@pytest.mark.parametrize("gamma", [0.5, 0.9, 0.99])
def test_parseval_mean_squared_gain_is_the_noise_factor(gamma):
    assert filt.mean_squared_gain(gamma) == pytest.approx(1 / (1 - gamma**2), rel=1e-6)


@pytest.mark.parametrize("omega", np.linspace(0.0, math.pi, 9).tolist())
def test_gain_formula_matches_running_the_recursion(omega):
    assert filt.measured_gain(0.9, omega) == pytest.approx(filt.gain(0.9, omega), rel=1e-9)


def test_gain_endpoints():
    for gamma in (0.5, 0.9, 0.99):
        assert filt.gain(gamma, 0.0) == pytest.approx(1 / (1 - gamma), rel=1e-12)
    assert filt.gain(0.9, math.pi / 2) == pytest.approx(1 / math.sqrt(1 + 0.81), rel=1e-12)


@pytest.mark.parametrize("gamma", [0.5, 0.9, 0.99])
def test_slow_components_keep_most_of_the_gain(gamma):
    for omega in np.linspace(0.0, 1 - gamma, 11):
        assert filt.gain(gamma, omega) >= 0.7 / (1 - gamma)
