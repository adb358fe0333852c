"""On a quadratic, Nesterov = heavy ball with momentum mu(1 - lr*lambda) in each eigendirection.

The page's numbers are the recorded runs of snippets/nesterov/nesterov_eigen.py and
snippets/nesterov/nesterov_lookahead.py; the tests set them against closed forms (roots of the
characteristic polynomial, exact fractions, arithmetic by hand)."""

import cmath
from fractions import Fraction

import numpy as np
import pytest
from conftest import load_script, recorded

eig = load_script("snippets/nesterov/nesterov_eigen.py")
look = load_script("snippets/nesterov/nesterov_lookahead.py")

EPS = np.finfo(float).eps  # 2.2e-16
HS = np.concatenate([np.geomspace(1e-4, 3.9, 40), [1.0, 2.0]])


@pytest.mark.parametrize("mu", [0.0, 0.5, 0.9, 0.99])
def test_nesterov_matrix_is_heavy_ball_with_momentum_mu_times_1_minus_h(mu):
    for h in HS:
        n = eig.nesterov_matrix(h, mu, 1.0)
        hb = eig.heavy_ball_matrix(h, eig.effective_momentum(h, mu, 1.0), 1.0)
        # entries are at most 4 here; one rounding of mu * (1 - h) written two ways: 2 ulp of 4
        atol = 8 * EPS
        np.testing.assert_allclose(n, hb, rtol=0, atol=atol)
        # Independently: one step of each update rule on f = x^2 / 2 (lam = 1, lr = h),
        # applied to the basis vectors (x, v) = (1, 0) and (0, 1), gives each matrix's columns.
        mu_eff = mu * (1 - h)
        cols_ne, cols_hb = [], []
        for x, v in ((1.0, 0.0), (0.0, 1.0)):
            v_ne = mu * v - h * (x + mu * v)  # gradient at the lookahead point
            cols_ne.append([x + v_ne, v_ne])
            v_hb = mu_eff * v - h * x  # gradient where we stand, momentum mu (1 - h)
            cols_hb.append([x + v_hb, v_hb])
        n_rule, hb_rule = np.array(cols_ne).T, np.array(cols_hb).T
        np.testing.assert_allclose(n, n_rule, rtol=0, atol=atol)
        np.testing.assert_allclose(n_rule, hb_rule, rtol=0, atol=atol)


def test_matrices_reproduce_one_step_of_each_rule():
    lr, mu, lam, x, v = 0.3, 0.9, 2.0, 1.7, -0.4
    v_hb = mu * v - lr * lam * x
    v_ne = mu * v - lr * lam * (x + mu * v)
    tol = dict(rtol=0, atol=8 * EPS)  # a few roundings of numbers below 2
    np.testing.assert_allclose(eig.heavy_ball_matrix(lr, mu, lam) @ [x, v], [x + v_hb, v_hb], **tol)
    np.testing.assert_allclose(eig.nesterov_matrix(lr, mu, lam) @ [x, v], [x + v_ne, v_ne], **tol)


def test_nesterov_iterates_equal_per_direction_heavy_ball_to_1e_12():
    rng = np.random.default_rng(0)
    lams = np.geomspace(0.01, 1.2, 6)
    Q, _ = np.linalg.qr(rng.standard_normal((6, 6)))
    A = Q @ np.diag(lams) @ Q.T
    lr, mu, theta0 = 0.9, 0.9, rng.standard_normal(6)
    theta, v = theta0.copy(), np.zeros(6)  # Nesterov in the original coordinates
    x, u = Q.T @ theta0, np.zeros(6)  # heavy ball in the eigenbasis, mu_i = mu (1 - lr lam_i)
    mu_i = eig.effective_momentum(lr, mu, lams)
    for _ in range(300):
        v = mu * v - lr * A @ (theta + mu * v)
        theta = theta + v
        u = mu_i * u - lr * lams * x
        x = x + u
        # |theta| ~ 1; Q is orthogonal to rounding, and each of the 300 steps rounds a few
        # products of size ~1 in each basis: <= 300 x a few eps = 3e-13; the page says 1e-12
        np.testing.assert_allclose(Q.T @ theta, x, rtol=0, atol=1e-12)


