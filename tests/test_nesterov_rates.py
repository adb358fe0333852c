"""O(1/k) against O(1/k^2) with exact gradients; floors, not rates, with noisy ones.

The runs are the recorded ones (snippets/nesterov/nesterov_rates.py,
snippets/nesterov/nesterov_noise.py); the tests set them against closed forms and against
computations that take another road: matrix powers instead of the update loop, impulse responses
instead of the Lyapunov solve."""

import itertools
import math

import numpy as np
import pytest
from conftest import load_script, recorded

rates = load_script("snippets/nesterov/nesterov_rates.py")
noise = load_script("snippets/nesterov/nesterov_noise.py")
eigen = load_script("snippets/nesterov/nesterov_eigen.py")

EPS = np.finfo(float).eps  # 2.2e-16
K = np.arange(rates.STEPS + 1)
N, R = len(rates.LAM), rates.LAM[-1] / rates.LAM[0]  # 2000 curvatures log-spaced over 1e8


def rates_run():
    return recorded("nesterov_rates").results


def noise_run():
    return recorded("nesterov_noise").results


def stderr(samples):
    """The standard error of the mean of independent samples (one per seed)."""
    samples = np.asarray(samples)
    return samples.std(ddof=1) / math.sqrt(len(samples))


# --- exact gradients: the spread problem, against closed forms ----------------------------------


def gd_spread_gaps(ks):
    """Gradient descent with lr 1 from x0 = 1: x_k = (1 - lam)^k, f = sum(lam x_k^2) / 2."""
    return np.array([0.5 * np.sum(rates.LAM * (1 - rates.LAM) ** (2 * k)) for k in ks])


def nesterov_spread_gaps(momentum, steps=rates.STEPS):
    """Nesterov on the spread problem as a product of 2x2 matrices, one per curvature, acting on
    (x, v): nesterov_eigen's matrices, not the update loop the script runs."""
    xv = np.stack([np.ones(N), np.zeros(N)], axis=1)[:, :, None]  # (N, 2, 1), from rest at 1
    gaps = [0.5 * np.sum(rates.LAM)]
    for k in range(steps):
        m = eigen.nesterov_matrix(1.0, momentum(k), rates.LAM)  # (2, 2, N)
        xv = np.moveaxis(m, -1, 0) @ xv
        gaps.append(0.5 * np.sum(rates.LAM * xv[:, 0, 0] ** 2))
    return np.array(gaps)


def test_chain_gradient_and_minimum_are_right():
    x = np.random.default_rng(0).standard_normal(7)
    eps, e = 1e-6, np.eye(7)
    numeric = [
        (rates.chain_f(x + eps * e[i]) - rates.chain_f(x - eps * e[i])) / (2 * eps)
        for i in range(7)
    ]
    # central differences: error eps^2 f''' / 6 (f is quadratic: 0) plus rounding f eps_64 / eps
    # (|f| ~ 1: 2e-10)
    np.testing.assert_allclose(rates.chain_grad(x.copy()), numeric, atol=1e-9)
    # at x*, every coordinate of the gradient is a sum of three terms of size <= 1: a few eps
    assert np.abs(rates.chain_grad(rates.CHAIN_X_STAR.copy())).max() < 10 * EPS
    # f(x*) sums 4001 squares of size <= 1: n eps
    assert rates.chain_f(rates.CHAIN_X_STAR) == pytest.approx(
        rates.CHAIN["f_star"], abs=rates.N_CHAIN * EPS
    )


def test_gradient_descent_is_1_over_k_on_the_spread_problem():
    spread = rates_run()["spread"]["gd"]
    exact = gd_spread_gaps((100, 2000))
    # the loop multiplies by (1 - lam) 2000 times: relative rounding <= 2000 eps = 4e-13 a term
    for k, gap in zip(("100", "2000"), exact, strict=True):
        assert spread["k_gap"][k] == pytest.approx(int(k) * gap, rel=1e-10)
    fit = rates.fitted_slope(gd_spread_gaps(K))
    assert spread["slope"] == pytest.approx(fit, abs=1e-10)  # the same fit of the same numbers
    # Asymptotically k (f - f*) -> (N - 1) / (4 ln R) (the sum over log-spaced lam as an
    # integral of e^(-2 k lam)), times (1 - 1/(2k)) from (1 - lam)^(2k) = e^(-2k lam - k lam^2)
    # and (1 - 2 k lam_min) from the lower end; the next terms are O(1/k^2) and O(h^2 / 12)
    # with h = ln R / (N - 1) = 0.009: below 1e-5.
    k = 2000
    asymptote = (N - 1) / (4 * math.log(R)) * (1 - 1 / (2 * k)) * (1 - 2 * k * rates.LAM[0])
    assert spread["k_gap"]["2000"] == pytest.approx(asymptote, rel=1e-4)
    # so the exponent over k = 30..2000 is -1 up to the 1/(2k) correction: at most
    # d ln(1 - 1/(2k)) / d ln k = 1/(2k - 1) at k = 30
    assert spread["slope"] == pytest.approx(-1.0, abs=1 / (2 * rates.FIT[0] - 1))


