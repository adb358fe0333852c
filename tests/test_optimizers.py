"""Claims of docs/optimizers/: each from-scratch optimizer equals its reference, QHM's special
cases, the state table, the exercises' answers, and one-line errors for bad input.

The numbers the page quotes come from the recorded runs (conftest.recorded); each test checks them
against what it can derive on its own: the reference implementation on other settings, a closed
form, a probe of the reference, matrix powers.
"""

import math
import os
import subprocess
import sys

import numpy as np
import pytest
import qhoptim.pyt
import torch
import torch_optimizer
from conftest import ROOT, load_script, printed, recorded, snippet

adam = load_script("snippets/optimizers/optimizers_adam.py")
nadam = load_script("snippets/optimizers/optimizers_nadam.py")
muon = load_script("snippets/optimizers/optimizers_muon.py")
lion = load_script("snippets/optimizers/optimizers_lion.py")
sf = load_script("snippets/optimizers/optimizers_schedulefree.py")
sff = load_script("snippets/optimizers/optimizers_schedulefree_form.py")
ablation = load_script("snippets/optimizers/optimizers_muon_ablation.py")
sweep = load_script("examples/optimizer_sweep.py")
qa = load_script("snippets/optimizers/optimizers_qhm_aggmo.py")
state = load_script("snippets/optimizers/optimizers_state.py")
ex = {n: load_script(snippet(f"exercise_optimizers_{n}")) for n in (1, 2, 3, 4)}

pytestmark = pytest.mark.usefixtures("one_thread")

# Two float64 implementations of the same update order their operations differently: each step
# differs by a few units of 2^-52 of weights of size about 1, and 200-300 such steps in a race
# whose gradients stay bounded (tanh, small learning rates) add up to about 1e-13. 1e-12 is ten
# times that, and a hundred thousand times smaller than any real difference in the update rule.
FLOAT64_RACE = 1e-12
# bfloat16 keeps 8 significant bits: each rounding is off by at most 2^-9 relative.
BF16_UNIT = 2.0**-9


@pytest.fixture
def float64_default():
    """torch.optim.NAdam keeps mu_product in the default dtype: float64 for a 1e-12 comparison."""
    previous = torch.get_default_dtype()
    torch.set_default_dtype(torch.float64)
    yield
    torch.set_default_dtype(previous)


def defaults_of(cls, *keys):
    d = cls([torch.zeros(2, 2, requires_grad=True)]).defaults
    return {k: list(d[k]) if isinstance(d[k], tuple) else d[k] for k in keys}


def test_the_defaults_the_page_quotes_are_the_installed_classes():
    """The Defaults lines quote what each script read from the installed class; read it again."""
    import inspect

    from lion_pytorch import Lion

    r = {s: recorded(s).results for s in ("optimizers_adam", "optimizers_nadam", "optimizers_muon")}
    keys = ("lr", "betas", "eps", "weight_decay")
    assert r["optimizers_adam"]["adam_defaults"] == defaults_of(torch.optim.Adam, *keys)
    assert r["optimizers_adam"]["adamw_defaults"] == defaults_of(torch.optim.AdamW, *keys)
    nadam_keys = (*keys, "momentum_decay")
    assert r["optimizers_nadam"]["defaults"] == defaults_of(torch.optim.NAdam, *nadam_keys)
    assert r["optimizers_nadam"]["defaults"]["momentum_decay"] == 4e-3  # Dozat's psi = 1/250
    muon_keys = ("lr", "weight_decay", "momentum", "nesterov", "ns_steps", "eps", "ns_coefficients")
    assert r["optimizers_muon"]["defaults"] == defaults_of(torch.optim.Muon, *muon_keys)
    assert r["optimizers_muon"]["defaults"]["ns_coefficients"] == list(muon.COEFFICIENTS)
    signature = inspect.signature(Lion).parameters
    for k, v in recorded("optimizers_lion").results["defaults"].items():
        assert v == (list(signature[k].default) if k == "betas" else signature[k].default), k


# --- Adam and AdamW -----------------------------------------------------------------------


def test_adam_and_adamw_match_torch_float64_to_1e_12():
    r = recorded("optimizers_adam").results
    assert r["adam_gap_float64"] <= FLOAT64_RACE and r["adamw_gap_float64"] <= FLOAT64_RACE
    # other settings than the page's run
    for reference, kwargs in [(torch.optim.Adam, {}), (torch.optim.AdamW, {"weight_decay": 0.1})]:
        decoupled = reference is torch.optim.AdamW
        gap, loss = adam.race(
            lambda ps, r=reference, k=kwargs: adam.Adam(
                ps, lr=3e-2, betas=(0.8, 0.99), decoupled=r is torch.optim.AdamW, **k
            ),
            lambda ps, r=reference, k=kwargs: r(ps, lr=3e-2, betas=(0.8, 0.99), **k),
            seed=1,
        )
        assert gap <= FLOAT64_RACE, (reference, decoupled)
        assert loss > 0


def test_coupled_weight_decay_matches_torch_adam_with_weight_decay():
    gap, _ = adam.race(
        lambda ps: adam.Adam(ps, lr=1e-2, weight_decay=0.1),
        lambda ps: torch.optim.Adam(ps, lr=1e-2, weight_decay=0.1),
    )
    assert gap <= FLOAT64_RACE


def test_adam_float32_agrees_to_1e_6():
    # weights of size below 1 hold float32 units of at most 2^-24 (6e-8); the recorded race ends a
    # few units apart. 1e-6 is about 17 units: room for the order of operations, not for a bug.
    assert recorded("optimizers_adam").results["adam_gap_float32"] <= 1e-6
    gap, _ = adam.race(adam.Adam, torch.optim.Adam, dtype=torch.float32, seed=2)
    assert gap <= 1e-6


def test_adam_is_moving_average_momentum_exactly_when_each_gradient_size_is_constant():
    r = recorded("optimizers_adam").results
    assert r["l1_gap"] <= FLOAT64_RACE and r["l2_gap"] > 0.1
    start, target, c = adam.problem(seed=1)  # and on another problem
    for grad_fn, exact in [(adam.l1_grad(target, c), True), (adam.l2_grad(target, c), False)]:
        path = adam.torch_adam_path(start, grad_fn, 300, lr=0.01, eps=0.0)
        sgd = adam.ema_momentum_sgd(start, grad_fn, 0.01 / c, 0.9, 300)
        gap = (path - sgd).abs().max().item()
        assert (gap <= FLOAT64_RACE) if exact else (gap > 0.1)
    # the L1 run did cross its kinks: gradient signs changed along the way
    path = adam.ema_momentum_sgd(start, adam.l1_grad(target, c), 0.01 / c, 0.9, 300)
    assert (torch.sign(path - target).diff(dim=0) != 0).any()


