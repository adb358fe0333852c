"""Every closed form on the quadratic page, checked numerically; the numbers the page quotes,
read from the recorded runs and compared with independent computations."""

import functools
import math

import numpy as np
import pytest
from conftest import load_script, recorded

eb = load_script("snippets/quadratic/quadratic_eigenbasis.py")
rm = load_script("snippets/quadratic/quadratic_rate_map.py")
dm = load_script("snippets/quadratic/quadratic_damping.py")
op = load_script("snippets/quadratic/quadratic_optimal.py")

EPS = np.finfo(float).eps  # 2.2e-16
# A double root of z^2 - t z + beta computed in float64: the discriminant t^2 - 4 beta (t^2 = 4 beta
# <= 4 there) carries a rounding of a few eps * 4, and its square root turns that into
# sqrt(4 * 4 eps) = 6e-8 on |z|; the same holds for the eigenvalues of the defective 2x2 matrix.
DOUBLE_ROOT = 4 * math.sqrt(EPS)


def largest_root(alpha, beta, lam):
    """Independent of the snippets: the larger |root| by numpy.roots (companion eigenvalues)."""
    return np.abs(np.roots([1.0, -(1 + beta - alpha * lam), beta])).max()


def test_heavy_ball_splits_into_2x2_recurrences_to_1e_12():
    # the page's run: its largest gap, against one rounding (eps) of the largest |x| per step and
    # coordinate (100 steps, 5 coordinates), which is below 1e-12
    results = recorded("quadratic_eigenbasis").results
    assert results["gap_max"] <= results["rounding_bound"] < 1e-12
    assert results["recurrences_agree"]
    # and the snippet's functions on other inputs: 7 directions, other settings and rotation
    lams = np.array([0.02, 0.3, 0.9, 2.0, 3.1, 4.5, 4.8])
    alpha, beta, steps = 0.5, 0.3, 150  # alpha * 4.8 = 2.4 < 2 + 2 beta: stable
    A, Q = eb.random_quadratic(lams, seed=3)
    theta0 = np.random.default_rng(4).uniform(-1, 1, len(lams))
    x = eb.heavy_ball(A, theta0, alpha, beta, steps) @ Q
    rounding = steps * len(lams) * EPS * np.abs(x).max()  # the same bound
    for i, lam in enumerate(lams):
        c = 1 + beta - alpha * lam  # the recurrence, written out here
        rec = [x[0, i], x[0, i]]
        for _ in range(steps):
            rec.append(c * rec[-1] - beta * rec[-2])
        np.testing.assert_allclose(x[:, i], rec[1:], rtol=0, atol=rounding)


def test_spectral_radius_closed_form_matches_eigenvalues():
    rng = np.random.default_rng(0)
    for alpha, beta, lam in zip(
        rng.uniform(0, 5, 3000), rng.uniform(0, 0.999, 3000), rng.uniform(0, 2, 3000), strict=True
    ):
        by_eig = np.abs(np.linalg.eigvals(eb.iteration_matrix(alpha, beta, lam))).max()
        # away from a double root both agree to a few eps; next to one, to DOUBLE_ROOT
        assert eb.spectral_radius(alpha, beta, lam) == pytest.approx(by_eig, abs=DOUBLE_ROOT)
        assert rm.spectral_radius(alpha, beta, lam) == pytest.approx(by_eig, abs=DOUBLE_ROOT)


def test_eigenbasis_record_matches_numpy_roots():
    results = recorded("quadratic_eigenbasis").results
    alpha, beta = 0.4, 0.5
    lams = [0.01, 0.1, 1.0, 7.0, 7.4]
    expected = [largest_root(alpha, beta, lam) for lam in lams]
    # distinct roots (none of these five is a double root): a few eps of |z| <= 1 each way
    np.testing.assert_allclose(results["rho_eigvals"], expected, rtol=0, atol=16 * EPS)
    np.testing.assert_allclose(results["rho_closed_form"], expected, rtol=0, atol=16 * EPS)
    assert results["closed_form_agrees"]
    assert results["limit"] == (2 + 2 * beta) / alpha == 7.5
    assert results["rho_at_8"] == pytest.approx(largest_root(alpha, beta, 8.0), rel=16 * EPS)
    assert results["rho_at_8"] > 1 and results["diverges_at_8"]
    assert max(expected) < 1  # lambda = 7.4, just inside the limit, converges