def test_nesterov_is_1_over_k_squared_on_the_spread_problem():
    spread = rates_run()["spread"]
    again = nesterov_spread_gaps(rates.nesterov_schedule)
    # two float64 evaluations of the same recursion, 2000 steps of a contraction: a few eps
    # per step at most, relative
    assert spread["schedule"]["slope"] == pytest.approx(rates.fitted_slope(again), abs=1e-9)
    assert spread["schedule"]["k2_gap"]["max"] == pytest.approx(
        np.max(K[1:] ** 2 * again[1:]), rel=1e-9
    )
    # which exponent: nearer -2 than -1 (the page says the schedule earns 1/k^2) ...
    assert abs(spread["schedule"]["slope"] + 2) < 0.5
    # ... with k^2 (f - f*) bounded (the bound test), where gradient descent's grows as k: from
    # k = 100 to 2000 by 20 (1 - 1/4000) / (1 - 1/200), the asymptote's corrections above, to
    # their next order (1e-4 relative)
    gd = spread["gd"]["k2_gap"]
    assert gd["2000"] / gd["100"] == pytest.approx(20 * (1 - 1 / 4000) / (1 - 1 / 200), rel=1e-3)


def test_constant_momentum_keeps_the_1_over_k_exponent():
    results = rates_run()
    spread, chain = results["spread"], results["chain"]
    again = nesterov_spread_gaps(rates.constant_09)
    for k in ("100", "2000"):  # the same recursion as products of matrices: a few eps a step
        assert spread["constant"]["k_gap"][k] == pytest.approx(int(k) * again[int(k)], rel=1e-9)
    # which exponent: gradient descent's, not the schedule's: nearer -1 than -2 on the spread
    # problem, and on the chain nearer gradient descent's -1/2 than twice it
    assert abs(spread["constant"]["slope"] + 1) < 0.5
    assert abs(chain["constant"]["slope"] - chain["gd"]["slope"]) < 0.5 * abs(chain["gd"]["slope"])
    # A better constant: in flat directions Nesterov with mu is gradient descent with
    # lr / (1 - mu) = 10, lagging mu / (1 - mu) = 9 steps behind: a relative 9 / k at k = 2000
    mu = rates.constant_09(0)
    assert results["constant_gain"] == pytest.approx(1 / (1 - mu), rel=mu / (1 - mu) / 2000)


def test_theorem_bounds_hold_on_both_problems():
    results = rates_run()
    for problem in ("spread", "chain"):
        # L |x0 - x*|^2 / (2k) for gradient descent, 2 L |x0 - x*|^2 / (k + 1)^2 for the
        # schedule, at every step: the largest ratio of gap to bound is at most 1
        assert results[problem]["gd_bound_ratio"] <= 1
        assert results[problem]["schedule_bound_ratio"] <= 1
        assert results[problem]["bounds_hold"] is True
    # and independently, on the spread problem, from the matrix products
    again = nesterov_spread_gaps(rates.nesterov_schedule)
    assert np.all(again <= 2 * N / (K + 1) ** 2)


def test_chain_lower_bound_is_the_best_point_in_the_first_k_coordinates():
    # From 0, k gradient steps reach x_1..x_k only (each step reaches one more coordinate) ...
    x = np.zeros(rates.N_CHAIN)
    for k in range(1, 11):
        x = x - rates.chain_grad(x.copy())
        assert np.all(x[k:] == 0) and x[k - 1] != 0
    # ... and the best f there, minimised over x_1..x_k by a linear solve, is the bound
    for k in (1, 5, 50, 400):
        a = (np.diag(np.full(k, 2.0)) - np.eye(k, k=1) - np.eye(k, k=-1)) / 4  # Hessian, L = 1
        b = np.zeros(k)
        b[0] = 0.25
        xk = np.zeros(rates.N_CHAIN)
        xk[:k] = np.linalg.solve(a, b)
        # f near -1/8 from sums of k + 1 terms: rounding k eps
        assert rates.chain_f(xk) - rates.CHAIN["f_star"] == pytest.approx(
            rates.chain_lower_bound(k), rel=1e-9, abs=(k + 1) * EPS
        )


