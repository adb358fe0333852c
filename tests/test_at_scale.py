"""Claims of docs/at_scale/: accumulation, sharded state, DiLoCo, batch size, the exercises.

The numbers come from the recorded runs (conftest.recorded); each test re-derives what it can
independently: closed forms, numpy, the snippets' functions on other inputs.
"""

import itertools
import math
from fractions import Fraction

import numpy as np
import pytest
import torch
from conftest import load_script, recorded, snippet

acc = load_script("snippets/at_scale/at_scale_accumulation.py")
bs = load_script("snippets/at_scale/at_scale_batch_size.py")
cb = load_script("snippets/at_scale/at_scale_critical_batch.py")
diloco = load_script("snippets/at_scale/at_scale_diloco.py")
sharded = load_script("snippets/at_scale/at_scale_sharded.py")
SNIPPETS = ["at_scale_ddp", "at_scale_sharded", "at_scale_diloco", "at_scale_faults"]
EPS32 = 2.0**-24  # float32's unit roundoff
EPS64 = 2.0**-53  # float64's


def float32_drift(steps, momentum, scale):
    """How far two float32 runs of the same SGD steps may drift apart when they only round
    differently (another summation order): at most about one rounding of the parameters
    (EPS32 * scale) per step, each carried on by the buffer 1 / (1 - momentum) times, added up
    over the steps. A worst case, linear in the steps."""
    return steps / (1 - momentum) * EPS32 * scale


def test_every_distributed_script_starts_its_ranks_with_the_one_launcher():
    for stem in SNIPPETS:
        text = snippet(stem).read_text(encoding="utf-8")
        assert "from _launch import launch" in text and "def launch(" not in text


# --- accumulation -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def accumulation():
    r = recorded("at_scale_accumulation").results
    return r, float32_drift(acc.STEPS, acc.MOMENTUM, r["scale"])


def test_accumulation_with_mean_losses_equals_the_big_batch(accumulation):
    r, rounding = accumulation
    assert r["mean"] < rounding
    assert r["scale"] > 0.1  # the parameters moved: the gap is small relative to them


def test_summed_losses_are_a_k_times_larger_learning_rate(accumulation):
    r, rounding = accumulation
    assert r["summed"] > rounding  # beyond what rounding can do (a worst-case bound)
    assert r["summed_lr_over_k"] < rounding
    # two float32 norms of buffers that agree to `rounding`, relative to their size
    assert r["buffer_ratio"] == pytest.approx(4.0, rel=rounding / r["scale"])


def test_weight_decay_and_clipping_see_the_summed_gradient(one_thread, accumulation):
    r, rounding = accumulation
    assert r["weight_decay"] > rounding and r["clipping"] > rounding
    assert 0 < r["clipped_steps"] < acc.STEPS  # the threshold binds on some steps, not all
    # weight decay and the threshold scaled by k give the big batch back
    assert r["weight_decay_times_k"] < rounding and r["clipping_times_k"] < rounding
    # independently: summed losses with lr / k see the coupled weight decay divided by k
    k, wd = 4, acc.WEIGHT_DECAY
    summed, _ = acc.train(k, divide=False, lr=acc.LR / k, weight_decay=wd)
    big, _ = acc.train(1, weight_decay=wd / k)
    assert acc.gap(summed, big) < rounding


def test_micro_batch_means_are_not_the_mean_over_tokens(accumulation):
    r, rounding = accumulation
    assert len(set(r["tokens_first_step"])) > 1  # the micro-batches hold different counts
    assert r["tokens_micro_mean"] > rounding
    assert r["tokens_global_mean"] < rounding
    # independently, on one batch whose token errors equal their micro-batch's index j: the
    # mean of each micro-batch's mean is the plain mean of j, the big batch's mean weighs each
    # j by its count of real tokens n_j; the sum over each micro-batch / n is the big batch's
    gen = torch.Generator().manual_seed(0)
    mask = torch.arange(8) < torch.randint(1, 9, (32, 1), generator=gen)
    errors = torch.arange(4, dtype=torch.float64).repeat_interleave(8)[:, None].expand(32, 8)
    chunks = list(zip(errors.chunk(4), mask.chunk(4), strict=True))
    counts = [int(m.sum()) for _, m in chunks]
    assert len(set(counts)) > 1
    whole = errors[mask].mean().item()
    # sums of small integers are exact in float64; each side then rounds one division
    assert whole == sum(j * n for j, n in enumerate(counts)) / sum(counts)
    assert sum(e[m].mean().item() for e, m in chunks) / 4 == 1.5 != whole
    assert sum(e[m].sum().item() for e, m in chunks) / mask.sum().item() == whole