@pytest.mark.parametrize("beta", [0.0, 0.3, 0.5, 0.9, 0.99])
def test_stability_boundary_on_both_sides(beta):
    # A relative step of 1e-6 across an edge moves rho by about 1e-6 (a simple root crosses
    # -1 or +1 with nonzero speed), far more than float64 rounding of rho (a few eps).
    edge = 2 + 2 * beta  # upper edge: alpha lambda = 2 + 2 beta
    assert eb.spectral_radius(edge * (1 - 1e-6), beta, 1.0) < 1
    assert eb.spectral_radius(edge * (1 + 1e-6), beta, 1.0) > 1
    assert eb.spectral_radius(1e-6, beta, 1.0) < 1  # lower edge: alpha lambda = 0
    assert eb.spectral_radius(-1e-6, beta, 1.0) > 1
    hs = np.linspace(1e-3, edge - 1e-3, 400)  # and stable everywhere in between
    assert max(eb.spectral_radius(h, beta, 1.0) for h in hs) < 1


def test_worst_rate_over_the_interval_is_at_an_end():
    rng = np.random.default_rng(1)
    lams = np.linspace(rm.MU, rm.L, 2001)  # its ends are MU and L exactly
    for alpha, beta in zip(rng.uniform(0, 4.2, 300), rng.uniform(0, 0.999, 300), strict=True):
        # no tolerance: the ends are in the grid, computed by the same IEEE operations
        assert rm.spectral_radius(alpha, beta, lams).max() <= rm.rate(alpha, beta, rm.MU, rm.L)


@pytest.mark.parametrize("kappa", [10, 100, 1000])
def test_optimal_momentum_parameters_and_rate(kappa):
    mu, L = 1 / kappa, 1.0
    alpha, beta = rm.optimal(mu, L)
    # the same formula rounded differently: a few eps
    assert alpha == pytest.approx((2 / (math.sqrt(L) + math.sqrt(mu))) ** 2, rel=8 * EPS)
    # both ends critically damped: double roots at lambda = mu and lambda = L; a few roundings,
    # amplified by the cancellation in 1 - sqrt(beta) (1/(1 - sqrt beta) < 20 here)
    assert alpha * mu == pytest.approx((1 - math.sqrt(beta)) ** 2, rel=200 * EPS)
    assert alpha * L == pytest.approx((1 + math.sqrt(beta)) ** 2, rel=8 * EPS)
    rho_star = (math.sqrt(kappa) - 1) / (math.sqrt(kappa) + 1)
    assert rm.rate(alpha, beta, mu, L) == pytest.approx(rho_star, abs=DOUBLE_ROOT)
    assert op.optimal_momentum(mu, L)[2] == pytest.approx(rho_star, rel=8 * EPS)
    # nothing on a fine grid beats it (up to the rounding of a rate next to a double root)
    A, B = np.meshgrid(np.linspace(0.001, 4.2, 800) / L, np.linspace(0, 0.999, 800))
    assert rm.rate(A, B, mu, L).min() >= rho_star - DOUBLE_ROOT


@pytest.mark.parametrize("kappa", [10, 100, 1000])
def test_optimal_gradient_descent_rate(kappa):
    mu, L = 1 / kappa, 1.0
    alpha, rho = op.optimal_gd(mu, L)
    assert rho == pytest.approx((kappa - 1) / (kappa + 1), rel=8 * EPS)  # a few roundings
    # beta = 0: the roots are 1 - alpha lambda and 0, no square root of a small discriminant
    assert rm.rate(alpha, 0.0, mu, L) == pytest.approx(rho, abs=8 * EPS)
    alphas = np.linspace(0.001, 2.5, 20001)
    assert rm.rate(alphas, 0.0, mu, L).min() >= rho - 8 * EPS


