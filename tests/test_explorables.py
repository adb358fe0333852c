"""The explorable figures: each script's frames form the full grid of its parameters, and every
frame's readout equals an independent computation for its values (roots, eigenvalues of the map
that one update step applies, closed forms, counted steps)."""

import itertools
import math
import runpy
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pytest

SNIPPETS = Path(__file__).resolve().parents[1] / "snippets"


def parse(label):
    """'a=1, b=2 | r=3' -> ({'a': '1', 'b': '2'}, {'r': '3'})."""
    params, _, readout = label.partition(" | ")
    return tuple(
        dict(p.split("=", 1) for p in t.split(", ")) if t else {} for t in (params, readout)
    )


def draw_frames(stem):
    """Run snippets/STEM.py as `python` would; for each plt.show(): (params, readout, lines),
    lines holding the (x, y) data of every line drawn, one list per axes."""
    frames = []

    def show(*args, **kwargs):
        fig = plt.gcf()
        lines = [[(ln.get_xdata(), ln.get_ydata()) for ln in ax.get_lines()] for ax in fig.axes]
        frames.append((*parse(fig.get_label()), lines))
        plt.close("all")

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(plt, "show", show)
        namespace = runpy.run_path(str(SNIPPETS / f"{stem}.py"), run_name="__main__")
    return frames, namespace


@pytest.fixture(scope="module")
def terminal_velocity():
    return draw_frames("terminal_velocity_explore")


@pytest.fixture(scope="module")
def quadratic():
    return draw_frames("quadratic_explore")


@pytest.fixture(scope="module")
def damping():
    return draw_frames("quadratic_damping_explore")


@pytest.fixture(scope="module")
def nesterov():
    return draw_frames("nesterov_explore")


@pytest.fixture(scope="module")
def noise():
    return draw_frames("nesterov_noise_explore")


def assert_full_grid(frames, **axes):
    """Every combination of the values appears exactly once, and no other parameter does."""
    seen = [tuple(sorted(params.items())) for params, _, _ in frames]
    grid = [
        tuple(sorted(zip(axes, (f"{v:g}" for v in values), strict=True)))
        for values in itertools.product(*axes.values())
    ]
    assert sorted(seen) == sorted(grid)
    assert len(set(seen)) == len(seen)


def one_step_map(method, mu, h):
    """The 2x2 matrix of (x, v) -> (x', v') for one step on f = x^2 / 2 with lr * lambda = h,
    built by applying the update to the unit vectors: v' = mu v - h * (gradient point)."""
    columns = []
    for x, v in ((1.0, 0.0), (0.0, 1.0)):
        point = x + mu * v if method == "Nesterov" else x
        v_new = mu * v - h * point
        columns.append((x + v_new, v_new))
    return np.array(columns).T


# --- Why 1/(1 - gamma) ----------------------------------------------------------------------


def test_terminal_velocity_frames_form_the_gamma_grid(terminal_velocity):
    frames, ns = terminal_velocity
    assert 8 <= len(frames) <= 20
    assert_full_grid(frames, gamma=ns["GAMMAS"])


def test_terminal_velocity_readout_k90_is_the_counted_step_and_limit_is_one_over_one_minus_gamma(
    terminal_velocity,
):
    for params, readout, _ in terminal_velocity[0]:
        gamma = float(params["gamma"])
        v, k = 0.0, 0
        while v < 0.9 / (1 - gamma):  # count steps of v <- gamma v + 1 (lr g = 1)
            v, k = gamma * v + 1.0, k + 1
        assert int(readout["k90"]) == k
        assert float(readout["limit"]) == pytest.approx(1 / (1 - gamma), rel=5e-4)


# --- the quadratic picture ------------------------------------------------------------------


def quadratic_rate_and_regime(alpha, beta, curvatures=(0.01, 1.0)):
    """From numpy.roots: rho, and the regime of the direction(s) that set it (real roots beat a
    double root, which beats a complex pair)."""
    roots = {lam: np.roots([1.0, -(1 + beta - alpha * lam), beta]) for lam in curvatures}
    rho = max(np.abs(r).max() for r in roots.values())
    if rho >= 1:
        return rho, "diverges"
    kinds = set()
    for r in roots.values():
        if np.abs(r).max() > rho - 1e-6:
            if abs(r[0] - r[1]) < 1e-6:
                kinds.add("critical")
            else:
                kinds.add("under" if abs(r[0].imag) > 1e-9 else "over")
    return rho, next(k for k in ("over", "critical", "under") if k in kinds)