def test_adam_tends_to_momentum_sgd_as_eps_grows_like_one_over_eps():
    """Adam's step is (lr/eps) m_hat / (1 + sqrt(s_hat)/eps): it differs from momentum SGD's by a
    relative sqrt(s_hat)/eps, a hundredfold less per hundredfold eps. The next term, of relative
    size sqrt(s_hat)/eps <= 0.02 here (|g| <= 2 at eps >= 100), bends the ratio by at most 2 %:
    5 % is the tolerance."""
    r = recorded("optimizers_adam").results
    gaps = r["eps_gaps"]
    assert r["eps"] == [1.0, 1e2, 1e4, 1e6]
    assert gaps[1] / gaps[2] == pytest.approx(100, rel=0.05)
    assert gaps[2] / gaps[3] == pytest.approx(100, rel=0.05)
    assert r["eps_hundredfold"] and r["eps_first_fall"] == gaps[0] / gaps[1]
    start, target, c = adam.problem(seed=1)
    grad_fn = adam.l2_grad(target, c)
    sgd = adam.ema_momentum_sgd(start, grad_fn, 0.01, 0.9, 300)
    other = [
        (adam.torch_adam_path(start, grad_fn, 300, lr=0.01 * e, eps=e) - sgd).abs().max().item()
        for e in (1e3, 1e5)
    ]
    assert other[0] / other[1] == pytest.approx(100, rel=0.05)


# --- NAdam --------------------------------------------------------------------------------


def test_nadam_matches_torch_float64_to_1e_12(float64_default):
    assert recorded("optimizers_nadam").results["gap_float64"] <= FLOAT64_RACE
    gap, _ = nadam.race(
        lambda ps: nadam.NAdam(ps, lr=1e-2, betas=(0.8, 0.99), momentum_decay=0.1),
        lambda ps: torch.optim.NAdam(ps, lr=1e-2, betas=(0.8, 0.99), momentum_decay=0.1),
    )
    assert gap <= FLOAT64_RACE


def test_nadam_float32_mu_product_costs_more_than_1e_12_but_less_than_1e_9():
    """A float32 mu_product is off by about 2^-24 relative from the first step on; through the
    bias corrections that moves each early step by about that fraction of lr = 2e-3, 1e-10, far
    above float64's 1e-12 and far below 1e-9."""
    assert 1e-12 < recorded("optimizers_nadam").results["gap_float32_product"] < 1e-9
    assert torch.get_default_dtype() == torch.float32
    assert 1e-12 < nadam.race(nadam.NAdam, torch.optim.NAdam, seed=1)[0] < 1e-9


def test_nadam_mu_schedule_is_torchs(float64_default):
    assert recorded("optimizers_nadam").results["schedule_gap"] <= 1e-15  # float64, one product
    p = torch.zeros(1, requires_grad=True)  # and with another momentum_decay
    opt, products = torch.optim.NAdam([p], momentum_decay=0.1), [1.0]
    for _ in range(100):
        p.grad = torch.ones_like(p)
        opt.step()
        products.append(opt.state[p]["mu_product"].item())
    for t in range(1, 101):
        assert products[t] / products[t - 1] == pytest.approx(
            nadam.mu(t, momentum_decay=0.1), rel=1e-14
        )


def test_nadam_mu_table():
    """The page's mu_t: the closed form, typed here again, at the steps the page names."""
    table = recorded("optimizers_nadam").results["mu_t"]
    for t, value in table.items():
        assert value == pytest.approx(0.9 * (1 - 0.5 * 0.96 ** (int(t) * 0.004)), rel=1e-15)
    assert table["1"] == pytest.approx(0.45, abs=1e-4)  # half of beta1 at the start
    assert table["100000"] == pytest.approx(0.9, abs=1e-6)


def probe_nadam_step(t, gradient_at):
    """The change torch.optim.NAdam makes at step t when the only nonzero gradient, 1, comes at
    step gradient_at (t or t - 1); float64, eps 1e-8, lr 1."""
    p = torch.zeros(1, dtype=torch.float64, requires_grad=True)
    opt = torch.optim.NAdam([p], lr=1.0)
    for k in range(1, t + 1):
        before = p.detach().clone()
        p.grad = torch.full_like(p, 1.0 if k == gradient_at else 0.0)
        opt.step()
    return (before - p.detach()).item()


@pytest.mark.parametrize("t", [100, 1000])
def test_nadam_weights_on_the_gradient_and_the_new_buffer_are_torchs(t, float64_default):
    """Read NAdam's two weights off torch.optim.NAdam itself: with a single gradient 1 at step t,
    m_{k+1} = 1 - beta1 and s = 1 - beta2; with it at step t - 1 instead, g_k = 0 and
    m_{k+1} = beta1 (1 - beta1), s = beta2 (1 - beta2). The step divides by sqrt(s / (1 - beta2^t))
    + eps in both."""
    b1, b2, eps = 0.9, 0.999, 1e-8

    def denominator(s):
        return math.sqrt(s / (1 - b2**t)) + eps

    on_m = probe_nadam_step(t, t - 1) * denominator(b2 * (1 - b2)) / (b1 * (1 - b1))
    on_g = probe_nadam_step(t, t) * denominator(1 - b2) - on_m * (1 - b1)
    weights = recorded("optimizers_nadam").results["weights"][str(t)]
    assert weights["nadam_m"] == pytest.approx(on_m, rel=1e-12)
    assert weights["nadam_g"] == pytest.approx(on_g, rel=1e-12)
    assert weights["adam_m"] == pytest.approx(1 / (1 - b1**t), rel=1e-15)
    assert 0.45 < weights["nadam_m"] < 0.55 < weights["adam_m"]  # "about one half", against 1


def test_nadam_schedule_stretches_with_one_over_momentum_decay():
    """mu depends on t and psi only through t * psi: the schedule stretches with 1 / psi."""
    assert math.isclose(nadam.mu(1000, momentum_decay=4e-3), nadam.mu(2000, momentum_decay=2e-3))


# --- Muon ---------------------------------------------------------------------------------


def test_muon_matches_torch_bitwise_in_weights_and_buffer():
    r = recorded("optimizers_muon").results
    assert r["bitwise_equal"] and all(v == 0.0 for g in r["gaps"].values() for v in g.values())
    for shape in [(24, 40), (40, 24)]:  # other shapes and settings than the page's run
        gap, buf_gap = muon.race(
            lambda ps: muon.Muon(ps, lr=0.05, momentum=0.9, nesterov=False),
            lambda ps: torch.optim.Muon(ps, lr=0.05, momentum=0.9, nesterov=False),
            shape=shape,
            seed=1,
        )
        assert gap == 0.0 and buf_gap == 0.0, shape