@pytest.mark.parametrize("mu", [0.0, 0.5, 0.9, 0.99])
def test_stability_limits_on_both_sides(mu):
    # 1e-6 either side of the limit moves the spectral radius by ~1e-6 (its derivative in h is
    # of order 1 there), far more than eigvals' rounding, a few eps
    limit, off = eig.nesterov_stability_limit(mu), 1e-6
    assert eig.spectral_radius(eig.nesterov_matrix(limit * (1 - off), mu, 1.0)) < 1
    assert eig.spectral_radius(eig.nesterov_matrix(limit * (1 + off), mu, 1.0)) > 1
    hb_limit = 2 + 2 * mu
    assert eig.spectral_radius(eig.heavy_ball_matrix(hb_limit * (1 - off), mu, 1.0)) < 1
    assert eig.spectral_radius(eig.heavy_ball_matrix(hb_limit * (1 + off), mu, 1.0)) > 1
    if mu > 0:  # Nesterov's stable range of lr*lambda is the shorter one
        assert limit < hb_limit


def test_heavy_ball_stability_condition_holds_for_negative_momentum_too():
    # |beta| < 1 and 0 < h < 2 + 2 beta, checked against the eigenvalues for beta in (-1.5, 1.5)
    rng = np.random.default_rng(1)
    for h, beta in zip(rng.uniform(-0.5, 4.5, 4000), rng.uniform(-1.5, 1.5, 4000), strict=True):
        rho = eig.spectral_radius(eig.heavy_ball_matrix(h, beta, 1.0))
        # away from the boundary itself: near a double root on the unit circle the radius is
        # accurate to sqrt(eps) = 1.5e-8 only, so 1e-7 keeps rounding from deciding
        if abs(rho - 1) > 1e-7:
            assert eig.heavy_ball_stable(h, beta) == (rho < 1), (h, beta)
    assert not eig.heavy_ball_stable(0.5, -1.1)  # h inside (0, 2 + 2 beta) is not enough


@pytest.mark.parametrize("mu", [0.0, 0.5, 0.9, 0.99])
def test_nesterov_limit_is_the_general_condition_with_beta_mu_1_minus_h(mu):
    hs = np.linspace(1e-4, 4, 40001)
    stable = [eig.heavy_ball_stable(h, eig.effective_momentum(h, mu, 1.0)) for h in hs]
    # the last stable point of the grid lies within one grid step below the limit
    step = hs[1] - hs[0]
    assert 0 <= eig.nesterov_stability_limit(mu) - hs[np.nonzero(stable)[0][-1]] < step
    assert all(stable[: np.nonzero(stable)[0][-1] + 1])  # one interval (0, limit)
    limit = eig.nesterov_stability_limit(mu)
    assert abs(eig.effective_momentum(limit, mu, 1.0)) < 1  # beta < 0 there, but |beta| < 1
    if mu > 0:
        assert limit < 1 + 1 / mu  # |beta| < 1 is the weaker of the two conditions


def roots_radius(h, beta):
    """The spectral radius of heavy ball's matrix with momentum beta, from the roots of its
    characteristic polynomial z^2 - (1 + beta - h) z + beta by the quadratic formula."""
    t = 1 + beta - h
    d = cmath.sqrt(t * t - 4 * beta)
    return max(abs((t + d) / 2), abs((t - d) / 2)), abs(d)