def test_rate_map_printed_rows():
    results = recorded("quadratic_rate_map").results
    mu, L = rm.MU, rm.L
    a_opt = (2 / (math.sqrt(L) + math.sqrt(mu))) ** 2  # 4/1.21
    b_opt = ((math.sqrt(L / mu) - 1) / (math.sqrt(L / mu) + 1)) ** 2  # (9/11)^2
    assert results["alpha_opt"] == pytest.approx(a_opt, rel=8 * EPS)  # a few roundings
    assert results["beta_opt"] == pytest.approx(b_opt, rel=8 * EPS)
    assert results["alpha_gd"] == pytest.approx(2 / (L + mu), rel=8 * EPS)
    rows = {
        "gd": (2 / (L + mu), 0.0),
        "optimal": (a_opt, b_opt),
        "beta_0_9": (a_opt, 0.9),
        "beta_0_5": (a_opt, 0.5),
        "alpha_1": (1.0, 0.9),
    }
    for name, (a, b) in rows.items():
        expected = max(largest_root(a, b, mu), largest_root(a, b, L))
        # the optimum has double roots at both ends: DOUBLE_ROOT; elsewhere that bounds it too
        assert results["rate"][name] == pytest.approx(expected, abs=DOUBLE_ROOT), name
    assert results["rate"]["optimal"] == pytest.approx(9 / 11, abs=DOUBLE_ROOT)  # rho*
    assert results["rate"]["beta_0_9"] == pytest.approx(math.sqrt(0.9), abs=8 * EPS)
    assert results["rate"]["beta_0_5"] > 1 and results["beta_0_5_diverges"]  # diverges
    assert a_opt * L > 2 + 2 * 0.5  # because alpha* L = 3.31 is beyond the edge for beta = 0.5
    assert results["rate"]["beta_0_9"] > results["rate"]["optimal"] and results["beta_0_9_slower"]


@pytest.mark.parametrize("h", [0.001, 0.04, 0.25, 0.8])
def test_critical_damping_gives_the_smallest_rate_1_minus_sqrt_h(h):
    betas = np.linspace(0, 0.999, 20001)
    step = betas[1] - betas[0]
    rhos = np.array([dm.spectral_radius(h, b) for b in betas])
    b_crit = dm.critical_beta(h)
    assert (1 + b_crit - h) ** 2 == pytest.approx(4 * b_crit, rel=16 * EPS)  # a double root
    # The rate has a V-shaped minimum at b_crit: to its right sqrt(beta), of slope 1/(2 sqrt
    # beta); to its left a square-root cusp, steeper than any slope. So the grid's best point is
    # within one grid step of b_crit, and its rate within step/(2 sqrt(b_crit)) above 1 - sqrt h.
    assert abs(betas[rhos.argmin()] - b_crit) <= step
    rise = step / (2 * math.sqrt(b_crit))
    assert 1 - math.sqrt(h) - DOUBLE_ROOT <= rhos.min() <= 1 - math.sqrt(h) + rise
    assert dm.spectral_radius(h, b_crit) == pytest.approx(1 - math.sqrt(h), abs=DOUBLE_ROOT)


def test_damping_record():
    results = recorded("quadratic_damping").results
    h = dm.H
    assert results["beta_critical"] == pytest.approx((1 - math.sqrt(h)) ** 2, rel=8 * EPS)
    assert results["rate_critical"] == pytest.approx(1 - math.sqrt(h), rel=8 * EPS)
    for name, beta in {"gd": 0.0, "beta_0_3": 0.3, "beta_0_9": 0.9}.items():
        expected = largest_root(1.0, beta, h)
        assert results["rate"][name] == pytest.approx(expected, abs=16 * EPS), name
    assert results["rate"]["critical"] == pytest.approx(1 - math.sqrt(h), abs=DOUBLE_ROOT)
    # the script's grid search: 2000 points on [0, 0.999]; the bounds of the test above
    step = 0.999 / 1999
    assert abs(results["beta_grid_min"] - (1 - math.sqrt(h)) ** 2) <= step
    rise = step / (2 * (1 - math.sqrt(h)))
    assert 1 - math.sqrt(h) - DOUBLE_ROOT <= results["rate_grid_min"] <= 1 - math.sqrt(h) + rise