def test_muon_tall_matrix_step_is_sqrt_rows_over_cols_larger():
    w = torch.nn.Parameter(torch.zeros(32, 8, dtype=torch.float64))
    w.grad = torch.randn(32, 8, dtype=torch.float64, generator=torch.Generator().manual_seed(0))
    muon.Muon([w], lr=0.1, weight_decay=0.0, momentum=0.0, nesterov=False).step()  # update = g
    expected = -0.1 * 2.0 * muon.newton_schulz(w.grad).double()  # sqrt(32 / 8) = 2
    assert (w.detach() - expected).abs().max().item() <= 1e-15  # the same bfloat16 result, x 2


def test_muon_docstring_sum_form_buffer_gives_the_same_direction():
    """torch's docstring writes B <- mu B + g, the code a moving average: same update after NS.
    The two inputs differ by the factor 1 / (1 - mu) = 20 and by float64 rounding; the division
    by the norm removes the factor, and five steps of a polynomial with coefficients below 5 can
    grow the rounding (2e-16) to no more than about 1e-13."""
    gen = torch.Generator().manual_seed(0)
    mu, b_sum = 0.95, torch.zeros(8, 16, dtype=torch.float64)
    b_ema = torch.zeros_like(b_sum)
    for _ in range(50):
        g = torch.randn(8, 16, generator=gen, dtype=torch.float64)
        b_sum = mu * b_sum + g
        b_ema = b_ema.lerp(g, 1 - mu)
        doc = muon.newton_schulz(g + mu * b_sum, dtype=torch.float64)
        code = muon.newton_schulz(g.lerp(b_ema, mu), dtype=torch.float64)
        assert (doc - code).abs().max().item() <= 1e-12


def test_orthogonalisation_squeezes_the_spectrum():
    r = recorded("optimizers_muon").results
    assert r["condition_before"] > 20 and r["condition_after"] < 2
    assert r["after"]["smallest"] > 0.6 and r["after"]["largest"] < 1.2  # a band around 1
    # bfloat16 against float64: five steps, each rounding to 2^-9, move a singular value by a few
    # hundredths at most
    for key in ("largest", "median", "smallest"):
        assert r["after"][key] == pytest.approx(r["exact"][key], abs=20 * BF16_UNIT)
    # Without rounding, on another layer: the singular vectors stay, each singular value s goes to
    # p(p(...p(s)))
    update = muon.layer_update(48, 96, seed=1)
    u, s, vh = torch.linalg.svd(update.double(), full_matrices=False)
    d = u.T @ muon.newton_schulz(update.double(), dtype=torch.float64) @ vh.T
    assert (d - torch.diag(d.diagonal())).abs().max().item() <= 1e-12
    mapped = s / s.norm()
    a, b, c = muon.COEFFICIENTS
    for _ in range(5):
        mapped = a * mapped + b * mapped**3 + c * mapped**5
    assert (d.diagonal() - mapped).abs().max().item() <= 1e-12


def test_five_newton_schulz_steps_send_0_002_to_1_into_the_recorded_range():
    """The figure's right panel, as its alt text quotes it, on a grid ten times finer."""
    a, b, c = muon.COEFFICIENTS
    s = torch.logspace(math.log10(0.002), 0, 1_000_001, dtype=torch.float64)
    y = s.clone()
    for _ in range(5):
        y = a * y + b * y**3 + c * y**5
    recorded_range = recorded("optimizers_muon").results["five_steps"]
    # Both grids hold the ends; at an interior extremum the map is flat, so the coarser grid's
    # step (relative 6e-5) moves the extreme by O(step^2), about 1e-8 of it: 1e-6 leaves room.
    assert recorded_range["smallest"] == pytest.approx(y.min().item(), rel=1e-6)
    assert recorded_range["largest"] == pytest.approx(y.max().item(), rel=1e-6)
    assert y.min().item() > 0.5 and y.max().item() < 1.5  # squeezed towards 1 from 500x apart


def test_muon_rejects_a_one_dimensional_parameter_with_a_clear_message():
    with pytest.raises(ValueError, match=r"2-D weight matrices.*AdamW"):
        muon.Muon([torch.zeros(5)])
    with pytest.raises(ValueError):  # the reference refuses it too
        torch.optim.Muon([torch.nn.Parameter(torch.zeros(5))])


def test_muon_ablation_reuses_the_sweeps_problem():
    """The sweep's steps, batch size, seeds, defaults and grid factors; its initial weights and
    its batches for every seed."""
    assert tuple(sweep.PROFILES["cpu"][k] for k in ("steps", "batch_size", "seeds")) == (
        ablation.STEPS,
        ablation.BATCH_SIZE,
        ablation.SEEDS,
    )
    names = {"Muon": "Muon+AdamW", "SGD+Nesterov": "SGD+Nesterov", "AdamW": "AdamW"}
    for name, _, default, factors in ablation.GRID.values():
        assert default == sweep.OPTIMIZERS[names[name]][0]
        assert set(factors) <= set(sweep.LR_FACTORS)
    for seed in range(ablation.SEEDS):
        ours, theirs = ablation.make_mlp(seed), sweep.make_mlp(seed)
        assert sweep.fingerprint(ours.parameters()) == sweep.fingerprint(theirs.parameters())
        assert torch.equal(
            ablation.batch_order(seed, 4000, 300, 64), sweep.batch_order(seed, 4000, 300, 64)
        )


def test_muon_ablation_split_is_the_sweeps_split_with_muons_weight_decay():
    model = sweep.make_mlp(0)
    muon_opt, rest = sweep.muon_with_adamw(model, 0.02)
    for name in ablation.HIDDEN:
        hidden_opt, adamw = ablation.split(model, name, 0.02)
        assert [p for g in hidden_opt.param_groups for p in g["params"]] == [model[0].weight]
        assert len(adamw.param_groups) == len(rest.param_groups) == 1
        ours, theirs = adamw.param_groups[0], rest.param_groups[0]
        assert [id(p) for p in ours["params"]] == [id(p) for p in theirs["params"]]
        assert {k: v for k, v in ours.items() if k != "params"} == {
            k: v for k, v in theirs.items() if k != "params"
        }
        assert hidden_opt.param_groups[0]["lr"] == 0.02
    # Muon's group is the sweep's own, weight decay 0.1 (its default) included
    (ours,) = ablation.split(model, "Muon", 0.02)[0].param_groups
    (theirs,) = muon_opt.param_groups
    assert {k: v for k, v in ours.items() if k != "params"} == {
        k: v for k, v in theirs.items() if k != "params"
    }
    assert theirs["weight_decay"] == ablation.WEIGHT_DECAY == 0.1


