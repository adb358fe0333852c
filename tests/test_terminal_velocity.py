"""Claims of docs/terminal_velocity/: the limit, its speed, the effective lr, EMA, the filter.

The numbers the page quotes are read from the scripts' recorded runs and compared with closed forms,
step counts and powers of the 2x2 heavy-ball matrix computed here; the scripts' functions are run
on other inputs.
"""

import inspect
import math

import numpy as np
import pytest
from conftest import ROOT, load_script, printed, recorded

lim = load_script("snippets/terminal_velocity/terminal_velocity_limit.py")
speed = load_script("snippets/terminal_velocity/terminal_velocity_speed.py")
eff = load_script("snippets/terminal_velocity/terminal_velocity_effective_lr.py")
ema = load_script("snippets/terminal_velocity/terminal_velocity_ema.py")
filt = load_script("snippets/terminal_velocity/terminal_velocity_filter.py")

EPS = float(np.finfo(np.float64).eps)  # 2.2e-16


def rounding(steps, size, gamma):
    """Bound on the rounding error of v <- gamma v + c run for `steps` steps with |v| <= size:
    each step adds at most size * EPS, and the recursion damps old errors by gamma, so the total
    stays below size * EPS * min(steps, 1 / (1 - gamma))."""
    return size * EPS * min(steps, 1 / (1 - gamma))


# --- the limit ---------------------------------------------------------------------------------


@pytest.mark.parametrize("i", range(3))
def test_velocity_after_many_steps_equals_lr_g_over_one_minus_gamma_to_1e_6(i):
    r = recorded("terminal_velocity_limit").results
    gamma, lr, g = r["gammas"][i], 0.1, 1.0  # the page's run: lr 0.1, g 1, 5000 steps
    limit = -lr * g / (1 - gamma)
    # what is left after 5000 steps is limit * gamma^5000 (below 1e-21 for gamma 0.99), plus
    # rounding: the sum of 5000 terms below the limit, a few roundings each
    tol = abs(limit) * gamma**5000 + 4 * rounding(5000, abs(limit), gamma)
    assert tol < 1e-6
    assert r["velocity_end"][i] == pytest.approx(limit, rel=0, abs=tol)
    assert r["torch_end"][i] == pytest.approx(limit, rel=0, abs=tol)
    assert r["equals_limit"]
    assert lim.torch_step_after(0.2, gamma, -2.0, 500) == pytest.approx(
        -0.2 * -2.0 * (1 - gamma**500) / (1 - gamma),
        rel=0,
        abs=4 * rounding(500, 0.4 / (1 - gamma), gamma),
    )


@pytest.mark.parametrize("gamma", [0.5, 0.9, 0.99])
def test_every_velocity_is_the_geometric_partial_sum(gamma):
    v = lim.velocities(0.1, gamma, -3.0, 300)  # other inputs than the page's run
    size = 0.3 / (1 - gamma)  # |v_k| stays below the limit
    for k in (0, 1, 2, 10, 300):
        # the recursion's rounding plus the closed form's (gamma^k and a division: 4 roundings)
        tol = 2 * rounding(k, size, gamma) + 4 * size * EPS
        assert v[k] == pytest.approx(lim.partial_sum(0.1, gamma, -3.0, k), rel=0, abs=tol)
    r = recorded("terminal_velocity_limit").results
    assert r["partial_sums_to_rounding"]
    for gamma, gap in zip(r["gammas"], r["partial_sum_gap"], strict=True):
        assert gap <= 2 * rounding(5000, 0.1 / (1 - gamma), gamma) + 4 * 0.1 / (1 - gamma) * EPS


def test_amplification_table_2x_10x_100x():
    factors = [lim.limit(1.0, gamma, -1.0) for gamma in lim.GAMMAS]  # a step of 1 downhill
    assert factors == pytest.approx([2.0, 10.0, 100.0], rel=4 * EPS)  # two roundings each
    # The recorded run: after 5000 steps the velocity is 2x, 10x, 100x the plain step -lr g
    # (to its rounding, 4 * 100 * 100 * EPS = 1e-11 relative to 100 at most)
    r = recorded("terminal_velocity_limit").results
    assert r["amplification"] == pytest.approx([2.0, 10.0, 100.0], rel=1e-11)
    # and with another gradient and lr, in torch
    lr, g = 0.05, 3.0
    torch_ran = [lim.torch_step_after(lr, gamma, g, 5000) / (-lr * g) for gamma in lim.GAMMAS]
    assert torch_ran == pytest.approx([2.0, 10.0, 100.0], rel=1e-11)


# --- how fast ----------------------------------------------------------------------------------