def test_damping_regimes():
    x_over = dm.trajectory(dm.H, 0.3, 200)
    x_under = dm.trajectory(dm.H, 0.9, 200)
    assert np.all(x_over > 0)  # overdamped: no sign change
    assert np.any(x_under < 0)  # underdamped: rings through zero
    # against the roots: real and positive below b_crit, a complex pair above
    assert np.all(np.isreal(np.roots([1, -(1 + 0.3 - dm.H), 0.3])))
    assert np.all(np.iscomplex(np.roots([1, -(1 + 0.9 - dm.H), 0.9])))


@pytest.mark.parametrize("kappa", [10, 1000])
def test_double_root_trajectories_have_the_k_factor(kappa):
    mu, L = 1 / kappa, 1.0
    alpha, beta, rho = op.optimal_momentum(mu, L)
    prev, x = np.ones(2), np.ones(2)
    lams = np.array([mu, L])
    steps = 300
    # Rounding alpha and beta (a few eps) splits each double root by about sqrt(eps); over k
    # steps that moves x_k by about (k sqrt(eps))^2 = k^2 eps relative: 2e-11 at k = 300.
    # Absolute: each step's rounding (a few eps of the largest |x|, under 15 here) is carried
    # forward growing at most linearly (a double root): steps * 4 eps * 15.
    rtol, atol = steps**2 * EPS, steps * 4 * EPS * 15
    for k in range(1, steps):
        prev, x = x, x - alpha * lams * x + beta * (x - prev)
        expected = [(1 + k * (1 - rho)) * rho**k, (1 + k * (1 + rho)) * (-rho) ** k]
        np.testing.assert_allclose(x, expected, rtol=rtol, atol=atol)


def momentum_count(kappa, tol):
    """Independently: 1 + the last k at which |x_k| = (1 + k(1 + rho)) rho^k (the slower
    direction, exactly, in real arithmetic) is above tol, and how close any |x_k| came to tol."""
    rho = (math.sqrt(kappa) - 1) / (math.sqrt(kappa) + 1)
    k = np.arange(0, 20 * math.ceil(math.log(tol) / math.log(rho)))
    size = (1 + k * (1 + rho)) * rho**k
    return int(k[size > tol].max()) + 1, np.abs(np.log(size / tol)).min()


def gd_count(kappa, tol):
    """Independently: |x_k| = ((kappa - 1)/(kappa + 1))^k in both directions."""
    log_rho = math.log((kappa - 1) / (kappa + 1))
    n = math.log(tol) / log_rho
    return math.ceil(n), abs(n - round(n)) * -log_rho  # and how close an |x_k| came to tol (log)


def test_measured_iteration_counts_equal_predicted():
    results = recorded("quadratic_optimal").results
    for kappa in op.KAPPAS:
        row = results["kappa"][str(kappa)]
        n_mom, margin_mom = momentum_count(kappa, op.TOL)
        n_gd, margin_gd = gd_count(kappa, op.TOL)
        # The counts are exact integers only if no |x_k| lies within rounding of tol (margins: log
        # distances). Gradient descent's |x_k| carries a relative rounding of at most k * 4 eps
        # (k < 7e4: 6e-11); momentum's, next to its double roots, about k^2 eps (k < 1100: 3e-10).
        assert margin_gd > 7e4 * 4 * EPS and margin_mom > 1100**2 * EPS
        assert row["steps_gd"] == row["predicted_gd"] == n_gd, kappa
        assert row["steps_momentum"] == row["predicted_momentum"] == n_mom, kappa
    assert results["counts_as_predicted"]
    # the snippet's run and prediction on other inputs (small enough to run here)
    for kappa, tol in [(20, 1e-4), (200, 1e-8), (50, 1e-10)]:
        mu, L = 1 / kappa, 1.0
        a_gd, _ = op.optimal_gd(mu, L)
        a, b, _ = op.optimal_momentum(mu, L)
        assert op.iterations(a_gd, 0.0, [mu, L], tol) == op.predicted_gd(kappa, tol)
        assert op.iterations(a, b, [mu, L], tol) == op.predicted_momentum(kappa, tol)
        assert op.predicted_momentum(kappa, tol) == momentum_count(kappa, tol)[0]