def test_batchnorm_accumulation_differs_from_the_big_batch(accumulation):
    r, rounding = accumulation
    assert min(r["batchnorm"], r["running_mean"], r["running_var"]) > rounding


# --- sharded state ------------------------------------------------------------------------------


def test_sharded_momentum_is_one_nth_per_rank():
    r = recorded("at_scale_sharded").results
    assert (r["backend"], r["world_size"]) == ("gloo", 4)
    params = 4 * (sharded.WIDTH * sharded.WIDTH + sharded.WIDTH)  # four square layers, biases
    for ddp_bytes, zero_bytes, fsdp_bytes in r["bytes"]:
        assert ddp_bytes == 4 * params  # float32: the full buffer on every rank
        assert zero_bytes * 4 == ddp_bytes
        assert fsdp_bytes * 4 == ddp_bytes


def test_sharded_runs_equal_ddp():
    r = recorded("at_scale_sharded").results
    assert r["zero_gap"] == 0.0  # the same float32 operations in the same order
    assert r["fsdp_gap"] < float32_drift(sharded.STEPS, sharded.MOMENTUM, r["scale"])
    assert r["scale"] > 0.05


# --- DiLoCo -------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def diloco_run():
    return recorded("at_scale_diloco").results


def first_below(curve, per_point):
    """Rounds until the curve is first below the target; infinite if never."""
    for k, loss in enumerate(curve):
        if loss < diloco.TARGET:
            return k * per_point
    return math.inf


def test_diloco_reaches_the_target_in_the_fewest_rounds_on_every_seed(diloco_run):
    r, runs = diloco_run, diloco_run["runs"]
    assert (r["backend"], r["world_size"]) == ("gloo", 4)
    tuned = runs["ddp"][diloco.DDP_LRS.index(r["ddp_lr_tuned"])]
    curves = {key: runs[key] for key in diloco.OUTER}
    rounds = {key: [first_below(c, 1) for c in runs[key]] for key in curves}
    rounds["ddp_tuned"] = [first_below(c, diloco.INNER_STEPS) for c in tuned]
    for seed in range(len(diloco.SEEDS)):
        others = [rounds[key][seed] for key in rounds if key != "diloco"]
        assert rounds["diloco"][seed] < min(others)
    assert r["diloco_fewest_rounds"] is True
    shown = {k: [v if v != "never" else math.inf for v in r["rounds_to_target"][k]] for k in rounds}
    assert shown == rounds


def test_a_plain_outer_step_as_large_as_nesterovs_settled_step_diverges(diloco_run):
    # independently: torch's Nesterov SGD on a constant gradient settles at lr / (1 - momentum)
    # times it, and on one that flips sign every step at lr (1 + 2 momentum) / (1 + momentum)
    _, lr, momentum, _ = diloco.OUTER["diloco"]
    alternating = lr * (1 + 2 * momentum) / (1 + momentum)
    for flip, gain in ((1, lr / (1 - momentum)), (-1, alternating)):
        x = torch.zeros(1, dtype=torch.float64, requires_grad=True)
        opt = torch.optim.SGD([x], lr=lr, momentum=momentum, nesterov=True)
        for k in range(400):
            before = x.item()
            x.grad = torch.tensor([flip**k], dtype=torch.float64)
            opt.step()
        # the transient decays as momentum**k: 0.9**400 ~ 5e-19, below float64's rounding
        assert abs(x.item() - before) == pytest.approx(gain, rel=1e-12)
    matched_lr, matched_momentum, _ = diloco.OUTER["outer_sgd_7"][1:]
    assert (matched_lr, matched_momentum) == (pytest.approx(lr / (1 - momentum)), 0.0)
    runs = diloco_run["runs"]["outer_sgd_7"]
    assert all(len(c) < diloco.ROUNDS + 1 for c in runs)  # each run stopped: it diverged
    assert diloco_run["matched_step_diverged_by"] == max(len(c) for c in runs)
    assert diloco_run["matched_step_diverges"] is True