def first_step_at(gamma, fraction):
    """Smallest k with 1 - gamma^k >= fraction, by counting."""
    k = 0
    while 1 - gamma**k < fraction:
        k += 1
    return k


def test_steps_to_90_percent_table():
    r = recorded("terminal_velocity_speed").results
    for gamma, k, counted in zip(r["gammas"], r["k90"], r["k90_counted"], strict=True):
        assert k == counted == first_step_at(gamma, 0.9)
        assert 1 - gamma**k >= 0.9 > 1 - gamma ** (k - 1)
    assert r["formula_is_count"]
    assert r["k90"][r["gammas"].index(0.99)] == 230  # the page's example
    assert speed.steps_to_fraction(0.8, 0.99) == first_step_at(0.8, 0.99)  # other inputs
    assert speed.simulated_steps(0.8, 0.99) == first_step_at(0.8, 0.99)


def test_half_life_table():
    r = recorded("terminal_velocity_speed").results
    for gamma, h in zip(r["gammas"], r["half_life"], strict=True):
        # gamma^h = exp(h ln gamma): a relative error EPS in h or ln gamma is EPS * |ln 0.5|
        assert gamma**h == pytest.approx(0.5, rel=8 * EPS)
        assert math.ceil(h - 1e-12) == first_step_at(gamma, 0.5)  # 1e-12: h = 1 exactly at 0.5


def test_ln10_over_one_minus_gamma_is_the_large_gamma_estimate():
    # k90 = ceil(ln 10 / -ln gamma) and -ln gamma = (1 - gamma)(1 + (1 - gamma)/2 + ...): the
    # estimate ln 10 / (1 - gamma) is off by (1 - gamma)/2 relative plus the ceiling's 1 / k90,
    # 0.005 + 0.0043 for gamma = 0.99: 1 %
    r = recorded("terminal_velocity_speed").results
    for gamma in (0.99, 0.999):
        k = r["k90"][r["gammas"].index(gamma)]
        assert k == pytest.approx(math.log(10) / (1 - gamma), rel=0.01)


# --- effective learning rate -------------------------------------------------------------------


def heavy_ball_power(lr, gamma, curvature, steps):
    """x_k for k = 0..steps along one direction, x_0 = 1, v_0 = 0, as powers of the step matrix
    (x, v) -> (x + gamma v - lr h x, gamma v - lr h x): independent of the script's loop."""
    m = np.array([[1 - lr * curvature, gamma], [-lr * curvature, gamma]])
    state, out = np.array([1.0, 0.0]), [1.0]
    for _ in range(steps):
        state = m @ state
        out.append(state[0])
    return np.array(out)


def test_same_effective_lr_same_long_run_progress():
    r = recorded("terminal_velocity_effective_lr").results
    gd = (1 - eff.EFFECTIVE_LR * eff.FLAT) ** eff.STEPS
    assert r["gd_flat_end"] == pytest.approx(gd, rel=4 * EPS * eff.STEPS)  # 3000 products
    assert r["gd_rate"] == 1 - eff.EFFECTIVE_LR * eff.FLAT
    for gamma, end in zip(r["gammas"], r["flat_end"], strict=True):
        lr = eff.EFFECTIVE_LR * (1 - gamma)
        # the same float64 products in another order, 3000 steps of values below 1, damped
        # only by the slow root: 3000 * 4 * EPS
        expected = heavy_ball_power(lr, gamma, eff.FLAT, eff.STEPS)[-1]
        assert end == pytest.approx(expected, rel=0, abs=eff.STEPS * 4 * EPS)
        # the spread is taken relative to the largest end, which is gradient descent's (to the
        # rounding above, 3000 * 4 * EPS relative)
        assert abs(end / gd - 1) <= r["flat_spread"] + eff.STEPS * 4 * EPS
    assert r["flat_spread"] == pytest.approx(1 - min(r["flat_end"]) / max(r["flat_end"]))
    # the slow root is 1 - lr h / (1 - gamma) - gamma (lr h)^2 / (1 - gamma)^3 + ...: at the
    # same lr / (1 - gamma) it moves away from 1 - lr_eff h by the second-order term, largest
    # for gamma 0.99 (2.5e-5); the page quotes the gap
    second_order = max(
        g * (eff.EFFECTIVE_LR * (1 - g) * eff.FLAT) ** 2 / (1 - g) ** 3 for g in r["gammas"][1:]
    )
    assert r["flat_rate_gap"] == pytest.approx(second_order, rel=0.2)  # third order: 20 %