def test_fitted_slopes_half_and_one():
    results = recorded("quadratic_optimal").results
    kappas = np.array(op.KAPPAS, dtype=float)
    x = np.log(kappas)
    gd = np.array([gd_count(k, op.TOL)[0] for k in op.KAPPAS])
    mom = np.array([momentum_count(k, op.TOL)[0] for k in op.KAPPAS])
    rho = (np.sqrt(kappas) - 1) / (np.sqrt(kappas) + 1)
    rho_only = np.ceil(np.log(op.TOL) / np.log(rho))
    assert [results["kappa"][str(k)]["steps_rho_only"] for k in op.KAPPAS] == rho_only.tolist()
    slopes = {
        "slope_gd": np.polyfit(x, np.log(gd), 1)[0],
        "slope_momentum": np.polyfit(x, np.log(mom), 1)[0],
        "slope_rho_only": np.polyfit(x, np.log(rho_only), 1)[0],
    }
    for name, slope in slopes.items():  # the same fit of the same integers: a few eps
        assert results[name] == pytest.approx(slope, abs=1e-12), name
    # How far can the fitted slope be from the exact one? A least-squares slope is
    # sum w_i log(n_i) with w_i = (x_i - mean x) / sum (x - mean x)^2, so moving each log(n_i) by
    # at most d_i moves it by at most sum |w_i| d_i. Rounding up to whole steps moves log(n) by at
    # most log(1 + 1/n); -log(rho) = 2 artanh(1/sqrt(kappa)) (artanh(1/kappa) for gradient
    # descent) is not exactly 2/sqrt(kappa) (2/kappa), which moves log(n) by log(s artanh(1/s)).
    w = (x - x.mean()) / ((x - x.mean()) ** 2).sum()
    s = np.sqrt(kappas)
    d_rho_only = np.maximum(np.log1p(1 / rho_only), np.log(s * np.arctanh(1 / s)))
    d_gd = np.maximum(np.log1p(1 / gd), np.log(kappas * np.arctanh(1 / kappas)))
    assert abs(results["slope_rho_only"] - 0.5) <= np.abs(w) @ d_rho_only  # 0.0066
    assert abs(results["slope_gd"] - 1.0) <= np.abs(w) @ d_gd  # 0.0017
    # Momentum needs (1 + k(1 + rho)) rho^k <= tol: k (-log rho) = log(1/tol) + log(1 + k(1 +
    # rho)), so log(mom) - log(rho_only) = log(1 + log(1 + mom (1 + rho)) / log(1/tol)) up to
    # the rounding up of both counts: the slope of that term is what momentum has beyond 1/2.
    k_share = np.log1p(np.log1p(mom * (1 + rho)) / math.log(1 / op.TOL))
    excess = results["slope_momentum"] - results["slope_rho_only"]
    bound = np.abs(w) @ (np.log1p(1 / mom) + np.log1p(1 / rho_only))  # 0.012
    assert abs(excess - np.polyfit(x, k_share, 1)[0]) <= bound
    # "fall short by up to 36 %, more than a third": the largest shortfall, at kappa = 10^4
    short = 1 - rho_only / mom
    assert results["shortfall_percent"] == pytest.approx(100 * short.max(), abs=1e-12)
    assert results["shortfall_kappa"] == op.KAPPAS[int(short.argmax())] == 10000
    assert short.max() > 1 / 3 and results["shortfall_over_third"]


# The edge of stability: a small network trained full batch
# (snippets/quadratic/quadratic_sharpening.py).
# The snippet imports torch, so only the tests below load it.
@functools.cache
def sharpening():
    return load_script("snippets/quadratic/quadratic_sharpening.py")