def test_muon_ablation_weight_decay_is_the_same_for_all_three():
    """With zero gradients each hidden-matrix optimizer only decays: W (1 - lr 0.1)^k."""
    lr, steps = 0.05, 5
    for name in ablation.HIDDEN:
        w = torch.nn.Parameter(torch.randn(6, 10, generator=torch.Generator().manual_seed(0)))
        start = w.detach().double().clone()
        opt = ablation.HIDDEN[name]([w], lr)
        for _ in range(steps):
            w.grad = torch.zeros_like(w)
            opt.step()
        expected = start * (1 - lr * ablation.WEIGHT_DECAY) ** steps
        # each step rounds the float32 factor and the float32 product: 2 * 2^-24 relative each
        tolerance = steps * 2 * 2.0**-24 * start.abs().max().item()
        assert (w.detach().double() - expected).abs().max().item() <= tolerance, name
    # the decay comes first, then the step: with no momentum, W (1 - lr lambda) - lr g
    w = torch.nn.Parameter(torch.ones(3, 4, dtype=torch.float64))
    opt = ablation.SGDW([w], lr=0.1, weight_decay=0.1)
    w.grad = torch.full_like(w, 2.0)
    opt.step()
    assert torch.allclose(w.detach(), torch.full_like(w, 0.99 - 0.2), rtol=0, atol=1e-15)


def test_muon_ablation_reproduces_the_sweeps_own_runs():
    """Its Muon runs and its runs without the split are the sweep's runs at those factors, to the
    last bit, when both ran on the same CPU and took the same bfloat16 path."""
    ours, theirs = recorded("optimizers_muon_ablation"), recorded("optimizer_sweep")
    same_path = ("PyTorch's own (oneDNN)" in printed("optimizer_sweep")) == ours.results[
        "native_bf16"
    ]
    if ours.device != theirs.device or not same_path:
        pytest.skip("the two runs were made on different CPUs: float32 sums may differ")
    grid = theirs.results["grid"]
    for key, sweep_name in [
        ("muon", "muon_adamw"),
        ("sgd_nesterov", "sgd_nesterov"),
        ("adamw", "adamw"),
    ]:
        row = ours.results["rows"][key]
        factor = row["best_factor"]
        assert row["losses"] == grid[sweep_name]["loss"][sweep.LR_FACTORS.index(factor)], key


def test_muon_ablation_table_and_findings_follow_from_the_recorded_losses():
    r = recorded("optimizers_muon_ablation").results
    rows = r["rows"]
    for key, (_, _, _, factors) in ablation.GRID.items():
        row = rows[key]
        assert row["best_factor"] == factors[row["means"].index(min(row["means"]))]
        assert row["mean"] == pytest.approx(sum(row["losses"]) / 3, rel=1e-12)
        assert (row["min"], row["max"]) == (min(row["losses"]), max(row["losses"]))
    muon_mean = rows["muon"]["mean"]
    others = [k for k in rows if k != "muon"]
    without = min(rows[k]["mean"] for k in others if not k.endswith("_split"))
    with_split = min(rows[k]["mean"] for k in others if k.endswith("_split"))
    assert r["lead_without_split"] == pytest.approx(without / muon_mean, rel=1e-12)
    assert r["lead_with_split"] == pytest.approx(with_split / muon_mean, rel=1e-12)
    assert r["split_hurts_both"] == all(
        rows[k + "_split"]["mean"] > rows[k]["mean"] for k in ("sgd_nesterov", "adamw")
    )
    assert r["muon_10x_lower"] == (with_split > 10 * muon_mean)
    assert r["muon_outside_ranges"] == (rows["muon"]["max"] < min(rows[k]["min"] for k in others))
    assert r["split_best_inside"] == all(
        rows[k]["best_factor"] not in (min(f), max(f))
        for k, (_, _, _, f) in ablation.GRID.items()
        if k.endswith("_split")
    )
    # Muon runs at one factor only: the sweep's best for it, among its seven
    grid = recorded("optimizer_sweep").results["grid"]["muon_adamw"]["loss"]
    means = [sum(seeds) / len(seeds) for seeds in grid]
    assert ablation.GRID["muon"][3] == (sweep.LR_FACTORS[means.index(min(means))],)


# --- Lion ---------------------------------------------------------------------------------


@pytest.mark.parametrize("wd", [0.0, 1.0])
def test_lion_matches_lion_pytorch_float64(wd):
    from lion_pytorch import Lion

    r = recorded("optimizers_lion").results
    assert r["exact"] and r["gaps"] == [0.0, 0.0]
    gap, _ = lion.race(  # another learning rate than the page's run
        lambda ps: lion.Lion(ps, lr=1e-3, weight_decay=wd),
        lambda ps: Lion(ps, lr=1e-3, weight_decay=wd),
    )
    assert gap <= FLOAT64_RACE  # a sign flipped by rounding would cost 2 lr = 2e-3


def test_lion_steps_lr_per_coordinate_and_adamw_less_under_noise():
    """Lion moves every coordinate by lr. AdamW's step per unit lr is m_hat / sqrt(s_hat): with a
    gradient = sign pattern + noise of std sigma, late in the run E[m_hat^2] = 1 + sigma^2 (1 -
    beta1) / (1 + beta1) (the moving average's variance) and s_hat = 1 + sigma^2, so its RMS is
    sqrt((1 + sigma^2 / 19) / (1 + sigma^2)), a closed form with no fitted number."""
    r = recorded("optimizers_lion").results
    assert r["noise"] == [0.0, 1.0, 3.0, 10.0]
    # Lion: |p| <= 500 steps x 1e-3 = 0.5, where float32 units are 2^-25 = 3e-8; each measured step
    # of 1e-3 is off by at most that, 3e-5 relative: 1e-4 covers it
    assert r["lion_rms"] == pytest.approx([1.0] * 4, rel=1e-4)
    # AdamW: 10,000 coordinates x 250 steps leave a sampling error near 0.1 %. The closed form
    # leaves out that s_hat fluctuates (about 375 samples in it: E[1/s_hat] is up by about
    # 1/375 relative, 0.3 % in the RMS at most) and that the newest samples sit in both m_hat and
    # s_hat (2.5 % of s_hat's weight: below 0.5 %). 1 % covers the three.
    for sigma, measured in zip(r["noise"], r["adamw_rms"], strict=True):
        predicted = math.sqrt((1 + sigma**2 / 19) / (1 + sigma**2))
        assert measured == pytest.approx(predicted, rel=0.01), sigma
    assert r["ratio"] == sorted(r["ratio"]) and r["ratio"][0] == 1.0
    assert (r["ratio_min"], r["ratio_max"]) == (min(r["ratio"]), max(r["ratio"]))