def test_same_effective_lr_different_transient():
    r = recorded("terminal_velocity_effective_lr").results
    for i, gamma in enumerate(r["gammas"]):
        lr = eff.EFFECTIVE_LR * (1 - gamma)
        steep = heavy_ball_power(lr, gamma, eff.STEEP, eff.STEPS)
        # the same arithmetic in another order: rounding of values below 1, 3000 steps
        assert r["overshoot"][i] == pytest.approx(max(0.0, -steep.min()), abs=eff.STEPS * 4 * EPS)
        assert r["settle"][i] == int(np.nonzero(np.abs(steep) >= 1e-3)[0][-1]) + 1
    assert r["overshoot"][0] == 0.0
    assert r["overshoot"] == sorted(r["overshoot"]) and r["settle"] == sorted(r["settle"])
    assert r["settle"][-1] > 100 * r["settle"][0]
    # complex roots: |r| = sqrt(gamma) in the steep direction (np.roots: a few EPS relative for
    # a well-separated pair)
    assert r["steep_rate"][1:] == pytest.approx(np.sqrt(r["gammas"][1:]), rel=1e-13)
    assert r["all_inside_band"]


@pytest.mark.parametrize("gamma", eff.GAMMAS[1:])
def test_rate_is_sqrt_gamma_only_inside_the_complex_band(gamma):
    lo, hi = eff.complex_band(gamma)
    lr = eff.EFFECTIVE_LR * (1 - gamma)
    assert lo < lr * eff.STEEP < hi  # the page's three settings are all inside
    # np.roots is accurate to a few EPS relative, except near the band's ends (a double root),
    # where its error grows like sqrt(EPS / distance to the end); the points below stay 1/51 of
    # the band away from them: 1e-9 covers that
    for lr_h in np.linspace(lo, hi, 52)[1:-1]:  # inside: sqrt(gamma) whatever lr is
        assert max(abs(eff.roots(lr_h, gamma, 1.0))) == pytest.approx(math.sqrt(gamma), rel=1e-9)
    for lr_h in (0.5 * lo, 0.5 * (hi + 2 * (1 + gamma))):  # outside: real roots, a larger rate
        assert max(abs(eff.roots(lr_h, gamma, 1.0))) > math.sqrt(gamma) + 1e-6


@pytest.mark.parametrize("gamma", eff.GAMMAS)
def test_stability_limit_two_plus_two_gamma(gamma):
    lr = eff.EFFECTIVE_LR * (1 - gamma)
    h_max = eff.stability_limit(lr, gamma)
    # Independently: bisect for the curvature where heavy ball's 2x2 matrix reaches radius 1.
    lo, hi = 1e-9, 10 * h_max
    for _ in range(200):
        mid = 0.5 * (lo + hi)
        rho = max(abs(np.linalg.eigvals([[1 - lr * mid, gamma], [-lr * mid, gamma]])))
        lo, hi = (mid, hi) if rho < 1 else (lo, mid)
    # at the limit one eigenvalue is -1, a simple root: eigvals decides rho < 1 correctly up to
    # a few EPS in rho, i.e. a few EPS / |d rho / d h| in h; 1e-6 relative is far above that
    assert h_max == pytest.approx(lo, rel=1e-6)
    assert lr * lo == pytest.approx(2 + 2 * gamma, rel=1e-6)  # the page's lr h < 2 + 2 gamma
    assert max(abs(eff.roots(lr, gamma, 0.97 * h_max))) < 1
    assert max(abs(eff.roots(lr, gamma, 1.03 * h_max))) > 1
    steps = 20000 if gamma == 0.99 else 3000
    inside = eff.heavy_ball_path(lr, gamma, 0.97 * h_max, steps)
    assert abs(inside[-1]) < 1e-3
    outside = eff.heavy_ball_path(lr, gamma, 1.03 * h_max, steps)
    assert not abs(outside[-1]) < 1e3  # grows without bound (may overflow to inf or nan)


def test_stability_limits_printed():
    r = recorded("terminal_velocity_effective_lr").results
    expected = [2 * (1 + g) / (eff.EFFECTIVE_LR * (1 - g)) for g in r["gammas"]]
    assert r["h_max"] == pytest.approx(expected, rel=4 * EPS)  # the same three roundings
    assert [round(h) for h in r["h_max"]] == [4, 12, 76, 796]


# --- moving average ----------------------------------------------------------------------------