def test_quadratic_frames_form_the_alpha_beta_grid(quadratic):
    frames, ns = quadratic
    assert len(frames) <= 40
    assert_full_grid(frames, alpha=ns["ALPHAS"], beta=ns["BETAS"])


def test_quadratic_readout_rho_and_regime_match_numpy_roots(quadratic):
    for params, readout, _ in quadratic[0]:
        rho, regime = quadratic_rate_and_regime(float(params["alpha"]), float(params["beta"]))
        assert float(readout["rho"]) == pytest.approx(rho, abs=5e-4)
        assert readout["regime"] == regime, params


def test_quadratic_grid_covers_every_regime(quadratic):
    regimes = [readout["regime"] for _, readout, _ in quadratic[0]]
    assert set(regimes) == {"over", "critical", "under", "diverges"}


def test_quadratic_error_curves_follow_rho(quadratic):
    """The drawn errors |x_k| / |x_0| end below (1 + k) rho^k (a double root adds the factor k)
    when rho < 1, and above 1 when it diverges."""
    for params, readout, lines in quadratic[0]:
        (k, err_mu), (_, err_l) = lines[1][:2]
        rho, end = float(readout["rho"]), max(abs(err_mu[-1]), abs(err_l[-1]))
        if readout["regime"] == "diverges":
            assert end > 1, params
        else:
            assert end <= 10 * (1 + k[-1]) * rho ** k[-1], params


# --- damping: the two roots -----------------------------------------------------------------


def test_damping_frames_form_the_beta_grid(damping):
    frames, ns = damping
    assert 8 <= len(frames) <= 20
    assert_full_grid(frames, beta=ns["BETAS"])


def test_damping_readout_moduli_and_regime_match_numpy_roots(damping):
    frames, ns = damping
    for params, readout, _ in frames:
        beta = float(params["beta"])
        r = np.roots([1.0, -(1 + beta - ns["H"]), beta])
        moduli = sorted(np.abs(r), reverse=True)
        assert float(readout["abs_z1"]) == pytest.approx(moduli[0], abs=5e-5)
        assert float(readout["abs_z2"]) == pytest.approx(moduli[1], abs=5e-5)
        if abs(r[0] - r[1]) < 1e-6:
            assert readout["regime"] == "critical"
        else:
            assert readout["regime"] == ("under" if abs(r[0].imag) > 1e-9 else "over")
    assert {readout["regime"] for _, readout, _ in frames} == {"over", "critical", "under"}


# --- Nesterov on the valley -----------------------------------------------------------------


def test_nesterov_frames_form_the_mu_grid(nesterov):
    frames, ns = nesterov
    assert 8 <= len(frames) <= 20
    assert_full_grid(frames, mu=ns["MUS"])


def test_nesterov_readout_rates_are_the_eigenvalues_of_one_update_step(nesterov):
    frames, ns = nesterov
    for params, readout, _ in frames:
        mu = float(params["mu"])
        for method, name in (("heavy ball", "rho_hb"), ("Nesterov", "rho_nag")):
            rho = max(
                np.abs(np.linalg.eigvals(one_step_map(method, mu, ns["LR"] * lam))).max()
                for lam in ns["CURVATURES"]
            )
            assert float(readout[name]) == pytest.approx(rho, abs=5e-5), (params, method)


# --- gradient noise -------------------------------------------------------------------------


def impulse_response_floor(lr, mu, sigma, curvatures, terms=8000):
    """Stationary mean f = sum over directions of lam/2 * Var(x), where Var(x) is sigma^2 times
    the sum of squares of x's response to one unit of noise, summed term by term."""
    total = 0.0
    for lam in curvatures:
        M = one_step_map("Nesterov", mu, lr * lam)
        state, acc = np.array([-lr, -lr]), 0.0  # a unit noise in g moves v and x by -lr
        for _ in range(terms):
            acc += state[0] ** 2
            state = M @ state
        total += 0.5 * lam * sigma**2 * acc
    return total