def test_lion_with_equal_betas_is_the_sign_of_the_buffer():
    """beta1 = beta2: the step is -lr sign(m_{k+1}) (signSGD with momentum)."""
    gen = torch.Generator().manual_seed(0)
    p = torch.zeros(50, dtype=torch.float64, requires_grad=True)
    opt, m = lion.Lion([p], lr=0.1, betas=(0.9, 0.9)), torch.zeros(50, dtype=torch.float64)
    for _ in range(100):
        p.grad = torch.randn(50, generator=gen, dtype=torch.float64)
        m = 0.9 * m + 0.1 * p.grad
        before = p.detach().clone()
        opt.step()
        # |p| <= 100 x 0.1 = 10, where float64 units are 2^-49 = 2e-15: the step of 0.1 to that
        assert torch.allclose(p.detach() - before, -0.1 * torch.sign(m), rtol=0, atol=4e-15)


# --- schedule-free SGD --------------------------------------------------------------------


def test_schedulefree_matches_the_package_float64():
    import schedulefree

    gaps = recorded("optimizers_schedulefree").results["gaps"]
    assert all(v <= FLOAT64_RACE for g in gaps.values() for v in g.values())
    for kwargs in [{"lr": 0.3, "momentum": 0.8}, {"lr": 0.3, "warmup_steps": 20}]:
        train_gap, eval_gap = sf.race(
            lambda ps, kw=kwargs: sf.SGDScheduleFree(ps, **kw),
            lambda ps, kw=kwargs: schedulefree.SGDScheduleFree(ps, **kw),
            seed=1,
        )
        assert train_gap <= FLOAT64_RACE and eval_gap <= FLOAT64_RACE, kwargs


def test_schedulefree_x_is_the_uniform_average_of_the_z_iterates():
    gen = torch.Generator().manual_seed(0)
    p = torch.randn(6, dtype=torch.float64, generator=gen).requires_grad_()
    opt, zs = sf.SGDScheduleFree([p], lr=0.3, momentum=0.9), []
    for _ in range(40):
        p.grad = torch.randn(6, dtype=torch.float64, generator=gen)
        opt.step()
        zs.append(opt.z[0].clone())
        mean = torch.stack(zs).mean(0)  # c = 1 at the first step: x_k = mean of z_1 ... z_k
        assert (opt.x[0] - mean).abs().max().item() <= 1e-12
        assert (p.detach() - (0.1 * zs[-1] + 0.9 * mean)).abs().max().item() <= 1e-12


def test_schedulefree_package_refuses_to_step_before_train():
    import schedulefree

    p = torch.nn.Parameter(torch.zeros(3))
    p.grad = torch.ones(3)
    with pytest.raises(Exception, match="train mode"):
        schedulefree.SGDScheduleFree([p]).step()


def test_batchnorm_statistics_recomputed_at_x_lower_the_test_loss():
    r = recorded("optimizers_schedulefree").results
    assert r["recompute_helps"] and r["fresh_loss"] < r["stale_loss"]
    # the two losses are of the same network at the same weights x: only BatchNorm's statistics
    # differ, so the effect is small
    assert r["fresh_loss"] > 0.9 * r["stale_loss"]


def noisy_quadratic(d=8, seed=3):
    """grad(w, k) of 0.5 sum_i h_i w_i^2 plus fixed noise per step, for w of shape [rows, d]."""
    gen = np.random.default_rng(seed)
    h, noise = np.logspace(0, -1, d), gen.standard_normal((400, d)) * 0.1
    return lambda w, k: h * w + noise[k]


def test_schedulefree_three_line_form_is_the_packages_float64():
    import schedulefree

    assert recorded("optimizers_schedulefree_form").results["race_gap"] <= FLOAT64_RACE
    grad, w0 = noisy_quadratic(), np.linspace(-1, 1, 8)[None]
    xs, ys = sff.schedule_free(grad, w0, lr=0.3, beta=0.8, steps=150)
    p = torch.tensor(w0[0], requires_grad=True)  # float64, like w0
    opt = schedulefree.SGDScheduleFree([p], lr=0.3, momentum=0.8)
    opt.train()
    for k in range(150):
        assert np.abs(p.detach().numpy() - ys[k, 0]).max() <= FLOAT64_RACE, k
        p.grad = torch.from_numpy(grad(p.detach().numpy()[None], k)[0])
        opt.step()
    opt.eval()  # the package's own switch puts its x into the parameters
    assert np.abs(p.detach().numpy() - xs[-1, 0]).max() <= FLOAT64_RACE


def heavy_ball_tolerance(steps, beta, largest):
    """y_k = x_k + (1-beta)(k-1)(x_k - x_{k-1}) multiplies the rounding of x_k - x_{k-1}, a few
    units of 2^-52 |x|, by up to (1-beta) steps, and the steps add those errors up."""
    return steps * (1 + (1 - beta) * steps) * 4 * 2.0**-52 * largest


def test_schedulefree_heavy_ball_form_gives_the_same_iterates():
    r = recorded("optimizers_schedulefree_form").results
    assert r["heavy_ball_gap"] <= heavy_ball_tolerance(200, 0.9, r["largest_x"])
    grad, w0 = noisy_quadratic(seed=5), np.linspace(-2, 1, 8)[None]
    for beta in (0.5, 0.95):
        xs, ys = sff.schedule_free(grad, w0, lr=0.5, beta=beta, steps=300)
        hx, hy = sff.heavy_ball_form(grad, w0, lr=0.5, beta=beta, steps=300)
        gap = max(np.abs(xs - hx).max(), np.abs(ys - hy).max())
        assert gap <= heavy_ball_tolerance(300, beta, np.abs(xs).max()), beta


def test_schedulefree_momentum_is_k_minus_1_over_k_plus_1():
    from fractions import Fraction

    # the algebra, exactly: gamma_k = c_{k+1} (1 - c_k) / c_k with c_{k+1} = 1/(k+1)
    for k in range(1, 1000):
        c_next, c = Fraction(1, k + 1), Fraction(1, k)
        assert (
            c_next * (1 - c) / c == Fraction(k - 1, k + 1) == sff.momentum_coefficient(Fraction(k))
        )
    # fitted to the package's own x's: each x is rounded to a few units of 2^-52 |x| per
    # coordinate, so a fit over d = 20 coordinates is off by at most about
    # 8 * 2^-52 * |x| * sqrt(20) / |x_k - x_{k-1}|
    r = recorded("optimizers_schedulefree_form").results
    tolerance = 8 * 2.0**-52 * r["largest_x"] * math.sqrt(20) / r["smallest_step"]
    assert r["fit_gap"] <= tolerance
    for k, g in r["gamma"].items():
        assert abs(g - (int(k) - 1) / (int(k) + 1)) <= tolerance, k
    # and on another problem, with another beta
    grad, w0 = noisy_quadratic(seed=7), np.linspace(-1, 2, 8)
    xs, _, grads = sff.package_trajectory(lambda y, k: grad(y[None], k)[0], w0, 0.4, 0.7, 300)
    fitted = sff.fitted_momentum(xs, grads, 0.4)
    steps = np.linalg.norm(np.diff(xs[:-1], axis=0), axis=1)
    bound = 8 * 2.0**-52 * np.abs(xs).max() * math.sqrt(8) / steps.min()
    k = np.arange(1, 300)
    assert np.abs(fitted - (k - 1) / (k + 1)).max() <= bound
    assert np.abs(fitted - k / (k + 1)).min() > 100 * bound  # not 1 - c_{k+1}


