"""examples/contour_quadratic.py: the paths, the final losses the page prints, bad input."""

import numpy as np
import pytest
import torch
from conftest import load_script

m = load_script("examples/contour_quadratic.py")


pytestmark = pytest.mark.usefixtures("one_thread")


ARGS = m.parse_args([])  # the page's defaults


def test_gradient_descent_path_matches_closed_form_to_1e_12():
    """On a quadratic, GD scales coordinate i by (1 - lr * lambda_i) each step."""
    path, _ = m.descend(ARGS.lr, 0.0, ARGS.gd_steps)
    k = torch.arange(ARGS.gd_steps + 1, dtype=torch.float64)[:, None]
    factors = 1 - ARGS.lr * torch.tensor(m.LAMBDAS, dtype=torch.float64)
    expected = torch.tensor(m.START, dtype=torch.float64) * factors**k
    assert (path - expected).abs().max().item() <= 1e-12


def test_momentum_50_steps_ends_far_below_gradient_descent_100_steps():
    _, gd = m.descend(ARGS.lr, 0.0, 100)
    _, mo = m.descend(ARGS.lr, ARGS.momentum, 50)
    assert (len(gd), len(mo)) == (101, 51)  # the starting point, then one loss per step
    assert mo[-1] < gd[-1] / 1000


def test_default_momentum_is_near_critical_damping_of_the_flat_direction():
    """gamma = (1 - sqrt(lr*lambda))^2 makes the 2x2 iteration matrix's eigenvalues coincide."""
    lr, lam = ARGS.lr, m.LAMBDAS[0]
    gamma = (1 - (lr * lam) ** 0.5) ** 2
    # eigenvalues of [[1 + gamma - lr*lam, -gamma], [1, 0]]: z^2 - (1 + gamma - lr*lam) z + gamma
    assert abs((1 + gamma - lr * lam) ** 2 - 4 * gamma) <= 1e-12
    assert abs(ARGS.momentum - gamma) < 0.01
    # independently, the roots at the default momentum: (nearly) a double root, |r| = sqrt(m)
    mom = ARGS.momentum
    roots = np.roots([1.0, -(1 + mom - lr * lam), mom])
    assert np.all(np.abs(roots.imag) < 0.05 * np.abs(roots))  # barely oscillating
    assert abs(roots[0] - roots[1]) < 0.05
    assert np.abs(roots) == pytest.approx([mom**0.5] * 2, rel=0.01)


def test_too_little_and_too_much_momentum_both_end_higher():
    """The page's table: the default beats every other coefficient in it over 50 steps."""
    final = {g: m.descend(ARGS.lr, g, 50)[1][-1] for g in m.TABLE_MOMENTA}
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