def test_ema_limit_is_g_and_sum_limit_is_g_over_one_minus_beta():
    # other inputs (g = 2, 400 steps): 0.9^400 = 5e-19 is left of the start, plus rounding
    hist_sum = ema.buffer_history("sum", 0.9, 400, g=2.0)
    hist_ema = ema.buffer_history("ema", 0.9, 400, g=2.0)
    hist_torch = ema.buffer_history("torch_ema", 0.9, 400, g=2.0)
    assert hist_sum[-1] == pytest.approx(2.0 / (1 - 0.9), rel=0, abs=4 * rounding(400, 20, 0.9))
    assert hist_ema[-1] == pytest.approx(2.0, rel=0, abs=4 * rounding(400, 2, 0.9))
    assert hist_torch == pytest.approx([2.0] * 400, rel=2 * EPS)  # 0.9 * 2 + 0.1 * 2, rounded
    assert hist_ema[0] == pytest.approx(0.2, rel=2 * EPS)
    # the recorded run: beta 0.9, g 1, 200 steps (0.9^200 = 7e-10 of the limit still missing)
    r = recorded("terminal_velocity_ema").results
    assert r["sum_final"] == pytest.approx(
        10 * (1 - 0.9**200), rel=0, abs=4 * rounding(200, 10, 0.9)
    )
    assert r["ema_final"] == pytest.approx(1 - 0.9**200, rel=0, abs=4 * rounding(200, 1, 0.9))
    assert r["dampened_first"] == 1.0


def quadratic_distance(form, lr, beta, steps=300, h=(0.1, 1.0)):
    """|x_steps| for the 'sum' or 'ema' buffer on f = sum h_i x_i^2 / 2 from x_0 = (1, 1), as a
    power of each coordinate's 2x2 step matrix (x, b) -> (x - lr b', b' = beta b + c h x)."""
    c = 1.0 if form == "sum" else 1 - beta
    ends = []
    for hi in h:
        m = np.array([[1 - lr * c * hi, -lr * beta], [c * hi, beta]])
        ends.append((np.linalg.matrix_power(m, steps) @ [1.0, 0.0])[0])
    return float(np.hypot(*ends))


def test_ema_needs_lr_over_one_minus_beta_for_the_same_run():
    r = recorded("terminal_velocity_ema").results
    # the same run to rounding: 300 steps of numbers below 2 (4 roundings a step), 2.7e-13
    assert r["converted_gap"] <= 300 * 4 * 2 * EPS and r["converted_same_run"]
    # the distances against powers of the step matrix; matrix_power multiplies in another order,
    # and its rounding, like the loop's, is at most 300 steps of a few EPS relative: 1e-12
    assert r["distance_sum"] == pytest.approx(quadratic_distance("sum", 0.1, 0.9), rel=1e-12)
    assert r["distance_copied"] == pytest.approx(quadratic_distance("ema", 0.1, 0.9), rel=1e-12)
    assert r["copied_further_by"] == pytest.approx(
        r["distance_copied"] / r["distance_sum"], rel=2 * EPS
    )
    # the page names the quadratic this ran on (not the effective-lr section's)
    assert inspect.signature(ema.quadratic_run).parameters["h"].default == (0.1, 1.0)
    assert (eff.FLAT, eff.STEEP) == (0.001, 1.0)
    assert "quadratic with curvatures 0.1 and 1, 300 steps" in printed("terminal_velocity_ema")
    page = (ROOT / "docs" / "terminal_velocity" / "index.md").read_text(encoding="utf-8")
    assert "(curvatures 0.1 and 1, not the 0.001 and 1\nof [the effective learning rate]" in page
    # other settings: beta 0.8 and lr 0.05 converted to the EMA's lr / (1 - beta)
    same = ema.quadratic_run("ema", 0.05 / (1 - 0.8), 0.8, steps=100)
    ref = ema.quadratic_run("sum", 0.05, 0.8, steps=100)
    assert (same - ref).abs().max() <= 100 * 4 * 2 * EPS


# --- the filter --------------------------------------------------------------------------------


@pytest.mark.parametrize("i", range(3))
def test_alternating_gradient_settles_at_one_over_one_plus_gamma(i):
    r = recorded("terminal_velocity_filter").results
    gamma = r["gammas"][i]
    # after 4000 steps gamma^4000 of the start-up is left (1e-18 for 0.99), plus the input's
    # phase error (pi k rounded, 4000 * pi * EPS at most, summed with weights adding up to
    # 1 / (1 - gamma)), plus rounding of values below 1 / (1 - gamma)
    phase = 4000 * math.pi * EPS / (1 - gamma)
    tol = gamma**4000 + phase + 4 * rounding(4000, 1 / (1 - gamma), gamma)
    assert r["alternating_gain"][i] == pytest.approx(1 / (1 + gamma), rel=0, abs=tol)
    assert filt.gain(gamma, math.pi) == pytest.approx(1 / (1 + gamma), rel=4 * EPS)
    # the real sequence (-1)^k: |v_k| tends to lr / (1 + gamma)
    v = 0.0
    for k in range(5000):
        v = gamma * v + 0.1 * (-1) ** k
    assert abs(v) == pytest.approx(0.1 / (1 + gamma), rel=0, abs=tol)