def test_schedulefree_with_a_constant_c_is_a_heavy_ball_with_gamma_one_minus_c():
    """The derivation's other case: a constant c gives gamma = 1 - c and learning rate lr c."""
    grad, w0, lr, c = noisy_quadratic(seed=11), np.linspace(-1, 1, 8), 0.3, 0.2
    z, x, xs, grads = w0.copy(), w0.copy(), [w0], []
    for k in range(100):
        y = 0.1 * z + 0.9 * x
        grads.append(grad(y[None], k)[0])
        z = z - lr * grads[-1]
        x = (1 - c) * x + c * z
        xs.append(x)
    for k in range(1, 100):  # x_{k+1} = x_k + (1 - c)(x_k - x_{k-1}) - lr c g_k
        predicted = xs[k] + (1 - c) * (xs[k] - xs[k - 1]) - lr * c * grads[k]
        assert np.abs(xs[k + 1] - predicted).max() <= 16 * 2.0**-52 * np.abs(xs).max(), k


def test_schedulefree_x_moves_half_a_step_under_a_constant_gradient():
    """lr c_{k+1} / (1 - gamma_k) = lr / 2: the mean of z's that move by lr g moves by lr g/2."""
    g = np.linspace(-1, 1, 6)
    xs, _, _ = sff.package_trajectory(lambda y, k: g, np.zeros(6), 0.5, 0.9, 50)
    steps = np.diff(xs[1:], axis=0)  # x_{k+1} - x_k for k >= 1
    # each x is a sum of up to 50 rounded terms of size <= 25 |g|: 50 * 25 * 2^-52 at most
    assert np.abs(steps + 0.25 * g).max() <= 50 * 25 * 2.0**-52


def test_momentum_sgd_with_a_cosine_schedule_is_torchs():
    """The race's baseline: torch.optim.SGD with CosineAnnealingLR(T_max = horizon), stopped
    early too, in float64."""
    grad, w0 = noisy_quadratic(seed=13), np.linspace(-1, 1, 8)[None]
    for steps, horizon, cosine in [(200, 200, True), (120, 200, True), (150, None, False)]:
        ws = sff.momentum_sgd(grad, w0, 0.05, steps, horizon=horizon, cosine=cosine)
        p = torch.tensor(w0[0], requires_grad=True)
        opt = torch.optim.SGD([p], lr=0.05, momentum=0.9)
        schedule = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=horizon or steps)
        for k in range(steps):
            p.grad = torch.from_numpy(grad(p.detach().numpy()[None], k)[0])
            opt.step()
            if cosine:
                schedule.step()
            assert np.abs(p.detach().numpy() - ws[k + 1, 0]).max() <= FLOAT64_RACE, (steps, k)


def test_logistic_minimum_is_the_lowest_loss():
    """f* by Newton's method, against torch's L-BFGS on the same loss in float64."""
    features, labels, _ = sff.logistic_problem()
    best = sff.minimum(features, labels)
    x, y = torch.from_numpy(features), torch.from_numpy(labels)
    w = torch.zeros(features.shape[1], dtype=torch.float64, requires_grad=True)
    opt = torch.optim.LBFGS(
        [w], max_iter=500, tolerance_grad=1e-13, tolerance_change=0, line_search_fn="strong_wolfe"
    )

    def closure():
        opt.zero_grad()
        value = torch.nn.functional.softplus(-y * (x @ w)).mean()
        value.backward()
        return value

    opt.step(closure)
    # L-BFGS stops at a gradient of 1e-13; the loss there is above the minimum by about
    # |gradient|^2 / (2 * smallest curvature), far below 1e-15, and float64 sums of 1000 terms
    # of size 1 are good to about 1000 * 2^-52 = 2e-13
    assert best == pytest.approx(closure().item(), abs=1000 * 2.0**-52)


def test_schedulefree_race_table_and_claims():
    r = recorded("optimizers_schedulefree_form").results
    race = r["race"]
    # the cosine planned for 2000 steps, read at 2000, is the "each budget" run for 2000
    assert race["cosine_stopped"]["mean"][-1] == race["cosine"]["mean"][-1]
    for key, grid in [("cosine", sff.SGD_LRS), ("constant", sff.SGD_LRS)]:
        assert all(lr in grid[1:-1] for lr in race[key]["lr"]), key  # inside the grid
    assert all(lr in sff.SF_LRS[1:-1] for lr in race["schedule_free"]["lr"])
    assert all(v > 0 for row in race.values() for v in row["mean"] + row["final"])  # f* below
    for row in race.values():
        assert row["mean"][-1] == pytest.approx(sum(row["final"]) / 3, rel=1e-12)
    final = {k: v["mean"][-1] for k, v in race.items()}
    assert r["sf_over_cosine"] == final["schedule_free"] / final["cosine"]
    assert r["constant_over_sf"] == final["constant"] / final["schedule_free"]
    assert r["cosine_lowest"] == (final["cosine"] < min(final["schedule_free"], final["constant"]))
    assert r["sf_within_1_5x"] == (r["sf_over_cosine"] <= 1.5)
    assert r["sf_one_lr"] == (len(set(race["schedule_free"]["lr"])) == 1)
    sf_mean, stopped = race["schedule_free"]["mean"], race["cosine_stopped"]["mean"]
    assert r["sf_below_stopped"] == all(
        s < c for s, c in zip(sf_mean[:-1], stopped[:-1], strict=True)
    )
    constant = race["constant"]["mean"]
    assert r["sf_below_constant"] == all(s < c for s, c in zip(sf_mean, constant, strict=True))


# --- QHM and AggMo ------------------------------------------------------------------------


def test_qhm_special_cases_equal_torch_sgd_to_1e_12():
    r = recorded("optimizers_qhm_aggmo").results
    assert len(r["qhm_gaps"]) == 3 and max(r["qhm_gaps"]) == r["qhm_gap_max"] <= FLOAT64_RACE
    # the same with other hyperparameters
    assert all(gap <= FLOAT64_RACE for gap in qa.special_cases(lr=0.05, beta=0.7).values())