def test_ddp_with_a_tuned_learning_rate_ends_lowest_after_the_same_computation(diloco_run):
    r, runs = diloco_run, diloco_run["runs"]
    finals = [
        np.mean([c[-1] for c in lr]) if all(len(c) == diloco.ROUNDS + 1 for c in lr) else np.inf
        for lr in runs["ddp"]
    ]
    best = int(np.argmin(finals))
    assert r["ddp_lr_tuned"] == diloco.DDP_LRS[best]
    assert 0 < best < len(finals) - 1  # the grid brackets the best learning rate
    assert np.isinf(finals[-1])  # and reaches one that diverges
    means = {key: np.mean(v) for key, v in r["final"].items()}
    assert means == pytest.approx(r["final_mean"], rel=1e-15)  # the mean of three floats
    assert min(means, key=means.get) == "ddp_tuned" and r["tuned_ddp_lowest_mean"] is True
    rounds = [first_below(c, diloco.INNER_STEPS) for c in runs["ddp"][best]]
    assert max(rounds) < math.inf and r["tuned_ddp_reaches_target"] is True
    # after the same rounds, local SGD ends below DiLoCo on some seed: the lead is in rounds
    pairs = zip(r["final"]["local_sgd"], r["final"]["diloco"], strict=True)
    assert any(a < b for a, b in pairs) and r["local_sgd_lower_on_a_seed"] is True


def test_resetting_the_inner_buffers_changes_only_the_rounds_after_the_first(diloco_run):
    runs, r = diloco_run["runs"], diloco_run
    for kept, reset in zip(runs["diloco"], runs["diloco_reset"], strict=True):
        assert kept[:2] == reset[:2]  # round 1 starts from empty buffers either way
        assert kept[2] != reset[2]  # from round 2 on, the kept buffer makes a difference
    assert (r["final_mean"]["diloco_reset"] < r["final_mean"]["diloco"]) is r["reset_lower_mean"]
    assert r["reset_lower_mean"] is True


# --- batch size ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def batch_size():
    return recorded("at_scale_batch_size").results


def test_equal_noise_scale_equal_stationary_loss(batch_size):
    r = batch_size
    settings = list(bs.SETTINGS.values())
    scales = [lr * bs.N / (batch * (1 - m)) for lr, batch, m in settings]
    assert r["noise_scale"] == pytest.approx(scales, rel=1e-15)
    assert scales[:3] == pytest.approx([12.8] * 3) and scales[3] == pytest.approx(1.6)
    x, _ = bs.dataset()
    eig = np.linalg.eigvalsh((x.T @ x / bs.N).numpy())
    # The noise scale is the small-step limit. Exercise 2's exact variance is larger by
    # 2(1+m) / (2(1+m) - lr h); at the largest curvature that differs between the settings by:
    exact = [2 * (1 + m) / (2 * (1 + m) - lr * eig.max()) for lr, _, m in settings[:3]]
    step_term = max(exact) / min(exact) - 1  # 2.2 %
    # Monte Carlo: an excess loss is a sum of DIM squared modes (relative spread sqrt(2/DIM)),
    # averaged over 64 chains and the last 2000 steps; with momentum m a mode's energy forgets
    # itself in about 1 / (1 - m) steps (80 at m = 0.9875), so 64 * 2000 / (2 * 80) = 800
    # independent samples: a relative standard error of sqrt(2/DIM / 800) = 1.6 %; three of
    # them for the ratio of two estimates: 3 * sqrt(2) * 1.6 % = 6.7 %.
    samples = 64 * 2000 / (2 / (1 - max(m for *_, m in settings)))
    monte_carlo = 3 * math.sqrt(2) * math.sqrt(2 / bs.DIM / samples)
    values = r["excess_loss"]
    assert max(values[:3]) / min(values[:3]) - 1 == pytest.approx(r["equal_noise_spread"])
    assert r["equal_noise_spread"] < step_term + monte_carlo
    # 8 times the batch alone: 8 times less noise. The gradient noise also grows with the
    # residual, floor + excess (floor: the least-squares loss), which makes the ratio larger by
    # (floor + excess_base) / (floor + excess_big); then three standard errors of it (at m =
    # 0.9: 10-step memory, 6,400 samples, 0.56 % each).
    best = torch.linalg.lstsq(x, bs.dataset()[1]).solution
    floor = 0.5 * (x @ best - bs.dataset()[1]).pow(2).mean().item()
    expected = 8 * (floor + values[0]) / (floor + values[3])
    error = 3 * math.sqrt(2) * math.sqrt(2 / bs.DIM / (64 * 2000 / 20))
    assert r["larger_batch_ratio"] == pytest.approx(expected, rel=error)


