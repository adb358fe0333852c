"""Gradient descent, heavy ball and Nesterov on the narrow valley and on Rosenbrock.

The page's numbers are the recorded run of snippets/nesterov/nesterov_trajectories.py. The valley is
a quadratic, so its losses have closed forms (powers of nesterov_eigen's 2x2 matrices); Rosenbrock's
curvature at the minimum is the largest eigenvalue of a 2x2 Hessian, in closed form too."""

import math

import numpy as np
import pytest
from conftest import load_script, recorded

m = load_script("snippets/nesterov/nesterov_trajectories.py")
eig = load_script("snippets/nesterov/nesterov_eigen.py")

EPS = np.finfo(float).eps  # 2.2e-16


def run():
    return recorded("nesterov_trajectories").results


def valley_loss_by_matrix_powers(method, steps):
    """f after `steps` steps on the valley from rest at x0: each coordinate is one curvature, and
    (x, v) there evolves by a 2x2 matrix (gradient descent: momentum 0)."""
    cfg = m.VALLEY_RUN
    f = 0.0
    for lam, x0 in zip(m.VALLEY, cfg["x0"], strict=True):
        mu = 0.0 if method == "gradient descent" else cfg["mu"]
        matrix = (eig.heavy_ball_matrix if method == "heavy ball" else eig.nesterov_matrix)(
            cfg["lr"], mu, lam
        )
        x, _ = np.linalg.matrix_power(matrix, steps) @ [x0, 0.0]
        f += 0.5 * lam * x**2
    return f


def test_run_is_sutskever_nesterov_and_polyak_heavy_ball():
    lr, mu, x0 = 0.018, 0.9, np.array([-10.0, 1.0])
    nes, hb = (
        m.run("Nesterov", m.valley_grad, x0, lr, mu, 3),
        m.run("heavy ball", m.valley_grad, x0, lr, mu, 3),
    )
    v = mu * (nes[1] - nes[0]) - lr * m.valley_grad(nes[1] + mu * (nes[1] - nes[0]))
    np.testing.assert_allclose(nes[2], nes[1] + v)
    # heavy ball: x_{k+1} = x_k - lr grad(x_k) + mu (x_k - x_{k-1})
    np.testing.assert_allclose(hb[2], hb[1] - lr * m.valley_grad(hb[1]) + mu * (hb[1] - hb[0]))


def test_gradients_are_the_derivatives():
    rng = np.random.default_rng(0)
    for f, grad in ((m.valley_f, m.valley_grad), (m.rosenbrock_f, m.rosenbrock_grad)):
        for p in rng.uniform(-1.5, 1.5, (5, 2)):
            e, step = np.eye(2), 1e-6
            numeric = [(f(p + step * e[i]) - f(p - step * e[i])) / (2 * step) for i in range(2)]
            # central differences: step^2 f''' / 6 (Rosenbrock's f''' <= 2400 x 1.5: 1e-9) plus
            # rounding |f| eps / step (|f| <= 1e3: 2e-7)
            np.testing.assert_allclose(grad(p), numeric, rtol=0, atol=1e-6)


def test_valley_order_and_printed_values():
    valley = run()["valley"]  # f after 150 steps
    for method in m.METHODS:
        # the loop and the matrix power are two float64 roads to the same iterate: 150 steps of
        # a few roundings each, relative to |x0| = 10, ~1e-13 absolute in x; f ~ lam x dx is
        # then accurate to 1e-9 relative even at Nesterov's 3.3e-7
        expected = valley_loss_by_matrix_powers(method, m.VALLEY_RUN["steps"])
        assert valley[method.replace(" ", "_")] == pytest.approx(expected, rel=1e-9), method
    assert valley["Nesterov"] < valley["heavy_ball"] < valley["gradient_descent"]
    assert run()["order_valley"] is True
    # Nesterov damps the steep direction heavy ball rings in: across the valley (h = 0.9) its
    # rate is sqrt(0.9 x 0.1) = 0.3 against heavy ball's sqrt(0.9) = 0.95, so the across-valley
    # part is gone; what is left is along the valley, where the two are alike
    steep = 0.018 * 50
    assert eig.spectral_radius(eig.nesterov_matrix(steep, 0.9, 1.0)) == pytest.approx(
        math.sqrt(0.9 * (1 - steep)), abs=16 * EPS
    )


def test_rosenbrock_momentum_methods_converge_gd_crawls():
    rosen = run()["rosenbrock"]  # f after 3000 steps, f* = 0
    # both momentum methods near 1e-12 ("about 1e-12" on the page: within a factor 10)
    for method in ("heavy_ball", "Nesterov"):
        assert 1e-13 < rosen[method] < 1e-11, method
    assert rosen["gradient_descent"] > 1e-2  # still crawling along the valley
    # Nesterov is not faster than heavy ball on this problem at these settings
    assert rosen["Nesterov"] > rosen["heavy_ball"]
    assert run()["nesterov_not_faster"] is True


def test_rosenbrock_larger_step_past_nesterov_limit_stalls_nesterov_only():
    r = run()
    # Rosenbrock's Hessian at (1, 1) is [[802, -400], [-400, 200]]: its largest eigenvalue is
    # (1002 + sqrt(602^2 + 4 x 400^2)) / 2, to a few eps relative
    lam_max = (1002 + math.sqrt(602**2 + 4 * 400**2)) / 2
    assert r["lam_max"] == pytest.approx(lam_max, rel=8 * EPS)
    # and that is the Hessian: the Jacobian of the gradient by central differences (the
    # gradient is cubic: step^2 x 2400 / 6 = 4e-10; rounding: its terms are ~800, so
    # 800 eps / step = 2e-7)
    step, e = 1e-6, np.eye(2)
    hessian = [
        (m.rosenbrock_grad(e[i] * step + 1) - m.rosenbrock_grad(1 - e[i] * step)) / (2 * step)
        for i in range(2)
    ]
    np.testing.assert_allclose(hessian, [[802.0, -400.0], [-400.0, 200.0]], rtol=0, atol=1e-6)
    h = r["h_too_far"]
    assert h == pytest.approx(1.5e-3 * lam_max, rel=8 * EPS)
    nesterov_limit, hb_limit = recorded("nesterov_eigen").results["nesterov_limit"], 2 + 2 * 0.9
    assert nesterov_limit < h < hb_limit  # past Nesterov's limit, inside heavy ball's
    # heavy ball converges to rounding (f ~ (x - 1)^2, so 1e-18 is |x - 1| ~ 1e-9) ...
    assert r["too_far"]["heavy_ball"] < 1e-15
    # ... while Nesterov stalls: the steepest direction diverges until the nonlinearity stops it
    assert r["too_far"]["Nesterov"] > 1e-4
