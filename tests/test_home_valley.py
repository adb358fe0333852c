"""Claims of the home page's picture (snippets/home_valley.py): the distances it prints, and what
the two paths do across and along the valley."""

import numpy as np
import pytest
from conftest import load_script

valley = load_script("snippets/home_valley.py")


def heavy_ball(momentum, steps=valley.STEPS):
    """The same run written out: v <- momentum v + g; w <- w - lr v (PyTorch's form), in numpy."""
    curvatures, w = np.array(valley.CURVATURES), np.array(valley.START)
    v, points = np.zeros(2), [w.copy()]
    for _ in range(steps):
        v = momentum * v + curvatures * w
        w = w - valley.LR * v
        points.append(w.copy())
    return np.array(points)


@pytest.mark.parametrize("momentum", [0.0, valley.MOMENTUM])
def test_path_is_the_heavy_ball_recursion_to_1e_12(one_thread, momentum):
    assert np.abs(valley.path(momentum).numpy() - heavy_ball(momentum)).max() < 1e-12


def test_gradient_descent_distances_match_the_closed_form(one_thread):
    # Each coordinate shrinks by 1 - lr * curvature per step: 0.962 along, -0.9 across.
    lr, (flat, steep), (x0, y0) = valley.LR, valley.CURVATURES, valley.START
    for k, d in valley.distances(valley.path(0.0)).items():
        exact = np.hypot(x0 * (1 - lr * flat) ** k, y0 * (1 - lr * steep) ** k)
        assert d == pytest.approx(exact, rel=1e-12)


def test_printed_distances_after_10_20_40_steps(one_thread):
    gd = valley.distances(valley.path(0.0))
    momentum = valley.distances(valley.path(valley.MOMENTUM))
    assert [round(gd[k], 2) for k in (10, 20, 40)] == [6.80, 4.61, 2.12]
    assert [float(f"{momentum[k]:.2e}") for k in (10, 20, 40)] == [3.35, 0.622, 0.0131]


def test_momentum_ends_over_100_times_closer_in_the_same_40_steps(one_thread):
    gd = valley.distances(valley.path(0.0))[40]
    momentum = valley.distances(valley.path(valley.MOMENTUM))[40]
    assert gd / momentum > 100


def test_gradient_descent_crosses_the_valley_floor_on_every_step(one_thread):
    across = valley.path(0.0)[:, 1].numpy()
    assert (across[1:] * across[:-1] < 0).all()  # the zigzag: every step overshoots the floor
    across = valley.path(valley.MOMENTUM)[:, 1].numpy()
    assert (across[1:] * across[:-1] < 0).sum() < valley.STEPS  # momentum's swings cancel


def test_rates_by_momentum_and_the_middle_frame_is_the_fastest():
    rates = {m: valley.rate(m) for m in valley.MOMENTA}
    assert rates[0.0] == pytest.approx(1 - valley.LR * valley.CURVATURES[0], rel=1e-12)
    # at 0.65 both directions have complex roots, of modulus sqrt(momentum)
    assert rates[0.65] == pytest.approx(0.65**0.5, rel=1e-9)
    assert [round(r, 3) for r in rates.values()] == [
        0.962,
        0.944,
        0.916,
        0.806,
        0.894,
        0.949,
        0.975,
    ]
    middle = valley.MOMENTA[len(valley.MOMENTA) // 2]  # the frame the page shows first
    assert middle == valley.MOMENTUM and min(rates, key=rates.get) == middle


def test_the_measured_distance_shrinks_at_the_rate(one_thread):
    # over steps 300 to 600 the distance shrinks by rate^300, up to the swing of an oscillation
    for momentum in (0.0, 0.5, 0.9):
        points = valley.path(momentum, steps=600)
        measured = (points[600].norm() / points[300].norm()).item() ** (1 / 300)
        assert measured == pytest.approx(valley.rate(momentum), abs=0.005)


def test_each_frame_is_labelled_with_its_momentum_and_rate(one_thread):
    import matplotlib.pyplot as plt

    fig = valley.draw(0.65, valley.path(0.0))
    assert fig.get_label() == "gamma=0.65 | rho=0.806"
    assert len(fig.axes[0].lines) == 3  # gradient descent, momentum, the minimum
    plt.close(fig)
    fig = valley.draw(0.0, valley.path(0.0))
    assert fig.get_label() == "gamma=0 | rho=0.962" and len(fig.axes[0].lines) == 2
    plt.close(fig)