def test_linear_scaling_matches_the_small_batch(batch_size):
    small, unscaled, scaled, *_ = batch_size["final_loss"]
    assert (abs(scaled - small) < 1e-3) is batch_size["scaled_within_1e-3"] is True
    assert (scaled < unscaled) is batch_size["scaled_beats_unscaled"] is True


def test_warmup_does_not_cure_an_unstable_learning_rate_here(batch_size):
    r = batch_size
    x, _ = bs.logistic_data()
    sharpest = 0.25 * np.linalg.eigvalsh((x.T @ x / bs.N).numpy()).max()  # independently
    assert r["sharpest"] == pytest.approx(sharpest, rel=1e-12)  # two float64 eigensolvers
    assert 0.016 < 2 * (1 + 0.9) / sharpest < 0.04 and r["lr_004_beyond_limit"] is True
    small, _, scaled, scaled_warm, unstable, unstable_warm = r["final_loss"]
    assert min(unstable, unstable_warm) > 2 * small and r["warmup_fails_at_004"] is True
    assert scaled_warm > scaled and r["warmup_costs_stable_run"] is True


# --- critical batch size -----------------------------------------------------------------------


@pytest.fixture(scope="module")
def critical():
    return recorded("at_scale_critical_batch").results


def initial_loss():
    return 0.5 * (cb.DIRECTIONS * cb.CURVATURES).sum() * cb.THETA0**2


def sgd_closed_form_losses(lr, batch, steps):
    """Independently, SGD's expected loss after 1 ... steps steps: in each direction
    E[x_k^2] = x* + (1 - lr h)^(2k) (x_0^2 - x*), with x* = lr s^2 / (h (2 - lr h)), s^2 = h / B."""
    h = cb.CURVATURES
    fixed = lr * (h / batch) / (h * (2 - lr * h))
    k = np.arange(1, steps + 1)[:, None]
    x2 = fixed + (1 - lr * h) ** (2 * k) * (cb.THETA0**2 - fixed)
    return x2 @ (0.5 * cb.DIRECTIONS * h)


def test_sgd_steps_are_the_closed_form_at_every_batch_size(critical):
    target = cb.TARGET * initial_loss()
    stable = cb.LRS[cb.LRS * cb.CURVATURES.max() < 2]
    rows = zip(critical["batches"], critical["steps"]["sgd"], critical["lr"]["sgd"], strict=True)
    for batch, steps, lr in rows:
        losses = np.array([sgd_closed_form_losses(eta, batch, steps) for eta in stable])
        # the recursion rounds a few times a step, the closed form a few times in all: their
        # losses differ by less than 8 roundings a step, relative (a sum of positive terms, each
        # contracting). No loss comes that close to the target, so both decide every step alike.
        assert np.abs(losses - target).min() > 8 * steps * EPS64 * target
        assert (losses[:, :-1] > target).all()  # no learning rate gets there sooner
        assert stable[np.argmax(losses[:, -1] <= target)] == lr  # the first that gets there


def flow_examples(rates, momentum=0.0):
    """Independently, B times the steps as B -> 0 with lr = rate * B: the noise floor lr s^2 /
    (2h) = rate / 2 and the decay e^(-2 h t) at time t = lr k / (1 - momentum) of gradient flow
    (momentum at small steps is SGD with lr / (1 - momentum)); the fewest over the rates."""
    h, target = cb.CURVATURES, cb.TARGET * initial_loss()
    best = math.inf
    for rate in np.asarray(rates) / (1 - momentum):

        def loss(t, rate=rate):
            floor = rate / 2
            x2 = floor + np.exp(-2 * h * t) * (cb.THETA0**2 - floor)
            return 0.5 * (cb.DIRECTIONS * h * x2).sum()

        if loss(1e9) > target:
            continue  # its noise floor is above the target
        lo, hi = 0.0, 1e9
        for _ in range(200):  # bisection to float64 resolution: the loss falls with t
            lo, hi = (lo, (lo + hi) / 2) if loss((lo + hi) / 2) <= target else ((lo + hi) / 2, hi)
        best = min(best, hi / rate)
    return best


