"""The explorable figures: each script's recorded frames form the full grid of its parameters, and
every frame's readout equals an independent computation for its values (roots, eigenvalues of the
map that one update step applies, closed forms, counted steps). The frames are the run the page
shows (its record), not a new run; the scripts are imported only for their settings."""

import itertools
import math

import numpy as np
import pytest
from conftest import load_script, recorded, snippet

from docrun.explore import frames_of


def frames(stem):
    """[(params, readout, results)] of the recorded frames: what the label says (as the page
    shows it) beside the unrounded numbers the script exported for the same frame."""
    record = recorded(stem)
    labelled = frames_of(record.figures)
    exported = record.results["frames"]
    assert len(labelled) == len(exported)
    return [(f.params, f.readout, r) for f, r in zip(labelled, exported, strict=True)]


@pytest.fixture(scope="module")
def terminal_velocity():
    return frames("terminal_velocity_explore"), load_script(snippet("terminal_velocity_explore"))


@pytest.fixture(scope="module")
def quadratic():
    return frames("quadratic_explore"), load_script("snippets/quadratic/quadratic_explore.py")


@pytest.fixture(scope="module")
def damping():
    return frames("quadratic_damping_explore"), load_script(snippet("quadratic_damping_explore"))


@pytest.fixture(scope="module")
def nesterov():
    return frames("nesterov_explore"), load_script("snippets/nesterov/nesterov_explore.py")


@pytest.fixture(scope="module")
def noise():
    return frames("nesterov_noise_explore"), load_script(snippet("nesterov_noise_explore"))


def assert_full_grid(frames, **axes):
    """Every combination of the values appears exactly once, and no other parameter does; each
    label names the values its exported numbers were computed for."""
    seen = [tuple(sorted(params.items())) for params, _, _ in frames]
    grid = [
        tuple(sorted(zip(axes, (f"{v:g}" for v in values), strict=True)))
        for values in itertools.product(*axes.values())
    ]
    assert sorted(seen) == sorted(grid)
    assert len(set(seen)) == len(seen)
    for params, _, exported in frames:
        assert {name: f"{exported[name]:g}" for name in params} == params


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
    frames, script = terminal_velocity
    assert 8 <= len(frames) <= 20
    assert_full_grid(frames, gamma=script.GAMMAS)


def test_terminal_velocity_readout_k90_is_the_counted_step_and_limit_is_one_over_one_minus_gamma(
    terminal_velocity,
):
    for params, readout, exported in terminal_velocity[0]:
        gamma = exported["gamma"]
        v, k = 0.0, 0
        while v < 0.9 / (1 - gamma):  # count steps of v <- gamma v + 1 (lr g = 1)
            v, k = gamma * v + 1.0, k + 1
        assert exported["k90"] == int(readout["k90"]) == k, params
        # 1/(1 - gamma) in float64: a few ulps; the label shows 4 significant digits
        assert exported["limit"] == pytest.approx(1 / (1 - gamma), rel=1e-14)
        assert readout["limit"] == f"{exported['limit']:.4g}"


# --- the quadratic picture ------------------------------------------------------------------

# Two moduli within 1e-6 are a tie: a double root computed in float64 splits by sqrt(eps) ~ 1e-8.
TIE = 1e-6


def quadratic_rate_and_regime(alpha, beta, curvatures=(0.01, 1.0)):
    """From numpy.roots: rho, and the regime of the direction that sets it; where both
    directions tie, both regimes in the order of the curvatures, joined by "+"."""
    roots = {lam: np.roots([1.0, -(1 + beta - alpha * lam), beta]) for lam in curvatures}
    rho = max(np.abs(r).max() for r in roots.values())
    if rho >= 1:
        return rho, "diverges"
    kinds = []
    for r in roots.values():
        if np.abs(r).max() > rho - TIE:
            if abs(r[0] - r[1]) < TIE:
                kinds.append("critical")
            else:
                kinds.append("under" if abs(r[0].imag) > 1e-9 else "over")
    return rho, "+".join(dict.fromkeys(kinds))


def test_quadratic_frames_form_the_alpha_beta_grid(quadratic):
    frames, script = quadratic
    assert len(frames) <= 40
    assert_full_grid(frames, alpha=script.ALPHAS, beta=script.BETAS)