def test_noise_frames_form_the_batch_grid(noise):
    frames, ns = noise
    assert 8 <= len(frames) <= 20
    assert_full_grid(frames, batch=ns["BATCHES"])


def test_noise_readout_floors_match_closed_form_and_impulse_response(noise):
    frames, ns = noise
    lam = ns["LAM"]
    (_, lr_sgd, _), (_, lr_mom, mu) = ns["RUNS"]
    unit = impulse_response_floor(lr_mom, mu, 1.0, lam)  # floors scale with sigma^2
    for params, readout, _ in frames:
        sigma = ns["SIGMA_1"] / math.sqrt(float(params["batch"]))
        sgd = np.sum(lr_sgd * sigma**2 / (2 * (2 - lr_sgd * lam)))  # plain SGD's closed form
        assert float(readout["floor_sgd"]) == pytest.approx(sgd, rel=5e-3)
        assert float(readout["floor_mom"]) == pytest.approx(unit * sigma**2, rel=5e-3)


def test_noise_curves_flatten_onto_the_readout_floors(noise):
    """Over the second half of the run, each drawn curve's mean is within 5 % of its floor."""
    frames, ns = noise
    for params, readout, lines in frames:
        curves = [(k, loss) for k, loss in lines[0] if len(k) > 2]  # not the dashed floors
        for (k, loss), name in zip(curves, ("floor_sgd", "floor_mom"), strict=True):
            tail = loss[np.asarray(k) >= ns["STEPS"] // 2]
            assert tail.mean() == pytest.approx(float(readout[name]), rel=0.05), params


def test_quadratic_fastest_grid_point_is_next_to_the_optimum(quadratic):
    """The page: the smallest rho on the grid is at alpha = 3.3, beta = 0.67, rho = 0.819, beside
    Polyak's optimum (3.31, 0.67) with rate 0.8182."""
    best = min(quadratic[0], key=lambda frame: float(frame[1]["rho"]))
    assert best[0] == {"alpha": "3.3", "beta": "0.67"}
    assert best[1]["rho"] == "0.819"


def test_damping_roots_meet_at_beta_0_64_with_the_smallest_modulus(damping):
    """The page: the real roots meet at beta = 0.64, where |z| = 0.8 is the smallest."""
    frames = damping[0]
    critical = [(p, r) for p, r, _ in frames if r["regime"] == "critical"]
    assert critical == [
        ({"beta": "0.64"}, {"abs_z1": "0.8000", "abs_z2": "0.8000", "regime": "critical"})
    ]
    assert min(float(r["abs_z1"]) for _, r, _ in frames) == 0.8


def test_nesterov_rates_smallest_at_0_8_and_nesterov_ahead_from_there(nesterov):
    """The page: up to mu = 0.7 Nesterov's rate is slightly larger than heavy ball's, from 0.8 on
    smaller; on this grid both are smallest at mu = 0.8 (0.8944 and 0.8863)."""
    rates = {float(p["mu"]): (float(r["rho_hb"]), float(r["rho_nag"])) for p, r, _ in nesterov[0]}
    for mu, (hb, nag) in rates.items():
        assert (nag > hb) if 0 < mu <= 0.7 else (nag < hb) if mu >= 0.8 else (nag == hb)
    assert min(rates, key=lambda mu: rates[mu][0]) == min(rates, key=lambda mu: rates[mu][1]) == 0.8
    assert rates[0.8] == (0.8944, 0.8863)


def test_noise_floors_halve_with_each_doubling_and_keep_their_ratio_0_75(noise):
    floors = {
        int(p["batch"]): (float(r["floor_sgd"]), float(r["floor_mom"])) for p, r, _ in noise[0]
    }
    for batch, (sgd, mom) in floors.items():
        assert sgd * batch == pytest.approx(floors[1][0], rel=5e-3)
        assert mom * batch == pytest.approx(floors[1][1], rel=5e-3)
        assert mom / sgd == pytest.approx(0.75, abs=0.005)