def test_qhm_and_aggmo_match_qhoptim_and_torch_optimizer_to_rounding():
    r = recorded("optimizers_qhm_aggmo").results
    assert r["versions"]["qhoptim"] and r["versions"]["torch-optimizer"]
    assert len(r["race_gaps"]) == 3 and max(r["race_gaps"]) == r["race_gap_max"] <= FLOAT64_RACE
    # the same race with other hyperparameters, and AggMo with two buffers
    start, grad_fn = qa.problem()
    ours = qa.qhm(start, grad_fn, 0.05, 200, beta=0.8, nu=0.5)
    start, grad_fn = qa.problem()
    theirs = qa.optimizer_path(qhoptim.pyt.QHM, start, grad_fn, 200, lr=0.05, momentum=0.8, nu=0.5)
    assert (ours - theirs).abs().max().item() <= FLOAT64_RACE
    start, grad_fn = qa.problem()
    ours = qa.aggmo(start, grad_fn, 0.05, 200, betas=(0.5, 0.95))
    start, grad_fn = qa.problem()
    theirs = qa.optimizer_path(
        torch_optimizer.AggMo, start, grad_fn, 200, lr=0.05, betas=(0.5, 0.95)
    )
    assert (ours - theirs).abs().max().item() <= FLOAT64_RACE


def test_qhm_and_aggmo_defaults_are_the_papers():
    r = recorded("optimizers_qhm_aggmo").results
    assert r["qhm_defaults"] == {"beta": 0.999, "nu": 0.7}  # Ma & Yarats 2019, section 7
    assert r["aggmo_defaults"] == {"betas": [0.0, 0.9, 0.99]}  # Lucas et al. 2019


def test_qhm_is_not_sgd_in_between():
    start, grad_fn = qa.problem()
    mixed = qa.qhm(start, grad_fn, 0.1, 300, beta=0.9, nu=0.7)
    start, grad_fn = qa.problem()
    assert (mixed - qa.sgd_path(start, grad_fn, 300, lr=0.1)).abs().max() > 1e-3


def test_aggmo_with_one_beta_is_heavy_ball():
    assert recorded("optimizers_qhm_aggmo").results["aggmo_one_gap"] <= FLOAT64_RACE
    start, grad_fn = qa.problem(seed=1)
    one = qa.aggmo(start, grad_fn, 0.05, 300, betas=[0.7])
    start, grad_fn = qa.problem(seed=1)
    gap = (one - qa.sgd_path(start, grad_fn, 300, lr=0.05, momentum=0.7)).abs().max()
    assert gap <= FLOAT64_RACE


def test_aggmo_is_the_mean_of_its_heavy_balls_velocities():
    """One AggMo step from zero buffers moves by lr g (the mean of K copies of g)."""
    g = torch.tensor([1.0, -2.0], dtype=torch.float64)
    path = qa.aggmo(torch.zeros(2, dtype=torch.float64), lambda t: g, 0.1, 2)
    assert torch.allclose(path[0], -0.1 * g, atol=1e-15)
    assert torch.allclose(path[1] - path[0], -0.1 * g * (1 + 1.9 + 1.99) / 3, atol=1e-15)


def test_aggmo_distances_are_matrix_powers():
    """On f = sum h_i x_i^2 / 2 each coordinate of AggMo with betas b_1..b_K is linear in
    (x, v_1, ..., v_K): v_j <- b_j v_j + h x, x <- x - (lr / K) sum_j v_j. 300 steps are the 300th
    power of that matrix; numpy's matrix_power and the loop round differently, by far less than
    1e-12 relative on distances of order 0.1."""
    results = recorded("optimizers_qhm_aggmo").results
    r = results["distance"]
    h = np.logspace(-2, 0, 10)
    start = qa.problem()[0].numpy()
    for key, betas in [("heavy_09", [0.9]), ("heavy_099", [0.99]), ("aggmo", [0.0, 0.9, 0.99])]:
        k, final = len(betas), []
        for hi, x0 in zip(h, start, strict=True):
            m = np.zeros((k + 1, k + 1))
            m[1:, 0] = hi  # v_j <- b_j v_j + h x
            m[1:, 1:] = np.diag(betas)
            m[0] = -0.1 / k * m[1:].sum(0)  # x <- x - lr/K sum_j v_j (the new v_j)
            m[0, 0] += 1
            final.append((np.linalg.matrix_power(m, 300) @ np.r_[x0, np.zeros(k)])[0])
        assert r[key] == pytest.approx(np.linalg.norm(final), rel=1e-10), key
    assert results["aggmo_closer"] == r["heavy_099"] / r["aggmo"] > 1
    assert results["heavy_09_best"] == (r["heavy_09"] < min(r["heavy_099"], r["aggmo"]))


# --- the state table ----------------------------------------------------------------------

EXPECTED_STATE = {  # buffers of the parameter's size, bytes for 1,000,000 fp32 values
    "SGD": (0, 0),
    "SGD, momentum 0.9": (1, 4_000_000),
    "SGD, Nesterov": (1, 4_000_000),
    "Adam": (2, 8_000_004),  # + a float32 step counter
    "AdamW": (2, 8_000_004),
    "NAdam": (2, 8_000_008),  # + step counter and mu_product
    "Muon": (1, 4_000_000),
    "Lion": (1, 4_000_000),
    "SGDScheduleFree": (1, 4_000_000),
}


def test_state_table_from_state_dict():
    r = recorded("optimizers_state").results
    names = {name: state.RESULT_NAMES.get(name, name.lower()) for name in EXPECTED_STATE}
    for name, expected in EXPECTED_STATE.items():
        assert (r["buffers"][names[name]], r["state_bytes"][names[name]]) == expected, name
    makers = state.optimizers()
    assert list(makers) == list(EXPECTED_STATE)
    for name, make in makers.items():  # after 2 steps instead of the page's 3: the same table
        full, nbytes, _ = state.state_of(make, shape=(1000, 1000), steps=2)
        assert (full, nbytes) == EXPECTED_STATE[name], name


def test_state_table_counted_independently_from_optimizer_state():
    """The same numbers from optimizer.state, the live dict, on a different shape."""
    for name, make in state.optimizers().items():
        p = torch.nn.Parameter(torch.zeros(200, 50))  # 10,000 values
        opt = make([p])
        if hasattr(opt, "train"):
            opt.train()
        p.grad = torch.ones_like(p)
        opt.step()
        tensors = [v for v in opt.state[p].values() if torch.is_tensor(v)]
        full = sum(t.numel() == p.numel() for t in tensors)
        scalar_bytes = sum(t.element_size() for t in tensors if t.numel() == 1)
        buffers, nbytes = EXPECTED_STATE[name]
        assert full == buffers, name
        assert scalar_bytes == nbytes - 4_000_000 * buffers  # the step counters and mu_product
        assert state.state_of(make, shape=(200, 50), steps=1)[1] == full * 40_000 + scalar_bytes