def test_quadratic_readout_rho_and_regime_match_numpy_roots(quadratic):
    for params, readout, exported in quadratic[0]:
        rho, regime = quadratic_rate_and_regime(exported["alpha"], exported["beta"])
        # numpy.roots' companion-matrix eigenvalues: a double root splits by ~sqrt(eps) = 1e-8
        assert exported["rho"] == pytest.approx(rho, abs=TIE)
        assert readout["rho"] == f"{exported['rho']:.3f}"
        assert exported["regime"] == readout["regime"] == regime, params


def test_quadratic_grid_covers_every_regime_and_names_both_at_its_one_mixed_tie(quadratic):
    regimes = {readout["regime"]: params for params, readout, _ in quadratic[0]}
    assert set(regimes) == {"over", "under", "diverges", "critical+under"}
    # alpha = 1, beta = 0.81: the flat direction has a double root 0.9, the steep one a complex
    # pair of modulus sqrt(0.81) = 0.9
    assert regimes["critical+under"] == {"alpha": "1", "beta": "0.81"}


def test_quadratic_error_curves_follow_rho(quadratic):
    """The larger error |x_k| / |x_0| after the last step ends below (1 + k) rho^k (a double
    root adds the factor k) when rho < 1, and above 1 when it diverges."""
    frames, script = quadratic
    k = script.STEPS
    for params, _, exported in frames:
        rho, end = exported["rho"], exported["end_error"]
        if exported["regime"] == "diverges":
            assert end > 1, params
        else:
            assert end <= 10 * (1 + k) * rho**k, params


def test_quadratic_fastest_grid_point_is_next_to_the_optimum(quadratic):
    """The page: the smallest rho on the grid is at alpha = 3.3, beta = 0.67, beside Polyak's
    optimum (3.31, 0.67) with rate 0.8182: within one grid step, and slower."""
    frames, script = quadratic
    best = recorded("quadratic_explore").results["best"]
    assert best == min((exported for _, _, exported in frames), key=lambda f: f["rho"])
    kappa = script.L / script.MU
    polyak_beta = ((math.sqrt(kappa) - 1) / (math.sqrt(kappa) + 1)) ** 2
    polyak_alpha = 4 / (math.sqrt(script.L) + math.sqrt(script.MU)) ** 2
    assert (best["alpha"], best["beta"]) == (3.3, 0.67)
    assert abs(best["alpha"] - polyak_alpha) < 0.1 and abs(best["beta"] - polyak_beta) < 0.01
    assert best["rho"] > (math.sqrt(kappa) - 1) / (math.sqrt(kappa) + 1)


# --- damping: the two roots -----------------------------------------------------------------


def test_damping_frames_form_the_beta_grid(damping):
    frames, script = damping
    assert 8 <= len(frames) <= 20
    assert_full_grid(frames, beta=script.BETAS)


def test_damping_readout_moduli_and_regime_match_numpy_roots(damping):
    frames, script = damping
    for _params, readout, exported in frames:
        beta = exported["beta"]
        r = np.roots([1.0, -(1 + beta - script.H), beta])
        moduli = sorted(np.abs(r), reverse=True)
        # numpy.roots vs the closed form: a double root splits by ~sqrt(eps) = 1e-8
        assert exported["abs_z1"] == pytest.approx(moduli[0], abs=TIE)
        assert exported["abs_z2"] == pytest.approx(moduli[1], abs=TIE)
        assert (readout["abs_z1"], readout["abs_z2"]) == (
            f"{exported['abs_z1']:.4f}",
            f"{exported['abs_z2']:.4f}",
        )
        if abs(r[0] - r[1]) < TIE:
            assert exported["regime"] == "critical"
        else:
            assert exported["regime"] == ("under" if abs(r[0].imag) > 1e-9 else "over")
        assert readout["regime"] == exported["regime"]
    assert {exported["regime"] for _, _, exported in frames} == {"over", "critical", "under"}


def test_damping_roots_meet_at_beta_0_64_with_the_smallest_modulus(damping):
    """The page: the real roots meet at beta = (1 - sqrt(h))^2 = 0.64, where |z| = 0.8 is the
    smallest modulus of the grid."""
    frames, script = damping
    critical = [exported for _, _, exported in frames if exported["regime"] == "critical"]
    assert [f["beta"] for f in critical] == [pytest.approx((1 - math.sqrt(script.H)) ** 2)]
    smallest = min((exported for _, _, exported in frames), key=lambda f: f["abs_z1"])
    assert smallest is critical[0]
    assert smallest["abs_z1"] == pytest.approx(1 - math.sqrt(script.H), abs=TIE)


# --- Nesterov on the valley -----------------------------------------------------------------


