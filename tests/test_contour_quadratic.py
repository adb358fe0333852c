"""examples/contour_quadratic.py: the recorded paths and final losses against closed forms and an
independent NumPy heavy ball; bad input."""

import numpy as np
import pytest
from conftest import load_script, recorded

m = load_script("examples/contour_quadratic.py")

ARGS = m.parse_args([])  # the page's defaults
EPS = np.finfo(float).eps  # the runs are in float64
LAMBDAS = np.array(m.LAMBDAS)


def heavy_ball(lr, momentum, steps):
    """Independent of torch: theta_{k+1} = theta_k - lr g_k + momentum (theta_k - theta_{k-1}),
    from rest at START (torch's SGD buffer form is the same map while lr is constant)."""
    prev = x = np.array(m.START)
    for _ in range(steps):
        prev, x = x, x - lr * LAMBDAS * x + momentum * (x - prev)
    return x


def loss(x):
    return 0.5 * float(np.sum(LAMBDAS * x * x))


# Float64 rounding over k steps of a 2x2 linear map: each step rounds a few products of numbers
# no larger than the start (|x| <= 10), and a double or nearly double root (the default momentum is
# next to critical damping of x) carries a rounding forward growing like k: k^2 * 4 eps relative
# to the start, 2.2e-11 after 50 steps.
def rounding(steps):
    return steps**2 * 4 * EPS * 10


def test_gradient_descent_path_matches_closed_form_to_1e_12():
    """On a quadratic, GD scales coordinate i by (1 - lr * lambda_i) each step."""
    results = recorded("contour_quadratic").results
    expected = np.array(m.START) * (1 - ARGS.lr * LAMBDAS) ** ARGS.gd_steps
    # no double root: each step multiplies by a factor, so the roundings add up, k * 4 eps of
    # |x| <= 10: below 1e-12 after 100 steps
    atol = ARGS.gd_steps * 4 * EPS * 10
    assert atol < 1e-12
    np.testing.assert_allclose(results["final_point"]["gd"], expected, rtol=0, atol=atol)
    # each |x| shrinks by its factor: 100 roundings of a product, relative
    assert results["final_loss"]["gd"] == pytest.approx(loss(expected), rel=4 * ARGS.gd_steps * EPS)


def test_momentum_path_matches_an_independent_heavy_ball():
    results = recorded("contour_quadratic").results
    expected = heavy_ball(ARGS.lr, ARGS.momentum, ARGS.momentum_steps)
    atol = rounding(ARGS.momentum_steps)
    np.testing.assert_allclose(results["final_point"]["momentum"], expected, rtol=0, atol=atol)
    # the loss is 0.5 sum lambda x^2: its absolute error is at most sum lambda |x| atol
    loss_tol = float(np.sum(LAMBDAS * (np.abs(expected) + atol))) * atol
    assert results["final_loss"]["momentum"] == pytest.approx(loss(expected), abs=loss_tol)


def test_momentum_50_steps_ends_far_below_gradient_descent_100_steps():
    results = recorded("contour_quadratic").results
    final, point = results["final_loss"], results["final_point"]
    assert final["momentum"] < final["gd"] / 1000  # "far lower in half the steps"
    # "closer to the floor in both coordinates"
    assert all(abs(a) < abs(b) for a, b in zip(point["momentum"], point["gd"], strict=True))


def test_default_momentum_is_near_critical_damping_of_the_flat_direction():
    """gamma = (1 - sqrt(lr*lambda))^2 makes the 2x2 iteration matrix's eigenvalues coincide."""
    lr, lam = ARGS.lr, m.LAMBDAS[0]
    gamma = (1 - (lr * lam) ** 0.5) ** 2
    # eigenvalues of [[1 + gamma - lr*lam, -gamma], [1, 0]]: z^2 - (1 + gamma - lr*lam) z + gamma;
    # the discriminant of numbers below 4, rounded a few times: 16 eps
    assert abs((1 + gamma - lr * lam) ** 2 - 4 * gamma) <= 16 * EPS
    # the value the run prints, the same formula: a few roundings
    critical = recorded("contour_quadratic").results["critical_momentum"]
    assert critical == pytest.approx(gamma, rel=8 * EPS)
    assert abs(ARGS.momentum - gamma) < 0.01
    # independently, the roots at the default momentum: (nearly) a double root, |r| = sqrt(m);
    # 0.65 is 0.002 from 0.648, which splits the double root by about sqrt(0.002) ~ 0.05
    mom = ARGS.momentum
    roots = np.roots([1.0, -(1 + mom - lr * lam), mom])
    assert np.all(np.abs(roots.imag) < 0.05 * np.abs(roots))  # barely oscillating
    assert abs(roots[0] - roots[1]) < 0.05
    assert np.abs(roots) == pytest.approx([mom**0.5] * 2, rel=0.01)


def test_too_little_and_too_much_momentum_both_end_higher():
    """The page's table: the default beats every other coefficient in it over 50 steps."""
    table = recorded("contour_quadratic").results["table"]
    assert [g for g, _ in table] == m.TABLE_MOMENTA
    atol = rounding(ARGS.momentum_steps)
    for gamma, final in table:  # each row against the independent heavy ball
        x = heavy_ball(ARGS.lr, gamma, ARGS.momentum_steps)
        assert final == pytest.approx(
            loss(x), abs=float(np.sum(LAMBDAS * (np.abs(x) + atol))) * atol
        )
    final = dict((g, f) for g, f in table)
    assert ARGS.momentum in final
    assert all(final[ARGS.momentum] < final[g] / 100 for g in final if g != ARGS.momentum)
    assert min(m.TABLE_MOMENTA) < ARGS.momentum < max(m.TABLE_MOMENTA)


@pytest.mark.parametrize(
    "argv", [["--momentum", "1"], ["--lr", "0.05"], ["--gd-steps", "0"], ["--lr", "x"]]
)
def test_bad_options_exit_with_one_line(argv):
    with pytest.raises(SystemExit) as exc:
        m.parse_args(argv)
    assert isinstance(exc.value.code, str) and "\n" not in exc.value.code
    assert argv[0] in exc.value.code and ": error:" in exc.value.code, exc.value.code