def test_small_batches_approach_the_flow_limit(critical):
    """Perfect scaling: B x steps tends to a constant, the examples of gradient flow."""
    for name, momentum in (("sgd", 0.0), ("momentum", cb.MOMENTUM)):
        limit = flow_examples(cb.LRS, momentum)  # at batch B the rates are LRS / B: B = 1 ...
        assert flow_examples(cb.LRS / 2, momentum) == pytest.approx(limit, rel=1e-12)  # ... or 2
        deviation = [
            abs(b * s / limit - 1)
            for b, s in zip(critical["batches"][:3], critical["steps"][name][:3], strict=True)
        ]
        # a step of lr differs from the flow by a relative O(lr h) in each direction: at most
        # lr h_max / (1 - momentum); the deviation shrinks with the batch, as lr does
        assert deviation[0] < critical["lr"][name][0] * cb.CURVATURES.max() / (1 - momentum)
        assert deviation[0] < deviation[1] < deviation[2]
        # the halving the page quotes
        steps = critical["steps"][name]
        assert critical["halving"][name] == [steps[0] / steps[1], steps[1] / steps[2]]


@pytest.mark.parametrize("index", [4, 8])  # B = 16: noise-limited; B = 256: curvature-limited
def test_the_moment_recursion_is_the_mean_of_simulated_runs(critical, one_thread, index):
    batch = critical["batches"][index]
    lr, steps = critical["lr"]["momentum"][index], critical["steps"]["momentum"][index]
    h = torch.tensor(cb.CURVATURES)
    weights = torch.tensor(0.5 * cb.DIRECTIONS * cb.CURVATURES)
    chains, gen = 2000, torch.Generator().manual_seed(0)
    theta = torch.full((chains, len(h)), cb.THETA0, dtype=torch.float64, requires_grad=True)
    opt = torch.optim.SGD([theta], lr=lr, momentum=cb.MOMENTUM)
    x2 = np.full(len(h), cb.THETA0**2)
    xb, b2 = np.zeros_like(x2), np.zeros_like(x2)
    for step in range(1, steps + 1):
        noise = torch.randn(chains, len(h), generator=gen, dtype=torch.float64)
        theta.grad = h * theta.detach() + noise * (h / batch).sqrt()
        opt.step()
        x2, xb, b2 = cb.moments_step(x2, xb, b2, lr, cb.MOMENTUM, cb.CURVATURES, h.numpy() / batch)
        if step in (steps // 4, steps):
            loss = theta.detach().pow(2) @ weights  # one loss per run
            # a mean of 2,000 independent runs: 4 standard errors, a false alarm once in 16,000
            error = 4 * loss.std().item() / math.sqrt(chains)
            assert loss.mean().item() == pytest.approx(cb.expected_loss(x2), abs=error)


@pytest.mark.parametrize("lr, m, h", [(0.1, 0.9, 1.0), (0.5, 0.5, 1.0), (1.0, 0.8, 0.3)])
def test_the_moment_recursion_settles_at_exercise_2s_variance(lr, m, h):
    # the map (E[x^2], E[xb], E[b^2]) -> M z + q, read off the snippet's step; its fixed point
    q = np.array(cb.moments_step(0.0, 0.0, 0.0, lr, m, h, 1.0))
    M = np.column_stack([np.array(cb.moments_step(*e, lr, m, h, 1.0)) - q for e in np.eye(3)])
    fixed = np.linalg.solve(np.eye(3) - M, q)
    ex = load_script("snippets/at_scale/exercise_at_scale_2.py")
    # a 3x3 float64 solve: rounding of order 1e-16 times its condition number (< 1e3 here)
    assert fixed[0] == pytest.approx(ex.closed_form(lr, h, m, 1.0), rel=1e-12)


def test_steps_flatten_beyond_a_critical_batch_and_momentum_moves_it(critical):
    r = critical
    for name in ("sgd", "momentum"):
        steps = r["steps"][name]
        # a larger batch only lowers the noise, which enters every E[x_k^2] with a non-negative
        # weight, for every learning rate: the fewest steps can only fall
        assert all(a >= b for a, b in itertools.pairwise(steps))
        crit = r["batches"][0] * steps[0] / steps[-1]  # McCandlish et al.'s E_min / S_min
        assert r["critical_batch"][name] == pytest.approx(crit, rel=1e-15)
        assert (1 - steps[-1] / steps[-2] < 0.02) is True
    assert r["flat_at_large"] is True
    # from B = 32 on, SGD's tuned learning rate is the largest the grid has below 2 / h_max
    cap = cb.LRS[cb.LRS * cb.CURVATURES.max() < 2].max()
    assert all(lr == cap for b, lr in zip(r["batches"], r["lr"]["sgd"], strict=True) if b >= 32)
    assert r["sgd_lr_at_limit"] is True
    assert min(min(h) for h in r["halving"].values()) > 1.9 and r["perfect_scaling_small"] is True
    sgd, mom = r["steps"]["sgd"], r["steps"]["momentum"]
    assert r["ratio"] == [s / m for s, m in zip(sgd, mom, strict=True)]
    assert abs(sgd[0] / mom[0] - 1) < 0.02 and r["momentum_equal_small"] is True
    assert sgd[-1] / mom[-1] > 4 and r["momentum_fewer_large"] is True
    crit = r["critical_batch"]
    assert crit["momentum"] > 2 * crit["sgd"] and r["momentum_critical_larger"] is True


# --- exercises ----------------------------------------------------------------------------------


def test_exercise_at_scale_1_summed_losses_need_lr_over_k(one_thread):
    r = recorded("exercise_at_scale_1").results
    # lr 0.05 / 4 on gradients 4 times larger: scaling by 4 = 2**2 is exact in binary floating
    # point, so the weights agree exactly and the buffer is exactly 4 times as large
    assert r["weight_gap"][1] == 0.0 and r["buffer_ratio"][1] == 4.0
    assert r["weight_gap"][0] > 0.1  # the same lr: another run
    # independently, on other inputs: 8 micro-batches and lr / 8
    ex = load_script("snippets/at_scale/exercise_at_scale_1.py")
    w, buf = ex.train(8, divide=False, lr=0.05 / 8)
    mean_w, mean_buf = ex.train(8, divide=True, lr=0.05)
    assert torch.equal(w, mean_w) and torch.equal(buf, 8 * mean_buf)


def stationary_variance(lr, h, m, s2):
    """Independently: the stationary covariance P = A P A^T + Q of (theta_k, theta_{k-1})."""
    a = np.array([[1 + m - lr * h, -m], [1.0, 0.0]])
    q = np.array([[lr**2 * s2, 0.0], [0.0, 0.0]])
    return np.linalg.solve(np.eye(4) - np.kron(a, a), q.flatten()).reshape(2, 2)[0, 0]


@pytest.mark.parametrize("lr, m", [(0.01, 0.0), (0.01, 0.9), (0.1, 0.9), (0.5, 0.5), (1.0, 0.8)])
def test_exercise_at_scale_2_closed_form_is_the_stationary_variance(lr, m):
    ex = load_script("snippets/at_scale/exercise_at_scale_2.py")
    exact = stationary_variance(lr, 1.0, m, 1.0)
    # a 4x4 float64 solve: rounding of order 1e-15 times its condition number (< 1e3 here)
    assert ex.closed_form(lr, 1.0, m, 1.0) == pytest.approx(exact, rel=1e-12)
    assert ex.closed_form(1e-6, 1.0, m, 1.0) == pytest.approx(1e-6 / (2 * (1 - m)), rel=1e-5)


def test_exercise_at_scale_2_simulations_agree_with_the_exact_variance():
    ex = load_script("snippets/at_scale/exercise_at_scale_2.py")
    r = recorded("exercise_at_scale_2").results
    for (lr, m), simulated in zip(ex.SETTINGS, r["simulated"], strict=True):
        # 20,000 independent runs: a variance's standard error is sqrt(2 / 19,999) = 1 %
        assert simulated / stationary_variance(lr, 1.0, m, 1.0) == pytest.approx(1.0, abs=0.03)
    assert r["largest_deviation"] < 0.03


def test_exercise_at_scale_3_momentum_keeps_the_noise_scale():
    r = recorded("exercise_at_scale_3").results
    # independently: lr / (B (1 - m)) = 0.1 / (256 * 0.1) at lr 0.2 and B 2048
    m = 1 - Fraction("0.2") / 2048 / (Fraction("0.1") / 256 / Fraction("0.1"))
    assert m == Fraction(39, 40) and r["momentum_new"] == float(m)
    assert r["curvatures"] == [1.0, 5.0]
    for h, ratio in zip(r["curvatures"], r["ratio_at_new_momentum"], strict=True):
        new = stationary_variance(0.2, h, float(m), 1 / 2048)
        old = stationary_variance(0.1, h, 0.9, 1 / 256)
        assert ratio == pytest.approx(new / old, rel=1e-12)  # as in exercise 2