def test_nesterov_frames_form_the_mu_grid(nesterov):
    frames, script = nesterov
    assert 8 <= len(frames) <= 20
    assert_full_grid(frames, mu=script.MUS)


def test_nesterov_readout_rates_are_the_eigenvalues_of_one_update_step(nesterov):
    frames, script = nesterov
    for params, readout, exported in frames:
        mu = exported["mu"]
        for method, name in (("heavy ball", "rho_hb"), ("Nesterov", "rho_nag")):
            rho = max(
                np.abs(np.linalg.eigvals(one_step_map(method, mu, script.LR * lam))).max()
                for lam in script.CURVATURES
            )
            # two eigenvalue computations of the same 2x2 matrix; a defective one (mu at its
            # critical value) splits by ~sqrt(eps) = 1e-8
            assert exported[name] == pytest.approx(rho, abs=TIE), (params, method)
            assert readout[name] == f"{exported[name]:.4f}"


def test_nesterov_rates_smallest_at_0_8_and_nesterov_ahead_from_there(nesterov):
    """The page: up to mu = 0.7 Nesterov's rate is slightly larger than heavy ball's, from 0.8 on
    smaller; on this grid both are smallest at mu = 0.8."""
    rates = {f["mu"]: (f["rho_hb"], f["rho_nag"]) for _, _, f in nesterov[0]}
    for mu, (hb, nag) in rates.items():
        if mu == 0:
            assert nag == pytest.approx(hb, abs=1e-15)  # the same method without momentum
        else:
            assert (nag > hb) if mu <= 0.7 else (nag < hb), mu
    assert min(rates, key=lambda mu: rates[mu][0]) == min(rates, key=lambda mu: rates[mu][1]) == 0.8
    results = recorded("nesterov_explore").results  # what the page quotes
    assert results["same_fastest_mu"] is True
    assert results["fastest"]["rho_hb"]["rho_hb"] == min(hb for hb, _ in rates.values())
    assert results["fastest"]["rho_nag"]["rho_nag"] == min(nag for _, nag in rates.values())


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
    frames, script = noise
    assert 8 <= len(frames) <= 20
    assert_full_grid(frames, batch=script.BATCHES)


def test_noise_readout_floors_match_closed_form_and_impulse_response(noise):
    frames, script = noise
    lam = script.LAM
    (_, lr_sgd, _), (_, lr_mom, mu) = script.RUNS
    # the slowest direction's response decays like 0.999^k: 8000 terms leave (0.999^2)^8000
    # ~ 1e-7 of its sum out
    unit = impulse_response_floor(lr_mom, mu, 1.0, lam)  # floors scale with sigma^2
    for _params, readout, exported in frames:
        sigma = script.SIGMA_1 / math.sqrt(exported["batch"])
        sgd = np.sum(lr_sgd * sigma**2 / (2 * (2 - lr_sgd * lam)))  # plain SGD's closed form
        # a 4x4 solve against a closed form and a truncated sum: far inside 1e-6
        assert exported["floor_sgd"] == pytest.approx(sgd, rel=1e-6)
        assert exported["floor_mom"] == pytest.approx(unit * sigma**2, rel=1e-6)
        assert readout["floor_sgd"] == script.short(exported["floor_sgd"])
        assert readout["floor_mom"] == script.short(exported["floor_mom"])


def test_noise_curves_flatten_onto_the_readout_floors(noise):
    """Over the second half of the run, each drawn curve's mean is within 5 % of its floor: the
    mean over 20 seeds x 1000 correlated steps of a loss whose relative spread per draw is
    about sqrt(2/100) (a sum of 100 squared Gaussians) leaves a standard error near 1 %."""
    for params, _, exported in noise[0]:
        for tail, floor in zip(
            exported["tail_means"], (exported["floor_sgd"], exported["floor_mom"]), strict=True
        ):
            assert tail == pytest.approx(floor, rel=0.05), params


def test_noise_floors_halve_with_each_doubling_and_keep_their_ratio_0_75(noise):
    floors = {f["batch"]: (f["floor_sgd"], f["floor_mom"]) for _, _, f in noise[0]}
    for batch, (sgd, mom) in floors.items():
        # floors are sigma^2 times a constant: exact up to float64 rounding
        assert sgd * batch == pytest.approx(floors[1][0], rel=1e-12)
        assert mom * batch == pytest.approx(floors[1][1], rel=1e-12)
        assert mom / sgd == pytest.approx(0.75, abs=0.005)
