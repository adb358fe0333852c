"""Every closed form on the quadratic page, checked numerically."""

import math

import numpy as np
import pytest
from conftest import load_script

eb = load_script("snippets/quadratic_eigenbasis.py")
rm = load_script("snippets/quadratic_rate_map.py")
dm = load_script("snippets/quadratic_damping.py")
op = load_script("snippets/quadratic_optimal.py")


def test_heavy_ball_splits_into_2x2_recurrences_to_1e_12():
    lams = np.array([0.01, 0.1, 1.0, 7.0, 7.4])
    A, Q = eb.random_quadratic(lams)
    alpha, beta, steps = 0.4, 0.5, 100
    theta0 = np.random.default_rng(1).standard_normal(5)
    x = eb.heavy_ball(A, theta0, alpha, beta, steps) @ Q
    for i, lam in enumerate(lams):
        T, state, rec = eb.iteration_matrix(alpha, beta, lam), np.array([x[0, i]] * 2), [x[0, i]]
        for _ in range(steps):
            state = T @ state
            rec.append(state[0])
        np.testing.assert_allclose(x[:, i], rec, rtol=0, atol=1e-12)


def test_spectral_radius_closed_form_matches_eigenvalues():
    rng = np.random.default_rng(0)
    for alpha, beta, lam in zip(
        rng.uniform(0, 5, 3000), rng.uniform(0, 0.999, 3000), rng.uniform(0, 2, 3000), strict=True
    ):
        by_eig = np.abs(np.linalg.eigvals(eb.iteration_matrix(alpha, beta, lam))).max()
        assert eb.spectral_radius(alpha, beta, lam) == pytest.approx(by_eig, abs=1e-7)
        assert rm.spectral_radius(alpha, beta, lam) == pytest.approx(by_eig, abs=1e-7)


@pytest.mark.parametrize("beta", [0.0, 0.3, 0.5, 0.9, 0.99])
def test_stability_boundary_on_both_sides(beta):
    edge = 2 + 2 * beta  # upper edge: alpha lambda = 2 + 2 beta
    assert eb.spectral_radius(edge * (1 - 1e-6), beta, 1.0) < 1
    assert eb.spectral_radius(edge * (1 + 1e-6), beta, 1.0) > 1
    assert eb.spectral_radius(1e-6, beta, 1.0) < 1  # lower edge: alpha lambda = 0
    assert eb.spectral_radius(-1e-6, beta, 1.0) > 1
    hs = np.linspace(1e-3, edge - 1e-3, 400)  # and stable everywhere in between
    assert max(eb.spectral_radius(h, beta, 1.0) for h in hs) < 1


def test_printed_eigenbasis_example():
    assert eb.spectral_radius(0.4, 0.5, 7.5 - 1e-6) < 1 < eb.spectral_radius(0.4, 0.5, 7.5 + 1e-6)
    assert eb.spectral_radius(0.4, 0.5, 8.0) == pytest.approx(1.321699, abs=1e-6)
    assert eb.spectral_radius(0.4, 0.5, 1.0) == pytest.approx(math.sqrt(0.5))


def test_worst_rate_over_the_interval_is_at_an_end():
    rng = np.random.default_rng(1)
    lams = np.linspace(rm.MU, rm.L, 2001)
    for alpha, beta in zip(rng.uniform(0, 4.2, 300), rng.uniform(0, 0.999, 300), strict=True):
        assert (
            rm.spectral_radius(alpha, beta, lams).max() <= rm.rate(alpha, beta, rm.MU, rm.L) + 1e-12
        )


@pytest.mark.parametrize("kappa", [10, 100, 1000])
def test_optimal_momentum_parameters_and_rate(kappa):
    mu, L = 1 / kappa, 1.0
    alpha, beta = rm.optimal(mu, L)
    assert alpha == pytest.approx((2 / (math.sqrt(L) + math.sqrt(mu))) ** 2)
    # both ends critically damped: double roots at lambda = mu and lambda = L
    assert alpha * mu == pytest.approx((1 - math.sqrt(beta)) ** 2)
    assert alpha * L == pytest.approx((1 + math.sqrt(beta)) ** 2)
    rho_star = (math.sqrt(kappa) - 1) / (math.sqrt(kappa) + 1)
    assert rm.rate(alpha, beta, mu, L) == pytest.approx(rho_star, abs=1e-7)
    assert op.optimal_momentum(mu, L)[2] == pytest.approx(rho_star)
    # nothing on a fine grid beats it
    A, B = np.meshgrid(np.linspace(0.001, 4.2, 800) / L, np.linspace(0, 0.999, 800))
    assert rm.rate(A, B, mu, L).min() >= rho_star - 1e-6


