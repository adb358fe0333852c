"""On a quadratic, Nesterov = heavy ball with momentum mu(1 - lr*lambda) in each eigendirection."""

import numpy as np
import pytest
from conftest import load_script

eig = load_script("snippets/nesterov_eigen.py")
look = load_script("snippets/nesterov_lookahead.py")

HS = np.concatenate([np.geomspace(1e-4, 3.9, 40), [1.0, 2.0]])


@pytest.mark.parametrize("mu", [0.0, 0.5, 0.9, 0.99])
def test_nesterov_matrix_is_heavy_ball_with_momentum_mu_times_1_minus_h(mu):
    for h in HS:
        n = eig.nesterov_matrix(h, mu, 1.0)
        hb = eig.heavy_ball_matrix(h, eig.effective_momentum(h, mu, 1.0), 1.0)
        np.testing.assert_allclose(n, hb, rtol=0, atol=1e-15)
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
        np.testing.assert_allclose(n, n_rule, rtol=0, atol=1e-15)
        np.testing.assert_allclose(n_rule, hb_rule, rtol=0, atol=1e-15)


def test_matrices_reproduce_one_step_of_each_rule():
    lr, mu, lam, x, v = 0.3, 0.9, 2.0, 1.7, -0.4
    v_hb = mu * v - lr * lam * x
    v_ne = mu * v - lr * lam * (x + mu * v)
    np.testing.assert_allclose(eig.heavy_ball_matrix(lr, mu, lam) @ [x, v], [x + v_hb, v_hb])
    np.testing.assert_allclose(eig.nesterov_matrix(lr, mu, lam) @ [x, v], [x + v_ne, v_ne])


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
        np.testing.assert_allclose(Q.T @ theta, x, rtol=0, atol=1e-12)


@pytest.mark.parametrize("mu", [0.0, 0.5, 0.9, 0.99])
def test_stability_limits_on_both_sides(mu):
    limit = eig.nesterov_stability_limit(mu)
    assert eig.spectral_radius(eig.nesterov_matrix(limit * (1 - 1e-6), mu, 1.0)) < 1
    assert eig.spectral_radius(eig.nesterov_matrix(limit * (1 + 1e-6), mu, 1.0)) > 1
    hb_limit = 2 + 2 * mu
    assert eig.spectral_radius(eig.heavy_ball_matrix(hb_limit * (1 - 1e-6), mu, 1.0)) < 1
    assert eig.spectral_radius(eig.heavy_ball_matrix(hb_limit * (1 + 1e-6), mu, 1.0)) > 1
    if mu > 0:  # Nesterov's stable range of lr*lambda is the shorter one
        assert limit < hb_limit


def test_heavy_ball_stability_condition_holds_for_negative_momentum_too():
    # |beta| < 1 and 0 < h < 2 + 2 beta, checked against the eigenvalues for beta in (-1.5, 1.5)
    rng = np.random.default_rng(1)
    for h, beta in zip(rng.uniform(-0.5, 4.5, 4000), rng.uniform(-1.5, 1.5, 4000), strict=True):
        rho = eig.spectral_radius(eig.heavy_ball_matrix(h, beta, 1.0))
        if abs(rho - 1) > 1e-9:  # away from the boundary itself
            assert eig.heavy_ball_stable(h, beta) == (rho < 1), (h, beta)
    assert not eig.heavy_ball_stable(0.5, -1.1)  # h inside (0, 2 + 2 beta) is not enough


@pytest.mark.parametrize("mu", [0.0, 0.5, 0.9, 0.99])
def test_nesterov_limit_is_the_general_condition_with_beta_mu_1_minus_h(mu):
    hs = np.linspace(1e-4, 4, 40001)
    stable = [eig.heavy_ball_stable(h, eig.effective_momentum(h, mu, 1.0)) for h in hs]
    assert hs[np.nonzero(stable)[0][-1]] == pytest.approx(
        eig.nesterov_stability_limit(mu), abs=2e-4
    )
    assert all(stable[: np.nonzero(stable)[0][-1] + 1])  # one interval (0, limit)
    limit = eig.nesterov_stability_limit(mu)
    assert abs(eig.effective_momentum(limit, mu, 1.0)) < 1  # beta < 0 there, but |beta| < 1
    if mu > 0:
        assert limit < 1 + 1 / mu  # |beta| < 1 is the weaker of the two conditions


def test_printed_table_values():
    mu = 0.9
    assert eig.nesterov_stability_limit(mu) == pytest.approx(1.3571, abs=1e-4)
    beta = eig.effective_momentum(eig.nesterov_stability_limit(mu), mu, 1.0)
    assert beta == pytest.approx(-0.3214, abs=1e-4)
    assert 1 + 1 / mu == pytest.approx(2.1111, abs=1e-4)
    # heavy ball in its complex region: rho = sqrt(mu) whatever the step
    for h in (0.1, 0.5, 1.0, 2.0, 3.7):
        rho = eig.spectral_radius(eig.heavy_ball_matrix(h, mu, 1.0))
        assert rho == pytest.approx(np.sqrt(mu), abs=1e-7)
    assert eig.spectral_radius(eig.nesterov_matrix(1.0, mu, 1.0)) < 1e-7  # h = 1: one-step exact
    assert eig.spectral_radius(eig.nesterov_matrix(0.5, mu, 1.0)) == pytest.approx(0.6708, abs=1e-4)
    # small h: the two methods barely differ
    r_hb = eig.spectral_radius(eig.heavy_ball_matrix(1e-3, mu, 1.0))
    r_ne = eig.spectral_radius(eig.nesterov_matrix(1e-3, mu, 1.0))
    assert abs(r_hb - r_ne) < 2e-4


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
    assert look.f(ne) == pytest.approx(2.458, abs=1e-3)
    assert look.f(hb) == pytest.approx(4.237, abs=1e-3)
