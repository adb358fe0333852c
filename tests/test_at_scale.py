"""Claims of docs/at_scale.md: accumulation, sharded state, DiLoCo, batch size, the exercises."""

import sys

import numpy as np
import pytest
from conftest import ROOT, load_script

# The ranks of the distributed scripts import them by module name (see test_at_scale_ddp.py).
sys.path.insert(0, str(ROOT / "snippets"))
import at_scale_diloco as diloco
import at_scale_sharded as sharded

acc = load_script("snippets/at_scale_accumulation.py")
bs = load_script("snippets/at_scale_batch_size.py")
SNIPPETS = ["at_scale_ddp", "at_scale_sharded", "at_scale_diloco"]


def test_the_launcher_is_the_same_in_every_distributed_script():
    def block(stem):
        text = (ROOT / "snippets" / f"{stem}.py").read_text(encoding="utf-8")
        return text[text.index("# --8<-- [start:launch]") : text.index("# --8<-- [end:launch]")]

    assert len({block(stem) for stem in SNIPPETS}) == 1


# --- accumulation -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def accumulation():
    return acc.table(4)


def test_accumulation_with_mean_losses_equals_the_big_batch(one_thread, accumulation):
    assert accumulation["mean"] < 1e-6
    assert accumulation["scale"] > 0.1


def test_summed_losses_are_a_k_times_larger_learning_rate(accumulation):
    assert accumulation["summed"] > 0.1
    assert accumulation["summed_lr_over_k"] < 1e-6
    assert accumulation["buffer_ratio"] == pytest.approx(4.0, rel=1e-5)


def test_batchnorm_accumulation_differs_from_the_big_batch(accumulation):
    assert accumulation["batchnorm"] > 1e-2
    assert accumulation["running_mean"] > 1e-2
    assert accumulation["running_var"] > 1e-2


# --- sharded state ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def sharded_run():
    return sharded.launch(sharded.compare, 4, timeout=600)


def test_sharded_momentum_is_one_nth_per_rank(sharded_run):
    assert (sharded_run["backend"], sharded_run["world_size"]) == ("gloo", 4)
    params = 4 * (sharded.WIDTH * sharded.WIDTH + sharded.WIDTH)
    for ddp_bytes, zero_bytes, fsdp_bytes in sharded_run["bytes"]:
        assert ddp_bytes == 4 * params  # float32: the full buffer on every rank
        assert zero_bytes * 4 == ddp_bytes
        assert fsdp_bytes * 4 == ddp_bytes


def test_sharded_runs_equal_ddp(sharded_run):
    assert sharded_run["zero_gap"] == 0.0
    assert sharded_run["fsdp_gap"] < 1e-6
    assert sharded_run["scale"] > 0.05


# --- DiLoCo -------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def diloco_run():
    return diloco.launch(diloco.compare, 4, timeout=600)["runs"]


def test_diloco_outer_momentum_beats_plain_averaging(diloco_run):
    ddp, local, nesterov = (diloco_run[label] for label in diloco_run)
    assert len(ddp) == 401 and len(local) == len(nesterov) == 41
    first = lambda run: next((k for k, v in enumerate(run) if v < diloco.TARGET), None)  # noqa: E731
    below = [first(run) for run in (ddp, local, nesterov)]
    assert below[0] is None and below[1] is None
    assert below[2] == 21
    assert nesterov[-1] < 0.7 * local[-1]
    assert nesterov[-1] < 0.5 * ddp[-1]


# --- batch size ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def noise():
    return {label: bs.stationary_excess_loss(*s) for label, s in bs.SETTINGS.items()}


def test_equal_noise_scale_equal_stationary_loss(one_thread, noise):
    scales = {label: bs.noise_scale(*s) for label, s in bs.SETTINGS.items()}
    values = list(noise.values())
    assert list(scales.values())[:3] == pytest.approx([12.8] * 3)
    assert max(values[:3]) / min(values[:3]) < 1.05
    assert values[0] / values[3] == pytest.approx(8.0, rel=0.15)


def test_linear_scaling_matches_the_small_batch(one_thread):
    small = bs.train_logistic(0.002, 32, bs.EPOCHS)[0]
    scaled = bs.train_logistic(0.016, 256, bs.EPOCHS)[0]
    unscaled = bs.train_logistic(0.002, 256, bs.EPOCHS)[0]
    assert abs(scaled - small) < 1e-3
    assert unscaled > scaled + 3e-3


def test_warmup_does_not_cure_an_unstable_learning_rate_here(one_thread):
    x, _ = bs.logistic_data()
    sharpest = 0.25 * np.linalg.eigvalsh((x.T @ x / bs.N).numpy()).max()
    assert 0.016 < 3.8 / sharpest < 0.04
    small = bs.train_logistic(0.002, 32, bs.EPOCHS)[0]
    for warm in (0.0, 3.0):
        assert bs.train_logistic(0.04, 256, bs.EPOCHS, warm)[0] > 2 * small


# --- exercises ----------------------------------------------------------------------------------


def test_exercise_at_scale_1_summed_losses_need_lr_over_k():
    ex = load_script("snippets/exercise_at_scale_1.py")
    mean_w, mean_buf = ex.train(4, divide=True, lr=0.05)
    w, buf = ex.train(4, divide=False, lr=0.05 / 4)
    assert (w - mean_w).abs().max() < 1e-6
    assert (buf / mean_buf).flatten().tolist() == pytest.approx([4.0] * 4, rel=1e-5)
    w_same_lr, _ = ex.train(4, divide=False, lr=0.05)
    assert (w_same_lr - mean_w).abs().max() > 0.1


@pytest.mark.parametrize("lr, m", [(0.01, 0.0), (0.01, 0.9), (0.1, 0.9), (0.5, 0.5), (1.0, 0.8)])
def test_exercise_at_scale_2_closed_form_is_the_stationary_variance(lr, m):
    ex = load_script("snippets/exercise_at_scale_2.py")
    h, s2 = 1.0, 1.0
    # independently: the stationary covariance P = A P A^T + Q of (theta_k, theta_{k-1})
    a = np.array([[1 + m - lr * h, -m], [1.0, 0.0]])
    q = np.array([[lr**2 * s2, 0.0], [0.0, 0.0]])
    p = np.linalg.solve(np.eye(4) - np.kron(a, a), q.flatten()).reshape(2, 2)
    assert ex.closed_form(lr, h, m, s2) == pytest.approx(p[0, 0], rel=1e-12)
    assert ex.closed_form(1e-6, h, m, s2) == pytest.approx(1e-6 / (2 * (1 - m)), rel=1e-5)
    if (lr, m) in ((0.01, 0.9), (0.5, 0.5)):  # Monte Carlo: 20,000 runs, standard error of a
        # variance sqrt(2 / 19999) = 1 %: allow 3 %
        assert ex.simulated(lr, h, m, s2) / p[0, 0] == pytest.approx(1.0, abs=0.03)


def test_exercise_at_scale_3_momentum_keeps_the_noise_scale():
    ex = load_script("snippets/exercise_at_scale_3.py")
    from fractions import Fraction

    m = ex.momentum_for(Fraction("0.1"), 256, Fraction("0.9"), Fraction("0.2"), 2048)
    assert m == Fraction(39, 40)
    ratio = ex.stationary_variance(0.2, 2048, 0.975) / ex.stationary_variance(0.1, 256, 0.9)
    assert round(ratio, 3) == 1.026
