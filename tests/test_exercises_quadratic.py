"""The answers of the exercises on docs/quadratic/: each solution's recorded numbers, against
what its question asks computed here independently (the format of every exercise and the list:
tests/test_exercises.py)."""

import math

import numpy as np
import pytest
from conftest import load_script, recorded, snippet

EPS = np.finfo(float).eps  # 2.2e-16
# A double root computed in float64 splits by about sqrt(eps) (the square root of a rounded
# discriminant, or the eigenvalues of a defective 2x2 matrix): 1.5e-8 times |z| <= 1, times 4.
DOUBLE_ROOT = 4 * math.sqrt(EPS)


def script(name):
    return load_script(snippet(f"exercise_{name}"))


def test_quadratic_1_kappa_25_numbers_and_rates_from_eigenvalues():
    results = recorded("exercise_quadratic_1").results
    # the solution's closed forms for curvatures in [0.04, 1]; a few roundings each
    expected = {
        "alpha_opt": (2 / 1.2) ** 2,
        "beta_opt": (4 / 6) ** 2,
        "rho_opt": 2 / 3,
        "alpha_gd": 2 / 1.04,
        "rho_gd": 24 / 26,
        "steps_momentum": math.log(1e-6) / math.log(2 / 3),
        "steps_gd": math.log(1e-6) / math.log(24 / 26),
    }
    for name, value in expected.items():
        assert results[name] == pytest.approx(value, rel=16 * EPS), name
    assert 5 < results["steps_gd"] / results["steps_momentum"] < 5.1  # "about 5 times fewer"
    # the eigenvalues of T: double roots at both ends for momentum, none for gradient descent
    assert results["rho_opt_eigvals"] == pytest.approx(2 / 3, abs=DOUBLE_ROOT)
    assert results["rho_gd_eigvals"] == pytest.approx(24 / 26, abs=16 * EPS)
    assert DOUBLE_ROOT < 1e-6 and results["eigenvalues_agree"]  # "to 1e-6 for the double roots"
    # the script's rate on another interval, [0.01, 1]: rho* = 9/11 from the eigenvalues
    ex = script("quadratic_1")
    a, b = (2 / 1.1) ** 2, (9 / 11) ** 2
    assert ex.rate(a, b, lams=(0.01, 1.0)) == pytest.approx(9 / 11, abs=DOUBLE_ROOT)


def measured_bound(beta, lams, alpha=1.0, window=1000):
    """How far the script's measured rate may be from rho: it is rho times the ratio of two
    sizes of (x_k, x_{k-1}) `window` steps apart, to the power 1/window. Where the slowest
    modes have modulus rho, that ratio lies within cond(V)^(+-1) (V: the eigenvectors of T at
    each curvature setting the rate), so the measured rate is within rho log(cond V) / window.
    (The faster modes have died out after 2000 steps.)"""
    rho, cond = 0.0, 1.0
    for lam in lams:
        T = np.array([[1 + beta - alpha * lam, -beta], [1.0, 0.0]])
        z, V = np.linalg.eig(T)
        if abs(z).max() > rho + DOUBLE_ROOT:
            rho, cond = abs(z).max(), np.linalg.cond(V)
        elif abs(abs(z).max() - rho) <= DOUBLE_ROOT:
            cond = max(cond, np.linalg.cond(V))
    return rho * math.log(cond) / window + 16 * EPS


def test_quadratic_2_beta_0_99_is_slower_than_gradient_descent_at_alpha_1_over_l():
    results = recorded("exercise_quadratic_2").results
    mu, L = 0.01, 1.0
    assert results["rate_gd"] == pytest.approx(1 - mu, rel=4 * EPS)  # alpha = 1/L: 1 - mu/L
    # at mu: real roots for beta = 0.5 (t^2 > 4 beta), complex (modulus sqrt beta) for 0.9, 0.99
    t = 1 + 0.5 - mu
    expected = {
        "beta_0_0": 1 - mu,
        "beta_0_5": (t + math.sqrt(t * t - 4 * 0.5)) / 2,
        "beta_0_9": math.sqrt(0.9),
        "beta_0_99": math.sqrt(0.99),
    }
    for name, rho in expected.items():
        row = results[name]
        assert row["rate"] == pytest.approx(rho, abs=16 * EPS), name  # no double root: few eps
        beta = float(name[5:].replace("_", ".", 1))
        assert abs(row["measured"] - rho) <= measured_bound(beta, (mu, L)), name
    assert results["beta_0_5"]["faster"] and results["beta_0_9"]["faster"]
    assert results["beta_0_99"]["slower"] and not results["beta_0_99"]["faster"]
    assert expected["beta_0_99"] > 1 - mu > expected["beta_0_5"] > expected["beta_0_9"]
    assert results["measured_gap"] < 3e-4 and results["measured_agree"]  # the page's bound


@pytest.mark.parametrize("beta", [0.5, 0.9])
def test_quadratic_3_flat_direction_rate_is_one_minus_h_over_one_minus_beta(beta):
    results = recorded("exercise_quadratic_3").results
    name = f"beta_{beta}".replace(".", "_")
    for h, key in ((1e-4, "h_1e-4"), (1e-5, "h_1e-5"), (1e-6, "h_1e-6")):
        a = 1 - beta
        # the exact small root d of d^2 - (1 - beta + h) d + h = 0, written without cancellation
        d = 2 * h / ((a + h) + math.sqrt((a + h) ** 2 - 4 * h))
        ratio = results["ratio"][name][key]
        # numpy.roots puts a simple root within a few eps * |coefficients| / |z1 - z2| (= 1 - beta
        # here, about) of the true one; relative to d that is what 1 - rho can carry
        rounding = 8 * EPS * (2 + beta) / (a * d)
        assert ratio == pytest.approx(d / (h / a), rel=rounding)
        # the expansion: ratio = 1 + beta h / a^2 + beta (1 + beta) h^2 / a^4 + ..., the next
        # term smaller by about (1 + beta) h / a^2 <= 0.02 again
        second, third = beta * h / a**2, beta * (1 + beta) * h**2 / a**4
        assert results["second_order"][name][key] == pytest.approx(second, rel=4 * EPS)
        assert abs(ratio - 1 - second - third) <= 2 * third * (1 + beta) * h / a**2 + rounding
    assert results["second_order_explains"]
    # the script's rate on other inputs: beta = 0.7, a larger h, still in the real-root range
    ex = script("quadratic_3")
    h, a = 1e-3, 0.3
    d = 2 * h / ((a + h) + math.sqrt((a + h) ** 2 - 4 * h))
    assert 1 - ex.rate(h, 0.7) == pytest.approx(d, rel=8 * EPS * 2.7 / (a * d))


def test_quadratic_4_both_tuned_methods_tolerate_exactly_one_plus_one_over_kappa():
    results = recorded("exercise_quadratic_4").results
    # 200 halvings of [L/2, 4L] leave no interval; numpy.roots places the root crossing -1 to a
    # few eps, which moves the edge by a few eps of L: 16 eps relative
    for kappa in (10, 100, 1000):
        row = results["kappa"][str(kappa)]
        assert row["gradient_descent"] == pytest.approx(1 + 1 / kappa, rel=16 * EPS)
        assert row["heavy_ball"] == pytest.approx(1 + 1 / kappa, rel=16 * EPS)
    assert results["bisection_gap"] < 1e-9 and results["bisection_agrees"]
    # the script's bisection on another condition number
    gd, hb = script("quadratic_4").tolerances(50)
    assert gd == pytest.approx(1.02, rel=16 * EPS)
    assert hb == pytest.approx(1.02, rel=16 * EPS)