def test_printed_table_values():
    r = recorded("nesterov_eigen").results
    mu = 0.9
    for h, rho_hb, rho_ne in zip(r["hs"], r["rho_heavy_ball"], r["rho_nesterov"], strict=True):
        for rho, beta in ((rho_hb, mu), (rho_ne, mu * (1 - h))):  # Nesterov: beta = mu (1 - h)
            expected, separation = roots_radius(h, beta)
            # both ways are backward stable: a simple root moves by about eps |M| / (the roots'
            # separation), with |M| <= 6 and separations >= 0.078 in this table: 2e-14; the
            # double root at h = 1 (Nesterov, beta = 0) only to sqrt(eps |M|) = 4e-8
            tol = 1e-13 if separation > 0.05 else 1e-7
            assert rho == pytest.approx(expected, abs=tol), (h, beta)
    # heavy ball's roots are complex from h = 0.01 to 3.7: rho = sqrt(mu) whatever the step
    for h, rho in zip(r["hs"][1:9], r["rho_heavy_ball"][1:9], strict=True):
        assert rho == pytest.approx(np.sqrt(mu), abs=16 * EPS), h
    # and Nesterov's at h = 0.5 (the page's example): rho = sqrt(mu (1 - h)) = sqrt(0.45)
    assert r["hs"][3] == 0.5 and r["rho_nesterov"][3] == pytest.approx(np.sqrt(0.45), abs=16 * EPS)
    # in flat directions the two are the same to the page's last digit but one (h = 0.001:
    # their momenta differ by mu h = 9e-4)
    assert r["hs"][0] == 0.001 and round(r["rho_heavy_ball"][0], 3) == round(
        r["rho_nesterov"][0], 3
    )
    # The limits, as exact fractions for mu = 9/10: (2 + 2 mu) / (1 + 2 mu) = 19/14, where
    # beta = mu (1 - h) = -9/28; |beta| < 1 alone allows 1 + 1/mu = 19/9; heavy ball 2 + 2 mu.
    # Each is a float of a few operations: within 2 ulp.
    m = Fraction(9, 10)
    for name, exact in (
        ("nesterov_limit", (2 + 2 * m) / (1 + 2 * m)),
        ("beta_at_limit", m * (1 - (2 + 2 * m) / (1 + 2 * m))),
        ("beta_bound_limit", 1 + 1 / m),
        ("hb_limit", 2 + 2 * m),
    ):
        assert r[name] == pytest.approx(float(exact), rel=4 * EPS), name
    assert eig.spectral_radius(eig.nesterov_matrix(1.0, mu, 1.0)) < 16 * EPS  # h = 1: exact step


def test_lookahead_step_lands_nearer_the_valley_floor():
    hb, hb_m, hb_g = look.heavy_ball_step(look.grad, look.THETA, look.V, look.LR, look.MU)
    ne, ne_m, ne_g = look.nesterov_step(look.grad, look.THETA, look.V, look.LR, look.MU)
    # Worked by hand: H = diag(1, 8), theta = (-3, 0.6), v = (0.6, -0.9), lr = 0.1, mu = 0.9.
    tol = dict(rtol=0, atol=1e-12)
    np.testing.assert_allclose(hb_m, [0.54, -0.81], **tol)  # the same momentum step mu v ...
    np.testing.assert_allclose(ne_m, [0.54, -0.81], **tol)
    np.testing.assert_allclose(hb_g, [0.3, -0.48], **tol)  # -lr H theta: where we stand
    np.testing.assert_allclose(ne_g, [0.246, 0.168], **tol)  # -lr H (theta + mu v): ahead
    np.testing.assert_allclose(hb, [-2.16, -0.69], **tol)
    np.testing.assert_allclose(ne, [-2.214, -0.042], **tol)
    assert hb[1] < 0 < look.THETA[1] and abs(ne[1]) < 0.05  # heavy ball crosses the floor
    # f by hand: (2.16^2 + 8 x 0.69^2) / 2 = 4.2372, (2.214^2 + 8 x 0.042^2) / 2 = 2.457954;
    # and the page's numbers, from the recorded run, are these
    r = recorded("nesterov_lookahead").results
    for got, exact in (
        (look.f(hb), 4.2372),
        (look.f(ne), 2.457954),
        (r["f_heavy_ball"], 4.2372),
        (r["f_nesterov"], 2.457954),
        (r["x2_heavy_ball"], -0.69),
        (r["x2_nesterov"], -0.042),
    ):
        assert got == pytest.approx(exact, rel=0, abs=1e-12)
