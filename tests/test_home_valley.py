"""Claims of the home page's picture (snippets/home/home_valley.py): the distances it prints, and
what the two paths do across and along the valley; and what the home page and "Check it yourself"
say the tests check.

The distances and rates the page quotes are read from the script's recorded run and compared with
the heavy-ball recursion written out in numpy, the closed form of gradient descent and the
eigenvalues of the heavy-ball matrix; the script's functions are run with other coefficients.
"""

import numpy as np
import pytest
from conftest import ROOT, load_script, recorded

valley = load_script("snippets/home/home_valley.py")

EPS = float(np.finfo(np.float64).eps)  # 2.2e-16
# The same float64 recursion in another program: each of at most 600 steps rounds coordinates of
# size below 11 by 11 * EPS; the error of a stable recursion stays below their sum, steps * 11 *
# EPS (1.5e-12 for 600 steps, 1e-13 for 40). Used relative to distances of at least 1e-2: 1e-10.
TOL = 1e-10


def heavy_ball(momentum, steps=valley.STEPS):
    """The same run written out: v <- momentum v + g; w <- w - lr v (PyTorch's form), in numpy."""
    curvatures, w = np.array(valley.CURVATURES), np.array(valley.START)
    v, points = np.zeros(2), [w.copy()]
    for _ in range(steps):
        v = momentum * v + curvatures * w
        w = w - valley.LR * v
        points.append(w.copy())
    return np.array(points)


def test_recorded_distances_are_the_heavy_ball_recursion():
    r = recorded("home_valley").results
    for momentum, key in ((0.0, "gd_distances"), (valley.MOMENTUM, "momentum_distances")):
        distances = np.linalg.norm(heavy_ball(momentum), axis=1)[r["steps"]]
        assert r[key] == pytest.approx(distances, rel=TOL)
    assert r["gd_distance"] == r["gd_distances"][-1] and r["steps"][-1] == valley.STEPS


@pytest.mark.parametrize("momentum", [0.3, 0.9])
def test_path_is_the_heavy_ball_recursion_to_1e_12(one_thread, momentum):
    # other coefficients than the page's two runs
    assert np.abs(valley.path(momentum).numpy() - heavy_ball(momentum)).max() < 1e-12


def test_gradient_descent_distances_match_the_closed_form():
    # Each coordinate shrinks by 1 - lr * curvature per step: 0.962 along, -0.9 across.
    r = recorded("home_valley").results
    lr, (flat, steep), (x0, y0) = valley.LR, valley.CURVATURES, valley.START
    assert r["gd_factor_along"] == pytest.approx(0.962, rel=2 * EPS)
    assert r["gd_factor_across"] == pytest.approx(-0.9, rel=4 * EPS)
    for k, d in zip(r["steps"], r["gd_distances"], strict=True):
        exact = np.hypot(x0 * (1 - lr * flat) ** k, y0 * (1 - lr * steep) ** k)
        assert d == pytest.approx(exact, rel=TOL)


def test_momentum_ends_over_100_times_closer_in_the_same_40_steps():
    r = recorded("home_valley").results
    assert r["closer_by"] == pytest.approx(r["gd_distance"] / r["momentum_distance"], rel=EPS)
    assert r["closer_by"] > 100 and r["over_100x_closer"]
    ends = np.linalg.norm(heavy_ball(0.0)[-1]) / np.linalg.norm(heavy_ball(valley.MOMENTUM)[-1])
    assert ends > 100


def test_gradient_descent_crosses_the_valley_floor_on_every_step():
    across = heavy_ball(0.0)[:, 1]
    assert (across[1:] * across[:-1] < 0).all()  # the zigzag: every step overshoots the floor
    across = heavy_ball(valley.MOMENTUM)[:, 1]
    assert (across[1:] * across[:-1] < 0).sum() < valley.STEPS  # momentum's swings cancel


def spectral_radius(momentum, lr=valley.LR):
    """Largest |eigenvalue| of the heavy-ball step (w, v) -> (w - lr (m v + h w), m v + h w)
    over both curvatures: an independent route to the roots of r^2 - (1 + m - lr h) r + m."""
    return max(
        max(abs(np.linalg.eigvals([[1 - lr * h, -lr * momentum], [h, momentum]])))
        for h in valley.CURVATURES
    )