@pytest.mark.parametrize("i", range(3))
def test_noise_variance_of_velocity_is_lr2_sigma2_over_one_minus_gamma2(i):
    r = recorded("terminal_velocity_filter").results
    gamma = r["gammas"][i]
    exact = filt.velocity_variance_exact(gamma)
    # independently: the series lr^2 (1 + gamma^2 + gamma^4 + ...), summed term by term (5000
    # terms: gamma^10000 is left, plus the sum's rounding, 5000 * EPS relative at most)
    series = sum(0.01 * gamma ** (2 * j) for j in range(5000))
    assert exact == pytest.approx(series, rel=5000 * EPS)
    # closed form for finite N: the sum of the squared impulse response lr^2 gamma^(2j)
    assert filt.velocity_variance_exact(gamma, steps=1500) == pytest.approx(
        sum(0.01 * gamma ** (2 * j) for j in range(1500)), rel=1500 * EPS
    )
    # Monte Carlo, 20,000 chains: the standard error of a variance ratio from n samples is
    # sqrt(2 / (n - 1)) = 1 %, so 5 % is five standard errors
    assert r["mc_standard_error"] == pytest.approx(math.sqrt(2 / 19999), rel=EPS)
    assert abs(r["mc_error"][i]) < 5 * r["mc_standard_error"]
    assert r["mc_within_1pct"] == all(abs(e) < 0.01 for e in r["mc_error"])
    assert r["same_lr_variance"][i] == pytest.approx((1 - gamma) / (1 + gamma), rel=2 * EPS)


@pytest.mark.parametrize("i", range(3))
def test_parseval_mean_squared_gain_is_the_noise_factor(i):
    # The midpoint rule on a periodic analytic function is exact up to gamma^(2n) (n = 20000
    # points), far below rounding; the sum of 20000 terms rounds to 20000 * EPS relative.
    r = recorded("terminal_velocity_filter").results
    gamma = r["gammas"][i]
    assert r["mean_squared_gain"][i] == pytest.approx(1 / (1 - gamma**2), rel=20000 * EPS)
    assert filt.mean_squared_gain(0.7, n=500) == pytest.approx(1 / (1 - 0.49), rel=500 * EPS)


@pytest.mark.parametrize("omega", np.linspace(0.0, math.pi, 9).tolist())
def test_gain_formula_matches_running_the_recursion(omega):
    # 4000 steps leave 0.9^4000 = 1e-183 of the start-up. The input's phase omega k is rounded
    # by up to 4000 * pi * EPS = 2.8e-12 radians, which moves each unit term by as much; the
    # recursion sums the terms with weights adding up to 1 / (1 - 0.9) = 10, so 2.8e-11; and the
    # sum's own rounding, 10 * EPS a step, 4 roundings (complex multiply-add)
    tol = 4000 * math.pi * EPS * 10 + 4 * rounding(4000, 10, 0.9)
    assert filt.measured_gain(0.9, omega) == pytest.approx(filt.gain(0.9, omega), abs=tol)
    r = recorded("terminal_velocity_filter").results
    assert r["gain_error"] < 1e-9 and r["gain_to_1e-9"]


def test_gain_endpoints():
    for gamma in (0.5, 0.9, 0.99):
        assert filt.gain(gamma, 0.0) == pytest.approx(1 / (1 - gamma), rel=4 * EPS)
    assert filt.gain(0.9, math.pi / 2) == pytest.approx(1 / math.sqrt(1 + 0.81), rel=4 * EPS)


@pytest.mark.parametrize("gamma", [0.5, 0.9, 0.99])
def test_slow_components_keep_most_of_the_gain(gamma):
    # the gain falls with omega, so its least below 1 - gamma is at omega = 1 - gamma; as
    # gamma -> 1 that fraction of the full gain tends to 1 / sqrt(2) = 0.707
    for omega in np.linspace(0.0, 1 - gamma, 11):
        assert filt.gain(gamma, omega) >= 0.7 / (1 - gamma)
    least = filt.gain(gamma, 1 - gamma) * (1 - gamma)
    r = recorded("terminal_velocity_filter").results
    assert r["slow_gain_fraction"] <= least + 4 * EPS
    assert r["slow_gain_fraction"] >= 0.7 and r["slow_keep_70pct"]