def test_chain_exponents_are_halved_and_lower_bound_holds():
    chain = rates_run()["chain"]
    # neither shows its headline exponent, but Nesterov's is about twice gradient descent's:
    # nearer 2 than 1 or 3
    assert abs(chain["schedule"]["slope"] / chain["gd"]["slope"] - 2) < 0.5
    # No method beats the lower bound. f - f* near the end is ~1e-4 of |f*| = 1/8, computed
    # from sums of 4001 terms: rounding 4001 eps / 8 = 1e-13 absolute, 1e-9 of the gap.
    for method in ("gd", "schedule", "constant"):
        assert chain["lower_bound_ratio"][method]["min"] >= 1 - 1e-9


# --- stochastic gradients -----------------------------------------------------------------------


def impulse_floor(lr, mu, lam, sigma=1.0, lookahead=False):
    """The stationary mean f as the summed squares of the response to one noisy gradient.

    One noisy step from rest puts b = (x, v) = (-lr sigma, -lr sigma); noiseless steps then
    apply the update's matrix M (its columns: the update rule applied to (1, 0) and (0, 1)).
    Each step adds an independent kick, so the covariance of (x, v) is S = sum_k M^k b b^T M^kT,
    summed by doubling (S <- S + A S A^T, A <- A^2: 2^64 steps). Not noise_floor's linear solve."""
    lam = np.atleast_1d(np.asarray(lam, dtype=float))

    def step(x, v, noise=0.0):  # Sutskever's update in one direction, gradient lam x + noise
        v = mu * v - lr * (lam * (x + mu * v) + noise)
        return np.stack([x + v, v], axis=-1)

    zero, one = np.zeros_like(lam), np.ones_like(lam)
    a = np.stack([step(one, zero), step(zero, one)], axis=-1)  # (n, 2, 2), columns
    b = step(zero, zero, sigma)[..., None]  # (n, 2, 1)
    s = b @ b.transpose(0, 2, 1)
    for _ in range(64):
        s = s + a @ s @ a.transpose(0, 2, 1)
        a = a @ a
    e = np.array([1.0, mu if lookahead else 0.0])  # f at theta, or at theta + mu v
    return 0.5 * np.sum(lam * np.einsum("i,nij,j->n", e, s, e))


# Each doubling rounds the partial sum by a few eps relative: 64 levels, ~1e-13. The 4 x 4
# Lyapunov solve has condition ~ 1 / (1 - rho^2) <= 1e3 (slowest root 1 - 1e-3): ~1e-13. So 1e-10
# between the two roads.
ROADS = 1e-10


def test_noise_floor_closed_form_agrees_with_lyapunov_solution():
    for lr in (0.1, 0.5, 1.0, 1.5):
        assert noise.noise_floor(lr, 0.0, noise.SIGMA) == pytest.approx(
            noise.gd_floor(lr, noise.SIGMA), rel=ROADS
        )
    for lr, mu in ((1.0, 0.9), (0.1, 0.9), (0.3, 0.5)):
        for lookahead in (False, True):
            assert noise.noise_floor(lr, mu, noise.SIGMA, lookahead=lookahead) == pytest.approx(
                impulse_floor(lr, mu, noise.LAM, noise.SIGMA, lookahead), rel=ROADS
            )


def test_measured_floors_match_prediction_within_5_percent():
    run = noise_run()
    predicted = {
        "gd": noise.gd_floor(1.0, noise.SIGMA),  # closed form
        "same_lr": impulse_floor(1.0, 0.9, noise.LAM, noise.SIGMA),
        "same_eff": impulse_floor(0.1, 0.9, noise.LAM, noise.SIGMA),
    }
    for key, floor in predicted.items():
        assert run["predicted"][key] == pytest.approx(floor, rel=ROADS), key
        # 20 independent seeds: the measured floor is their mean, its standard error their
        # spread / sqrt(20); 5 standard errors (and well within the 5 % of the name)
        measured, se = run["floors"][key], stderr(run["seed_floors"][key])
        assert abs(measured - floor) < 5 * se, key
        assert measured == pytest.approx(floor, rel=0.05), key
    assert run["floors_match"] is True  # to the three digits the page shows


def test_noisy_curves_are_flat_exact_ones_keep_falling():
    run = noise_run()
    for key, slope in run["slopes"].items():
        # flat: the fitted slope of the mean curve is within 5 standard errors of 0, the
        # standard error from the 20 seeds' own tail slopes
        assert abs(slope) < 5 * stderr(run["seed_slopes"][key]), key
        # the exact curve has fallen below what the noisy floor can resolve: the noise, not
        # the start, makes the floor
        assert run["exact"][key] < stderr(run["seed_floors"][key]), key
    # gradient descent's exact curve in closed form: (1 - lam)^(2 k) from x0 = 10
    exact_gd = 0.5 * np.sum(noise.LAM * (noise.X0 * (1 - noise.LAM) ** noise.STEPS) ** 2)
    # 2000 steps of x - lam x, one rounding each: 2000 eps on x, twice that on x^2
    assert run["exact"]["gd"] == pytest.approx(exact_gd, rel=4 * noise.STEPS * EPS)