# --- exercises ----------------------------------------------------------------------------


def test_exercise_optimizers_1_only_sgd_feels_the_gradient_scale():
    r = recorded("exercise_optimizers_1").results
    # SGD: float32 momentum sums of 20 gradients, each rounded to 2^-24 relative: 1e-6 covers it
    assert r["sgd"] == pytest.approx(1000.0, rel=1e-6)
    assert r["lion"] == 1.0 and r["lion_exact"]  # only signs enter
    # AdamW: eps = 1e-8 against sqrt(s_hat) of about 1, and float32 roundings of 2^-24 = 6e-8 in a
    # few operations of each of 20 steps: 1e-5 covers both
    assert r["adamw"] == pytest.approx(1.0, abs=1e-5)
    # Muon: the update is rounded to bfloat16 before the norm divides the factor out; each of the
    # 512 entries of each of 20 steps moves by at most 2^-9 relative, so the distance does too
    assert r["muon"] == pytest.approx(1.0, abs=BF16_UNIT) and r["muon_differs"]
    assert r["muon_1024"] == 1.0 and r["muon_1024_exact"]
    # a power of two keeps every rounding, whatever the gradients: on other ones, exactly 1 again
    muon_opt = ex[1].OPTIMIZERS["Muon"]
    for scale in (2.0**10, 2.0**-6):
        moved = ex[1].distance_moved(muon_opt, scale, seed=1)
        assert moved == ex[1].distance_moved(muon_opt, 1.0, seed=1)


@pytest.mark.parametrize(
    "index, betas", list(enumerate([[0.9], [0.0, 0.9, 0.99], [0.0, 0.9, 0.99, 0.999]]))
)
def test_exercise_optimizers_2_aggmo_terminal_step_closed_form(index, betas):
    r = recorded("exercise_optimizers_2").results
    closed = r["closed_form"][index]
    assert closed == pytest.approx(sum(1 / (1 - b) for b in betas) / len(betas), rel=1e-14)
    # after 20,000 steps the slowest buffer has 0.999^20000 = 2e-9 of its way left to go
    assert r["after_run"][index] == pytest.approx(closed, rel=1e-8)
    # independently, with the from-scratch AggMo of the page under a constant gradient
    path = qa.aggmo(
        torch.zeros(1, dtype=torch.float64), lambda t: torch.ones(1), 0.01, 20_000, betas
    )
    assert (path[-2] - path[-1]).item() / 0.01 == pytest.approx(closed, rel=1e-6)
    if betas == [0.0, 0.9, 0.99]:
        assert closed == pytest.approx(37.0, rel=1e-12)


def test_exercise_optimizers_3_nadam_mu_closed_form():
    r = recorded("exercise_optimizers_3").results
    assert r["agree"]
    for target, t in zip(r["targets"], r["first_step"], strict=True):
        assert nadam.mu(t) >= target > nadam.mu(t - 1)  # the page's (and torch's) mu_t
    assert dict(zip(r["targets"], r["first_step"], strict=True))[0.8] == 9212
    for target in (0.6, 0.7, 0.88):  # other targets than the page's
        t = ex[3].first_step_closed_form(target)
        assert t == ex[3].first_step_by_search(target)


def test_exercise_optimizers_4_rank_one_update_lands_at_0_696_not_1():
    r = recorded("exercise_optimizers_4").results
    s, a, b, c = 1.0, 3.4445, -4.7750, 2.0315
    for k in range(5):
        s = a * s + b * s**3 + c * s**5
        assert r["scalar"][k] == pytest.approx(s, rel=1e-15)
    assert round(s, 4) == 0.6964
    assert r["small_value_lift"] == pytest.approx(a**5, rel=1e-15)
    # float64: rounding errors of about 32 x 2^-52 = 7e-15 per singular value, lifted by a^5 = 485
    # at most: 3.5e-12 bounds them. (They are not 0: the iteration lifts them too.)
    assert 0 < r["exact_second_max"] < 3.5e-12
    # bfloat16 inside torch.optim.Muon: the largest lands within five roundings of 2^-9 of 0.6964
    # (the rank-1 direction), and rounding errors lifted by 485 give the others
    gen = torch.Generator().manual_seed(11)
    u, v = (torch.randn(n, generator=gen, dtype=torch.float64) for n in (24, 40))
    exact = torch.linalg.svdvals(ex[4].newton_schulz_float64(torch.outer(u, v)))
    assert exact[0].item() == pytest.approx(s, rel=1e-12) and exact[1].item() < 3.5e-12
    sv = ex[4].muon_step_singular_values(torch.float32, rows=24, cols=40, seed=11)
    assert sv[0].item() == pytest.approx(s, abs=5 * BF16_UNIT)
    assert sv[1].item() > 100 * exact[1].item()
    assert 1 <= r["above_min"] <= r["above_max"] <= 32
    assert r["bf16_second_min"] == min(r["bf16_second"])


# --- bad input ----------------------------------------------------------------------------

BAD_OPTIONS = [
    (adam, ["--lr", "-1"], "lr must be >= 0"),
    (adam, ["--beta2", "1"], "betas must lie in [0, 1)"),
    (lion, ["--beta1", "-0.1"], "betas must lie in [0, 1)"),
    (lion, ["--lr", "-0.001"], "lr must be > 0"),
    (muon, ["--shape", "256"], "2-D weight matrices"),
    (muon, ["--momentum", "1.5"], "momentum must lie in [0, 1)"),
    (muon, ["--shape", "ax3"], "--shape must look like"),
]


@pytest.mark.parametrize("script, argv, message", BAD_OPTIONS)
def test_bad_options_end_with_one_line(script, argv, message):
    with pytest.raises(SystemExit) as exc:
        script.parse_args(argv)
    assert isinstance(exc.value.code, str)  # SystemExit with a message: exit status 1
    assert "\n" not in exc.value.code and ": error:" in exc.value.code
    assert message in exc.value.code


def test_bad_input_on_the_command_line_is_one_line_without_a_traceback():
    """The command the page shows, run for real: what the in-process checks cannot see."""
    env = {**os.environ, "MPLBACKEND": "Agg"}
    proc = subprocess.run(
        [sys.executable, ROOT / "snippets/optimizers/optimizers_muon.py", "--shape", "256"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1, proc.stderr
    assert "2-D weight matrices" in proc.stderr and "AdamW" in proc.stderr
    assert proc.stdout == ""  # nothing half-written
