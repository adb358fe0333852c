"""Gradient descent, heavy ball and Nesterov on the narrow valley and on Rosenbrock."""

import numpy as np
import pytest
from conftest import load_script

m = load_script("snippets/nesterov_trajectories.py")


def losses(f, grad, cfg, lr=None):
    return {
        name: f(m.run(name, grad, cfg["x0"], lr or cfg["lr"], cfg["mu"], cfg["steps"]))
        for name in m.METHODS
    }


@pytest.fixture(scope="module")
def valley():
    return losses(m.valley_f, m.valley_grad, m.VALLEY_RUN)


@pytest.fixture(scope="module")
def rosenbrock():
    return losses(m.rosenbrock_f, m.rosenbrock_grad, m.ROSENBROCK_RUN)


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


def test_valley_order_and_printed_values(valley):
    gd, hb, ne = (valley[k] for k in m.METHODS)
    assert ne[150] < hb[150] < gd[150]
    assert gd[150] == pytest.approx(2.1e-1, rel=0.05)
    assert hb[150] == pytest.approx(8.4e-6, rel=0.05)
    assert ne[150] == pytest.approx(3.3e-7, rel=0.05)
    assert hb[150] / ne[150] > 10  # Nesterov damps the steep direction heavy ball rings in


def test_rosenbrock_momentum_methods_converge_gd_crawls(rosenbrock):
    gd, hb, ne = (rosenbrock[k] for k in m.METHODS)
    assert hb[3000] < 1e-11 and ne[3000] < 1e-11
    assert gd[3000] > 1e-2
    assert gd[3000] == pytest.approx(2.5e-2, rel=0.05)
    assert hb[3000] == pytest.approx(1.5e-12, rel=0.1)
    assert ne[3000] == pytest.approx(2.2e-12, rel=0.1)
    # Nesterov is not faster than heavy ball on this problem at these settings
    assert ne[3000] > hb[3000]


def test_rosenbrock_larger_step_past_nesterov_limit_stalls_nesterov_only():
    lam_max = np.linalg.eigvalsh(np.array([[802.0, -400.0], [-400.0, 200.0]])).max()
    assert lam_max == pytest.approx(1001.6, abs=0.1)
    assert 1.5e-3 * lam_max > (2 + 2 * 0.9) / (1 + 2 * 0.9)  # past Nesterov's limit
    assert 1.5e-3 * lam_max < 2 + 2 * 0.9  # inside heavy ball's
    out = losses(m.rosenbrock_f, m.rosenbrock_grad, m.ROSENBROCK_RUN, lr=1.5e-3)
    assert out["heavy ball"][3000] < 1e-15
    assert out["Nesterov"][3000] > 1e-4