def full_hessian(net, x, y):
    """The Hessian of half the mean squared error over the flat weights, all of it at once by
    torch.autograd.functional.hessian (the snippet only ever forms Hessian-vector products)."""
    import torch

    names, shapes = zip(*((n, p.shape) for n, p in net.named_parameters()), strict=True)
    flat = torch.cat([p.detach().reshape(-1) for p in net.parameters()])

    def loss(w):
        pieces = w.split([math.prod(s) for s in shapes])
        weights = {n: t.view(s) for n, t, s in zip(names, pieces, shapes, strict=True)}
        return 0.5 * ((torch.func.functional_call(net, weights, (x,)) - y) ** 2).mean()

    return torch.autograd.functional.hessian(loss, flat)


def check_top_eigenvalue(lam, H, points, v=None):
    """lam (and v) from the snippet's power iteration against eigvalsh of the whole Hessian H."""
    import torch

    eig = torch.linalg.eigvalsh(H).tolist()
    top, second = eig[-1], eig[-2]
    # Rounding: each entry of H is a mean over `points` float64 products, computed by two
    # different autograd paths, and eigvalsh is backward stable: (points + n) eps ||H|| each way.
    rounding = (points + len(eig)) * EPS * max(abs(eig[0]), top)
    assert top > abs(eig[0])  # the top eigenvalue dominates: power iteration converges to it
    residual = 1e-3 * lam  # the snippet's stopping rule, tol = 1e-3, bounds |Hv - lam v|
    if v is not None:  # and here is the residual itself
        v = v / v.norm()
        assert (H @ v - lam * v).norm().item() <= residual + rounding
        residual = (H @ v - lam * v).norm().item()
    # A Rayleigh quotient lies below the top eigenvalue, and by the Kato-Temple bound above it by
    # at most |r|^2 / (lam - second) once lam is past the second eigenvalue.
    assert lam > second
    assert -rounding <= top - lam <= residual**2 / (lam - second) + rounding


def test_power_iteration_finds_the_top_eigenvalue_of_the_full_hessian(one_thread):
    import torch

    qs = sharpening()
    # The page's own network before its first step: the recorded start of all three runs.
    runs = recorded("quadratic_sharpening").results["runs"]
    starts = {r["sharpness"][0] for r in runs.values()}
    assert len(starts) == 1  # the same network, the same first vector: the same number
    x, y = qs.make_data()
    check_top_eigenvalue(starts.pop(), full_hessian(qs.make_network(), x, y), len(x))
    # Smaller networks on other data, trained by each method until the sharpness is near its
    # limit (0.7 to 1.2 of it here; Nesterov's top two eigenvalues then 4 % apart, which is
    # where power iteration is slow).
    for lr, beta, nesterov in ((0.5, 0.0, False), (0.25, 0.9, False), (0.25, 0.9, True)):
        x, y = qs.make_data(points=40, dim=3, seed=5)
        net = qs.make_network(dim=3, width=6, seed=6)
        qs.train(lr, beta, nesterov, steps=300, every=300, data=(x, y), net=net)  # net trains
        v0 = torch.randn(sum(p.numel() for p in net.parameters()), dtype=torch.float64)
        lam, v = qs.sharpness(net, x, y, v0)
        assert lam > 0.5 * qs.limit(lr, beta, nesterov)  # sharpened past half its limit
        check_top_eigenvalue(lam, full_hessian(net, x, y), len(x), v)


def torch_sgd_matrix(lr, beta, nesterov, lam):
    """One torch.optim.SGD step on f = lam theta^2 / 2, as a matrix on (theta, momentum buffer)."""
    import torch

    columns = []
    for theta, buf in ((1.0, 0.0), (0.0, 1.0)):
        p = torch.nn.Parameter(torch.tensor([theta], dtype=torch.float64))
        opt = torch.optim.SGD([p], lr=lr, momentum=beta, nesterov=nesterov)
        if beta:
            opt.state[p]["momentum_buffer"] = torch.tensor([buf], dtype=torch.float64)
        p.grad = lam * p.detach().clone()
        opt.step()
        columns.append([p.item(), opt.state[p]["momentum_buffer"].item() if beta else 0.0])
    return np.array(columns).T


