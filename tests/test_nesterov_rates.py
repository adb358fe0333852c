"""O(1/k) against O(1/k^2) with exact gradients; floors, not rates, with noisy ones."""

import numpy as np
import pytest
from conftest import load_script

rates = load_script("snippets/nesterov_rates.py")
noise = load_script("snippets/nesterov_noise.py")

GD, NES, CONST = rates.METHODS  # names, in order
K = np.arange(rates.STEPS + 1)


@pytest.fixture(scope="module")
def spread():
    return rates.measure(rates.SPREAD)


@pytest.fixture(scope="module")
def chain():
    return rates.measure(rates.CHAIN)


def test_chain_gradient_and_minimum_are_right():
    x = np.random.default_rng(0).standard_normal(7)
    eps, e = 1e-6, np.eye(7)
    numeric = [
        (rates.chain_f(x + eps * e[i]) - rates.chain_f(x - eps * e[i])) / (2 * eps)
        for i in range(7)
    ]
    np.testing.assert_allclose(rates.chain_grad(x.copy()), numeric, atol=1e-8)
    assert np.abs(rates.chain_grad(rates.CHAIN_X_STAR.copy())).max() < 1e-12
    assert rates.chain_f(rates.CHAIN_X_STAR) == pytest.approx(rates.CHAIN["f_star"], abs=1e-12)


def test_gradient_descent_is_1_over_k_on_the_spread_problem(spread):
    assert rates.fitted_slope(spread[GD]) == pytest.approx(-1.0, abs=0.05)
    kg = K[100:] * spread[GD][100:]  # k (f - f*) flat: 27.0 at k = 100, 27.1 at k = 2000
    assert kg.max() / kg.min() < 1.05


def test_nesterov_is_1_over_k_squared_on_the_spread_problem(spread):
    assert rates.fitted_slope(spread[NES]) == pytest.approx(-2.0, abs=0.1)
    k2g = K[1:] ** 2 * spread[NES][1:]
    assert k2g.max() < 210  # bounded (the page: below 210 in 2000 steps) ...
    assert K[-1] ** 2 * spread[GD][-1] > 200 * k2g.max()  # ... where gradient descent's grows


def test_constant_momentum_keeps_the_1_over_k_exponent(spread, chain):
    assert rates.fitted_slope(spread[CONST]) == pytest.approx(-1.0, abs=0.05)
    # a better constant: lr / (1 - mu) = 10 times the step of gradient descent
    assert spread[GD][-1] / spread[CONST][-1] == pytest.approx(10, rel=0.05)
    assert rates.fitted_slope(chain[CONST]) == pytest.approx(-0.5, abs=0.05)


def test_theorem_bounds_hold_on_both_problems(spread, chain):
    for gaps, r2 in (
        (spread, np.sum(rates.SPREAD["x0"] ** 2)),
        (chain, np.sum(rates.CHAIN_X_STAR**2)),
    ):
        assert np.all(gaps[GD][1:] <= r2 / (2 * K[1:]))  # L |x0 - x*|^2 / (2k), L = 1
        assert np.all(gaps[NES] <= 2 * r2 / (K + 1) ** 2)  # 2 L |x0 - x*|^2 / (k + 1)^2


def test_chain_exponents_are_halved_and_lower_bound_holds(chain):
    assert rates.fitted_slope(chain[GD]) == pytest.approx(-0.5, abs=0.05)
    assert rates.fitted_slope(chain[NES]) == pytest.approx(-1.0, abs=0.1)
    lower = rates.chain_lower_bound(K)
    for gap in chain.values():
        assert np.all(gap >= lower * (1 - 1e-9))
    assert np.all(chain[NES] < 4 * lower)  # Nesterov stays within a factor 4 of the bound (3.3)


# --- stochastic gradients -------------------------------------------------------------------


@pytest.fixture(scope="module")
def noisy():
    return {name: noise.run_noisy(lr, mom, noise.SIGMA) for name, lr, mom, _ in noise.RUNS}


def test_noise_floor_closed_form_agrees_with_lyapunov_solution():
    for lr in (0.1, 0.5, 1.0, 1.5):
        assert noise.noise_floor(lr, 0.0, noise.SIGMA) == pytest.approx(
            noise.gd_floor(lr, noise.SIGMA), rel=1e-10
        )


def test_measured_floors_match_prediction_within_5_percent(noisy):
    for name, lr, _, mu in noise.RUNS:
        if mu is not None:
            predicted = noise.noise_floor(lr, mu, noise.SIGMA)
            assert noisy[name][noise.TAIL].mean() == pytest.approx(predicted, rel=0.05), name


def test_noisy_curves_are_flat_exact_ones_keep_falling(noisy):
    for name, lr, mom, _ in noise.RUNS:
        assert abs(noise.tail_slope(noisy[name])) < 0.15, name
        exact = noise.run_noisy(lr, mom, 0.0, seeds=1)
        assert noise.tail_slope(exact) < -5, name
        assert exact[-1] < 1e-4 * noisy[name][noise.TAIL].mean(), name


def test_no_gain_from_acceleration_under_noise(noisy):
    gd, sched, same_lr, same_eff = (noisy[name][noise.TAIL].mean() for name, *_ in noise.RUNS)
    assert sched > 10 * gd  # the accelerated schedule settles higher than gradient descent
    assert same_lr > 3 * gd  # momentum at the same lr: lr/(1 - mu) = 10x larger, higher floor
    assert 0.6 < same_eff / gd < 1.0  # same effective lr: a floor within a factor of GD's