def test_no_gain_from_acceleration_under_noise():
    run = noise_run()
    floors, se = run["floors"], {k: stderr(s) for k, s in run["seed_floors"].items()}

    def apart(a, b):  # a above b by more than 5 standard errors of the difference
        return floors[a] - floors[b] > 5 * math.hypot(se[a], se[b])

    assert apart("schedule", "gd")  # the accelerated schedule settles higher ...
    assert apart("same_lr", "gd")  # ... and so does momentum at the same lr (lr/(1-mu) = 10x)
    assert apart("gd", "same_eff")  # at the same effective lr: a little below
    # that fraction is the spectrum's (test below); measured, within 5 standard errors
    ratio_se = run["over_gd"]["same_eff"] * math.hypot(
        se["same_eff"] / floors["same_eff"], se["gd"] / floors["gd"]
    )
    assert abs(run["over_gd"]["same_eff"] - run["spectrum_ratio"]["page"]) < 5 * ratio_se


def test_floor_ratio_vanishes_in_flat_directions_and_depends_on_the_spectrum():
    run = noise_run()
    for a, ratio in zip(run["a"], run["direction_ratio"], strict=True):
        # Nesterov (lr 0.1, mu 0.9) over SGD (lr 1) in one direction of curvature a
        expected = impulse_floor(0.1, 0.9, a) / noise.gd_floor(1.0, 1.0, np.array([a]))
        assert ratio == pytest.approx(expected, rel=ROADS), a
    ratios = run["direction_ratio"]
    assert all(r1 > r2 for r1, r2 in itertools.pairwise(ratios))  # the gain grows with a ...
    # ... and vanishes in flat directions: 1 - ratio shrinks in proportion to a (to first
    # order; a = 0.01 -> 0.001 is a factor 10, so within 10 % of it, the second-order term
    # being O(a) relative)
    assert (1 - ratios[1]) / (1 - ratios[0]) == pytest.approx(10, rel=0.1)
    # as the FAQ's variance formula has it for heavy ball, (2 - a) / (2 - a (1-g)/(1+g)):
    # 0.9995 at a = 0.001, the same vanishing gain
    g = 0.9
    assert (2 - 0.001) / (2 - 0.001 * (1 - g) / (1 + g)) == pytest.approx(0.9995, abs=5e-5)
    for name, lam in (("page", noise.LAM), ("flatter", noise.LAM / 10)):
        expected = impulse_floor(0.1, 0.9, lam) / noise.gd_floor(1.0, 1.0, lam)
        assert run["spectrum_ratio"][name] == pytest.approx(expected, rel=ROADS), name
    assert run["spectrum_ratio"]["flatter"] > run["spectrum_ratio"]["page"]


def test_the_tensor_torch_holds_sits_on_the_lookahead_floor():
    batch_1 = noise_run()["batch_1"]
    sigma = noise.SIGMA_1
    for point, lookahead in (("theta", False), ("p", True)):
        predicted = impulse_floor(0.1, 0.9, noise.LAM, sigma, lookahead)
        assert batch_1[f"{point}_predicted"] == pytest.approx(predicted, rel=ROADS), point
        seeds = batch_1[f"{point}_seeds"]
        assert batch_1[f"{point}_measured"] == pytest.approx(np.mean(seeds), rel=4 * EPS)
        assert abs(np.mean(seeds) - predicted) < 5 * stderr(seeds), point  # 5 standard errors
    # PyTorch's run, mapped back to theta = p + mu lr b, is Sutskever's run with the same noise:
    # two float64 evaluations of one contracting recursion (slowest root 0.99) differ by about
    # eps / (1 - 0.99) = 2e-14 relative
    sutskever = noise.run_noisy(0.1, lambda k: 0.9, sigma)[noise.TAIL].mean(axis=0)
    np.testing.assert_allclose(batch_1["theta_seeds"], sutskever, rtol=1e-10)
    # the tensor sits higher than theta: the excess measured seed by seed, against the
    # predicted one, within 5 standard errors
    excess = np.array(batch_1["p_seeds"]) / np.array(batch_1["theta_seeds"]) - 1
    assert batch_1["p_excess"] > 0
    assert abs(excess.mean() - batch_1["p_excess"]) < 5 * stderr(excess)
    assert batch_1["p_ratio_sgd"] == pytest.approx(
        batch_1["p_predicted"] / noise.gd_floor(1.0, sigma), rel=4 * EPS
    )