@pytest.mark.parametrize(
    ("beta", "nesterov"), [(0.0, False), (0.5, False), (0.9, False), (0.5, True), (0.9, True)]
)
def test_sharpening_limits_are_the_edges_of_torch_sgd(beta, nesterov):
    qs = sharpening()
    ne = load_script("snippets/nesterov/nesterov_eigen.py")
    lr = 0.2
    # the closed forms tested on their pages: 2 + 2 beta here (test_stability_boundary_on_both_
    # sides), (2 + 2 mu)/(1 + 2 mu) on the Nesterov page; the same formula rounded differently
    edge = ne.nesterov_stability_limit(beta) if nesterov else 2 + 2 * beta
    assert qs.limit(lr, beta, nesterov) == pytest.approx(edge / lr, rel=4 * EPS)
    # torch.optim.SGD itself, the optimizer the run uses, has its edge exactly there: a relative
    # step of 1e-6 across it moves rho by about 1e-6 (a simple root crosses -1), far more than
    # the rounding of the eigenvalues of a 2x2 matrix (a few eps)
    for factor, stable in ((1 - 1e-6, True), (1 + 1e-6, False)):
        M = torch_sgd_matrix(lr, beta, nesterov, factor * qs.limit(lr, beta, nesterov))
        assert (np.abs(np.linalg.eigvals(M)).max() < 1) == stable


def test_sharpening_record_settles_inside_the_derived_band():
    runs = recorded("quadratic_sharpening").results["runs"]
    beta, steps, every = 0.9, 2000, 20  # the page's settings
    lrs = {"gradient_descent": 0.4, "heavy_ball": 0.2, "nesterov": 0.2}
    edges = {"gradient_descent": 2.0, "heavy_ball": 2 + 2 * beta}  # lr * limit, closed forms
    edges["nesterov"] = (2 + 2 * beta) / (1 + 2 * beta)
    for name, edge in edges.items():
        r, limit = runs[name], edge / lrs[name]
        assert r["limit"] == pytest.approx(limit, rel=4 * EPS)  # one formula, rounded differently
        # "Near" from the limits alone: halfway, in ratio, to the nearest limit of the other two
        # methods at the same learning rate; nearer than that, the sharpness says which method
        # ran (1.474 = 2 / Nesterov's 1.357 for gradient descent and Nesterov, 1.9 for heavy ball)
        nearest = min(max(e / edge, edge / e) for other, e in edges.items() if other != name)
        low, high = nearest**-0.5, nearest**0.5
        assert (r["band_low"], r["band_high"]) == pytest.approx((low, high), rel=4 * EPS)
        ratio = np.array(r["sharpness"]) / limit
        at = np.arange(len(ratio)) * every
        assert at[-1] == steps
        judged = ratio[3 * at >= 2 * steps]  # the last third, from step 1340
        assert r["judged_from"] == at[3 * at >= 2 * steps][0] == 1340
        # the summary is the trace's (dividing by the limit rounds once more: a few eps)
        summary = (r["ratio_min"], r["ratio_median"], r["ratio_max"])
        assert summary == pytest.approx(
            (judged.min(), np.median(judged), judged.max()), rel=8 * EPS
        )
        # Where the medians fall depends on rounding: past the first spike of the loss the run is
        # chaotic, so another CPU's summation order moves the spikes and shifts the medians by a
        # few percent (heavy ball most). The band holds with room: with one weight moved by one
        # unit in the last place (seven such runs, as another CPU's rounding would), every median
        # stayed within 0.955 to 1.039 of its limit, and every claim below held.
        assert low <= np.median(judged) <= high and r["settles_near"], name
        # progressive sharpening: from below the limit up to it
        assert ratio[0] < 1 <= ratio.max()
        assert r["first_at_limit"] == at[np.argmax(ratio >= 1)] and r["sharpened"]
        # and, unlike a fixed curvature past its limit, back below it later
        assert ratio[at >= r["first_at_limit"]].min() < 1 and r["falls_back"]
        # the loss: up on some steps after that, yet lower at the end
        losses = r["loss_sampled"]
        assert losses[r["first_at_limit"] // every] == r["loss_at_limit"]
        assert losses[-1] == r["loss_end"] < r["loss_at_limit"] < r["loss_start"] == losses[0]
        assert r["loss_rises"] > 0 and r["loss_falls_unevenly"]