@pytest.mark.parametrize("kappa", [10, 100, 1000])
def test_optimal_gradient_descent_rate(kappa):
    mu, L = 1 / kappa, 1.0
    alpha, rho = op.optimal_gd(mu, L)
    assert rho == pytest.approx((kappa - 1) / (kappa + 1))
    assert rm.rate(alpha, 0.0, mu, L) == pytest.approx(rho, abs=1e-12)
    alphas = np.linspace(0.001, 2.5, 20001)
    assert rm.rate(alphas, 0.0, mu, L).min() >= rho - 1e-9


def test_rate_map_printed_rows():
    assert rm.rate(2 / 1.01, 0.0, rm.MU, rm.L) == pytest.approx(0.9802, abs=1e-4)
    a, b = rm.optimal(rm.MU, rm.L)
    assert (a, b) == pytest.approx((3.3058, 0.6694), abs=1e-4)
    assert rm.rate(a, b, rm.MU, rm.L) == pytest.approx(0.8182, abs=1e-4)
    assert rm.rate(a, 0.9, rm.MU, rm.L) == pytest.approx(0.9487, abs=1e-4)
    assert rm.rate(a, 0.5, rm.MU, rm.L) == pytest.approx(1.4643, abs=1e-4)  # diverges
    assert rm.rate(1.0, 0.9, rm.MU, rm.L) == pytest.approx(0.9487, abs=1e-4)


@pytest.mark.parametrize("h", [0.001, 0.04, 0.25, 0.8])
def test_critical_damping_gives_the_smallest_rate_1_minus_sqrt_h(h):
    betas = np.linspace(0, 0.999, 20001)
    rhos = np.array([dm.spectral_radius(h, b) for b in betas])
    b_crit = dm.critical_beta(h)
    assert (1 + b_crit - h) ** 2 == pytest.approx(4 * b_crit)  # a double root
    assert betas[rhos.argmin()] == pytest.approx(b_crit, abs=1e-3)
    assert rhos.min() == pytest.approx(1 - math.sqrt(h), abs=1e-3)
    assert dm.spectral_radius(h, b_crit) == pytest.approx(1 - math.sqrt(h), abs=1e-7)


def test_damping_regimes():
    x_over = dm.trajectory(dm.H, 0.3, 200)
    x_under = dm.trajectory(dm.H, 0.9, 200)
    assert np.all(x_over > 0)  # overdamped: no sign change
    assert np.any(x_under < 0)  # underdamped: rings through zero
    assert dm.spectral_radius(dm.H, 0.0) == pytest.approx(0.96)
    assert dm.spectral_radius(dm.H, 0.3) == pytest.approx(0.9413, abs=1e-4)
    assert dm.spectral_radius(dm.H, 0.9) == pytest.approx(math.sqrt(0.9))


@pytest.mark.parametrize("kappa", [10, 1000])
def test_double_root_trajectories_have_the_k_factor(kappa):
    mu, L = 1 / kappa, 1.0
    alpha, beta, rho = op.optimal_momentum(mu, L)
    prev, x = np.ones(2), np.ones(2)
    lams = np.array([mu, L])
    for k in range(1, 300):
        prev, x = x, x - alpha * lams * x + beta * (x - prev)
        expected = [(1 + k * (1 - rho)) * rho**k, (1 + k * (1 + rho)) * (-rho) ** k]
        np.testing.assert_allclose(x, expected, rtol=1e-9, atol=1e-14)


def test_measured_iteration_counts_equal_predicted():
    for kappa in op.KAPPAS:
        mu, L = 1 / kappa, 1.0
        a_gd, _ = op.optimal_gd(mu, L)
        a, b, _ = op.optimal_momentum(mu, L)
        assert op.iterations(a_gd, 0.0, [mu, L], op.TOL) == op.predicted_gd(kappa, op.TOL)
        assert op.iterations(a, b, [mu, L], op.TOL) == op.predicted_momentum(kappa, op.TOL)


def test_fitted_slopes_half_and_one():
    k = np.log(op.KAPPAS)
    gd = [op.predicted_gd(kappa, op.TOL) for kappa in op.KAPPAS]
    mom = [op.predicted_momentum(kappa, op.TOL) for kappa in op.KAPPAS]
    rho_only = [
        math.ceil(math.log(op.TOL) / math.log(op.optimal_momentum(1 / kp, 1)[2]))
        for kp in op.KAPPAS
    ]
    assert np.polyfit(k, np.log(gd), 1)[0] == pytest.approx(1.0, abs=0.02)
    assert np.polyfit(k, np.log(mom), 1)[0] == pytest.approx(0.5, abs=0.05)  # 0.532
    assert np.polyfit(k, np.log(rho_only), 1)[0] == pytest.approx(0.5, abs=0.02)
    # the printed table: kappa = 10000
    assert (gd[-1], mom[-1], rho_only[-1]) == (69078, 1074, 691)
    # "short by up to 36 %": the largest shortfall, at kappa = 10000 (more than a third)
    short = [1 - r / n for r, n in zip(rho_only, mom, strict=True)]
    assert max(short) == short[-1] and round(100 * short[-1]) == 36