def test_rates_by_momentum_and_the_middle_frame_is_the_fastest():
    r = recorded("home_valley").results
    assert r["momenta"] == list(valley.MOMENTA)
    # np.roots and np.linalg.eigvals agree to rounding, except near a double root, where the
    # error grows to sqrt(EPS) = 1.5e-8 relative: 1e-7
    for momentum, rate in zip(r["momenta"], r["rates"], strict=True):
        assert rate == pytest.approx(spectral_radius(momentum), rel=1e-7)
    # at 0.65 both directions have complex roots, of modulus sqrt(momentum)
    assert r["rates"][r["momenta"].index(0.65)] == pytest.approx(0.65**0.5, rel=1e-7)
    middle = valley.MOMENTA[len(valley.MOMENTA) // 2]  # the frame the page shows first
    assert middle == valley.MOMENTUM == r["momenta"][int(np.argmin(r["rates"]))]
    assert r["shown_is_fastest"]


def test_the_measured_distance_shrinks_at_the_rate(one_thread):
    # Over steps 300 to 600 the distance shrinks by rate^300. For momentum 0 and 0.5 the slowest
    # mode has a real root, and the others are smaller by a factor below 0.8 per step: after
    # 300 steps they are 0.8^300 = 1e-29 of it, so the measured rate is exact to rounding (the
    # 1/300-th power of a ratio known to 1e-12: 1e-14). For momentum 0.9 both directions
    # oscillate with modulus sqrt(0.9), and the distance at a step is the envelope times a phase
    # factor (over steps 300 to 900 it ranges within a factor 11). Between steps 300 and 600 it
    # changes by a factor 3.2: 3.2^(1/300) - 1 = 0.39 %, 0.0037 of the rate 0.949, under 0.005.
    for momentum, tol in ((0.0, 1e-12), (0.5, 1e-12), (0.9, 0.005)):
        points = valley.path(momentum, steps=600)
        measured = (points[600].norm() / points[300].norm()).item() ** (1 / 300)
        assert measured == pytest.approx(valley.rate(momentum), abs=tol)


def test_each_frame_is_labelled_with_its_momentum_and_rate(one_thread):
    import matplotlib.pyplot as plt

    fig = valley.draw(0.65, valley.path(0.0))
    assert fig.get_label() == f"gamma=0.65 | rho={valley.rate(0.65):.3f}"
    assert len(fig.axes[0].lines) == 3  # gradient descent, momentum, the minimum
    plt.close(fig)
    fig = valley.draw(0.0, valley.path(0.0))
    assert fig.get_label() == "gamma=0 | rho=0.962" and len(fig.axes[0].lines) == 2
    plt.close(fig)


# --- what the home page and "Check it yourself" say the tests check ----------------------------

NOT_CHECKED = {  # each item the list names, and where the site says so itself
    "nesterov/noise.md#noisy-gradients": (
        "docs/nesterov/noise.md",
        "That result is cited here, not reproduced",
    ),
    "faq/acceleration.md#acceleration": (
        "docs/faq/acceleration.md",
        "That result is cited here, not reproduced",
    ),
    "update_rule/forms.md#frameworks": (
        "docs/update_rule/forms.md",
        "Where a framework is not installed here",
    ),
    "examples/mnist_mlp.md": ("examples/mnist_mlp.py", "copied from its printed output"),
    "at_scale/launch.md#launch": (
        "docs/at_scale/launch.md",
        "The two-machine command below was not run",
    ),
    "examples/optimizer_sweep.md": ("examples/optimizer_sweep.py", "Only the CPU profile ran"),
    "cost/index.md": ("docs/cost/index.md", "### On a GPU"),
    "examples/mnist_convnet.md": ("examples/mnist_convnet.py", 'PROFILES = {"full": 30'),
}


@pytest.mark.parametrize("language", ["en", "zh"])
def test_the_site_says_what_its_tests_do_not_check(language):
    suffix = ".md" if language == "en" else ".zh.md"
    home = (ROOT / "docs" / f"index{suffix}").read_text(encoding="utf-8")
    check = (ROOT / "docs" / f"check_it_yourself{suffix}").read_text(encoding="utf-8")
    for text in (home, check):  # no page claims that every formula is checked
        assert "every formula" not in text.lower() and "每个公式" not in text
    assert "(check_it_yourself.md#not-checked)" in home
    listed = check.split("{#not-checked}", 1)[1]
    for link, (source, words) in NOT_CHECKED.items():
        assert f"]({link})" in listed, link
        assert words in (ROOT / source).read_text(encoding="utf-8"), f"{source}: {words}"
