"""Claims of docs/optimizers.md: each from-scratch optimizer equals its reference, QHM's special
cases, the state table, the exercises' answers, and one-line errors for bad input."""

import math
import os
import subprocess
import sys

import pytest
import torch
from conftest import ROOT, load_script

adam = load_script("snippets/optimizers_adam.py")
nadam = load_script("snippets/optimizers_nadam.py")
muon = load_script("snippets/optimizers_muon.py")
lion = load_script("snippets/optimizers_lion.py")
sf = load_script("snippets/optimizers_schedulefree.py")
qa = load_script("snippets/optimizers_qhm_aggmo.py")
state = load_script("snippets/optimizers_state.py")
ex = {n: load_script(f"snippets/exercise_optimizers_{n}.py") for n in (1, 2, 3, 4)}

pytestmark = pytest.mark.usefixtures("one_thread")


@pytest.fixture
def float64_default():
    """torch.optim.NAdam keeps mu_product in the default dtype: float64 for a 1e-12 comparison."""
    previous = torch.get_default_dtype()
    torch.set_default_dtype(torch.float64)
    yield
    torch.set_default_dtype(previous)


# --- Adam and AdamW -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "reference, kwargs",
    [(torch.optim.Adam, {}), (torch.optim.AdamW, {"weight_decay": 1e-2})],
    ids=["Adam", "AdamW"],
)
def test_adam_and_adamw_match_torch_float64_to_1e_12(reference, kwargs):
    decoupled = reference is torch.optim.AdamW
    for lr, betas in [(1e-3, (0.9, 0.999)), (3e-2, (0.8, 0.99))]:
        gap, loss = adam.race(
            lambda ps, lr=lr, b=betas: adam.Adam(ps, lr=lr, betas=b, decoupled=decoupled, **kwargs),
            lambda ps, lr=lr, b=betas: reference(ps, lr=lr, betas=b, **kwargs),
        )
        assert gap <= 1e-12
        assert loss > 0


def test_coupled_weight_decay_matches_torch_adam_with_weight_decay():
    gap, _ = adam.race(
        lambda ps: adam.Adam(ps, lr=1e-2, weight_decay=0.1),
        lambda ps: torch.optim.Adam(ps, lr=1e-2, weight_decay=0.1),
    )
    assert gap <= 1e-12


def test_adam_float32_agrees_to_1e_6():
    gap, _ = adam.race(adam.Adam, torch.optim.Adam, dtype=torch.float32)
    assert gap <= 1e-6


def test_adam_is_moving_average_momentum_exactly_when_each_gradient_size_is_constant():
    start, target, c = adam.problem()
    for grad_fn, exact in [(adam.l1_grad(target, c), True), (adam.l2_grad(target, c), False)]:
        path = adam.torch_adam_path(start, grad_fn, 300, lr=0.01, eps=0.0)
        sgd = adam.ema_momentum_sgd(start, grad_fn, 0.01 / c, 0.9, 300)
        gap = (path - sgd).abs().max().item()
        assert (gap <= 1e-12) if exact else (gap > 0.1)
    # the L1 run did cross its kinks: gradient signs changed along the way
    path = adam.ema_momentum_sgd(start, adam.l1_grad(target, c), 0.01 / c, 0.9, 300)
    assert (torch.sign(path - target).diff(dim=0) != 0).any()


def test_adam_tends_to_momentum_sgd_as_eps_grows_like_one_over_eps():
    start, target, c = adam.problem()
    grad_fn = adam.l2_grad(target, c)
    sgd = adam.ema_momentum_sgd(start, grad_fn, 0.01, 0.9, 300)
    gaps = [
        (adam.torch_adam_path(start, grad_fn, 300, lr=0.01 * e, eps=e) - sgd).abs().max().item()
        for e in (1e2, 1e4, 1e6)
    ]
    assert gaps[0] / gaps[1] == pytest.approx(100, rel=0.05)
    assert gaps[1] / gaps[2] == pytest.approx(100, rel=0.05)
    assert gaps[2] < 1e-5


# --- NAdam --------------------------------------------------------------------------------


def test_nadam_matches_torch_float64_to_1e_12(float64_default):
    assert nadam.race(nadam.NAdam, torch.optim.NAdam) <= 1e-12
    gap = nadam.race(
        lambda ps: nadam.NAdam(ps, lr=1e-2, betas=(0.8, 0.99), momentum_decay=0.1),
        lambda ps: torch.optim.NAdam(ps, lr=1e-2, betas=(0.8, 0.99), momentum_decay=0.1),
    )
    assert gap <= 1e-12


def test_nadam_float32_mu_product_costs_more_than_1e_12_but_less_than_1e_9():
    assert torch.get_default_dtype() == torch.float32
    assert 1e-12 < nadam.race(nadam.NAdam, torch.optim.NAdam) < 1e-9


def test_nadam_mu_schedule_is_torchs(float64_default):
    ran = nadam.torch_mus(300)
    assert max(abs(r - nadam.mu(t)) for t, r in enumerate(ran, start=1)) <= 1e-12


def test_nadam_mu_table():
    table = {1: 0.4501, 10: 0.4507, 100: 0.4573, 1000: 0.5178, 10_000: 0.8121, 100_000: 0.9000}
    for t, value in table.items():
        assert round(nadam.mu(t), 4) == value
    assert nadam.mu(1) == pytest.approx(0.45, abs=1e-4)  # half of beta1 at the start


# --- Muon ---------------------------------------------------------------------------------


@pytest.mark.parametrize("shape", [(16, 32), (32, 16)])
def test_muon_matches_torch_bitwise_in_weights_and_buffer(shape):
    gap, buf_gap = muon.race(
        lambda ps: muon.Muon(ps, lr=0.02), lambda ps: torch.optim.Muon(ps, lr=0.02), shape=shape
    )
    assert gap == 0.0 and buf_gap == 0.0


def test_muon_tall_matrix_step_is_sqrt_rows_over_cols_larger():
    w = torch.nn.Parameter(torch.zeros(32, 8, dtype=torch.float64))
    w.grad = torch.randn(32, 8, dtype=torch.float64, generator=torch.Generator().manual_seed(0))
    muon.Muon([w], lr=0.1, weight_decay=0.0, momentum=0.0, nesterov=False).step()  # update = g
    expected = -0.1 * 2.0 * muon.newton_schulz(w.grad).double()  # sqrt(32 / 8) = 2
    assert (w.detach() - expected).abs().max().item() <= 1e-12


def test_muon_docstring_sum_form_buffer_gives_the_same_direction():
    """torch's docstring writes B <- mu B + g, the code a moving average: same update after NS."""
    gen = torch.Generator().manual_seed(0)
    mu, b_sum, b_ema = 0.95, torch.zeros(8, 16, dtype=torch.float64), None
    b_ema = torch.zeros_like(b_sum)
    for _ in range(50):
        g = torch.randn(8, 16, generator=gen, dtype=torch.float64)
        b_sum = mu * b_sum + g
        b_ema = b_ema.lerp(g, 1 - mu)
        doc = muon.newton_schulz(g + mu * b_sum, dtype=torch.float64)
        code = muon.newton_schulz(g.lerp(b_ema, mu), dtype=torch.float64)
        assert (doc - code).abs().max().item() <= 1e-12


def test_orthogonalisation_squeezes_the_spectrum():
    update = muon.layer_update()
    before = muon.singular_values(update / update.norm())
    after = muon.singular_values(muon.newton_schulz(update))
    assert before[0] / before[-1] > 20
    assert after[-1] > 0.6 and after[0] < 1.2  # every singular value in a band around 1
    # Without rounding: the singular vectors stay, each singular value s goes to p(p(...p(s)))
    u, s, vh = torch.linalg.svd(update.double(), full_matrices=False)
    d = u.T @ muon.newton_schulz(update.double(), dtype=torch.float64) @ vh.T
    assert (d - torch.diag(d.diagonal())).abs().max().item() <= 1e-12
    mapped = s / s.norm()
    a, b, c = muon.COEFFICIENTS
    for _ in range(5):
        mapped = a * mapped + b * mapped**3 + c * mapped**5
    assert (d.diagonal() - mapped).abs().max().item() <= 1e-12


def test_five_newton_schulz_steps_send_0_002_to_1_into_0_68_to_1_21():
    """The figure's right panel, as its alt text describes it."""
    a, b, c = muon.COEFFICIENTS
    s = torch.logspace(math.log10(0.002), 0, 100_001, dtype=torch.float64)
    y = s.clone()
    for _ in range(5):
        y = a * y + b * y**3 + c * y**5
    assert y.min().item() > 0.68 and y.max().item() < 1.21


def test_muon_rejects_a_one_dimensional_parameter_with_a_clear_message():
    with pytest.raises(ValueError, match=r"2-D weight matrices.*AdamW"):
        muon.Muon([torch.zeros(5)])
    with pytest.raises(ValueError):  # the reference refuses it too
        torch.optim.Muon([torch.nn.Parameter(torch.zeros(5))])


# --- Lion ---------------------------------------------------------------------------------


@pytest.mark.parametrize("wd", [0.0, 1.0])
def test_lion_matches_lion_pytorch_float64(wd):
    from lion_pytorch import Lion

    gap = lion.race(
        lambda ps: lion.Lion(ps, lr=1e-3, weight_decay=wd),
        lambda ps: Lion(ps, lr=1e-3, weight_decay=wd),
    )
    assert gap <= 1e-12


def test_lion_steps_lr_per_coordinate_and_adamw_less_under_noise():
    adamw = lambda ps: torch.optim.AdamW(ps, lr=1e-3, weight_decay=0.0)  # noqa: E731
    ours = lambda ps: lion.Lion(ps, lr=1e-3)  # noqa: E731
    for noise in (0.0, 1.0, 3.0, 10.0):
        assert lion.update_rms(ours, noise) == pytest.approx(1.0, rel=1e-4)  # float32 steps
    assert lion.update_rms(adamw, 0.0) == pytest.approx(1.0, rel=1e-3)
    ratios = [1 / lion.update_rms(adamw, noise) for noise in (1.0, 3.0, 10.0)]
    assert ratios == sorted(ratios)
    assert [round(r, 1) for r in ratios] == [1.4, 2.6, 4.0]  # the page's table


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
        assert torch.allclose(p.detach() - before, -0.1 * torch.sign(m), rtol=0, atol=1e-15)


# --- schedule-free SGD --------------------------------------------------------------------


@pytest.mark.parametrize("kwargs", [{"lr": 0.5}, {"lr": 0.5, "warmup_steps": 50}])
def test_schedulefree_matches_the_package_float64(kwargs):
    import schedulefree

    train_gap, eval_gap = sf.race(
        lambda ps: sf.SGDScheduleFree(ps, **kwargs),
        lambda ps: schedulefree.SGDScheduleFree(ps, **kwargs),
    )
    assert train_gap <= 1e-12 and eval_gap <= 1e-12


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
    stale, fresh = sf.batchnorm_caveat()
    assert fresh < stale
    assert (round(stale, 4), round(fresh, 4)) == (0.2132, 0.2081)  # the page's two numbers


# --- QHM and AggMo ------------------------------------------------------------------------


def test_qhm_special_cases_equal_torch_sgd_to_1e_12():
    gaps = qa.special_cases()
    assert len(gaps) == 3
    assert all(gap <= 1e-12 for gap in gaps.values()), gaps
    # the same with other hyperparameters
    assert all(gap <= 1e-12 for gap in qa.special_cases(lr=0.05, beta=0.7).values())


def test_qhm_is_not_sgd_in_between():
    start, grad_fn = qa.problem()
    mixed = qa.qhm(start, grad_fn, 0.1, 300, beta=0.9, nu=0.7)
    start, grad_fn = qa.problem()
    assert (mixed - qa.sgd_path(start, grad_fn, 300, lr=0.1)).abs().max() > 1e-3


def test_aggmo_with_one_beta_is_heavy_ball():
    start, grad_fn = qa.problem()
    one = qa.aggmo(start, grad_fn, 0.01, 300, betas=[0.9])
    start, grad_fn = qa.problem()
    assert (one - qa.sgd_path(start, grad_fn, 300, lr=0.01, momentum=0.9)).abs().max() <= 1e-12


def test_aggmo_is_the_mean_of_its_heavy_balls_velocities():
    """One AggMo step from zero buffers moves by lr g (the mean of K copies of g)."""
    g = torch.tensor([1.0, -2.0], dtype=torch.float64)
    path = qa.aggmo(torch.zeros(2, dtype=torch.float64), lambda t: g, 0.1, 2)
    assert torch.allclose(path[0], -0.1 * g, atol=1e-15)
    assert torch.allclose(path[1] - path[0], -0.1 * g * (1 + 1.9 + 1.99) / 3, atol=1e-15)


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
    makers = state.optimizers()
    assert list(makers) == list(EXPECTED_STATE)
    for name, make in makers.items():
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
    ratios = ex[1].ratios()
    assert ratios["SGD, momentum 0.9"] == pytest.approx(1000.0, rel=1e-6)  # float32
    assert ratios["Lion"] == 1.0  # only signs enter
    assert ratios["AdamW"] == pytest.approx(1.0, abs=1e-4)  # eps = 1e-8 is all that differs
    assert ratios["Muon"] == pytest.approx(1.0, abs=1e-3)  # normalised, then bfloat16 rounding


@pytest.mark.parametrize("betas", [[0.9], [0.0, 0.9, 0.99], [0.0, 0.9, 0.99, 0.999]])
def test_exercise_optimizers_2_aggmo_terminal_step_closed_form(betas):
    closed = ex[2].terminal_factor(betas)
    assert ex[2].run_factor(betas) == pytest.approx(closed, rel=1e-6)
    # independently, with the from-scratch AggMo of the page under a constant gradient
    path = qa.aggmo(
        torch.zeros(1, dtype=torch.float64), lambda t: torch.ones(1), 0.01, 20_000, betas
    )
    assert (path[-2] - path[-1]).item() / 0.01 == pytest.approx(closed, rel=1e-6)
    if betas == [0.0, 0.9, 0.99]:
        assert closed == pytest.approx(37.0, rel=1e-12)


@pytest.mark.parametrize("target", [0.5, 0.8, 0.85, 0.89])
def test_exercise_optimizers_3_nadam_mu_closed_form(target):
    t = ex[3].first_step_closed_form(target)
    assert t == ex[3].first_step_by_search(target)
    assert ex[3].mu(t) >= target > ex[3].mu(t - 1)
    assert ex[3].mu(t) == nadam.mu(t)  # the exercise's mu_t is the page's (and torch's) formula
    assert {0.5: 722, 0.8: 9212}.get(target, t) == t


def test_exercise_optimizers_4_rank_one_update_lands_at_0_696_not_1():
    s = ex[4].iterate_scalar(1.0)
    assert round(s, 4) == 0.6964
    gen = torch.Generator().manual_seed(0)
    u, v = (torch.randn(n, generator=gen, dtype=torch.float64) for n in (32, 64))
    exact = torch.linalg.svdvals(ex[4].newton_schulz_float64(torch.outer(u, v)))
    assert exact[0].item() == pytest.approx(s, rel=1e-12)
    assert exact[1].item() < 1e-12
    sv = ex[4].muon_step_singular_values(torch.float32)
    assert sv[0].item() == pytest.approx(s, abs=0.01)  # bfloat16 inside torch.optim.Muon
    assert (sv > 0.1).sum().item() == 15  # its rounding errors, lifted by the iteration


# --- bad input ----------------------------------------------------------------------------

CASES = [
    ("snippets/optimizers_adam.py", ["--lr", "-1"], "lr must be >= 0"),
    ("snippets/optimizers_adam.py", ["--beta2", "1"], "betas must lie in [0, 1)"),
    ("snippets/optimizers_lion.py", ["--beta1", "-0.1"], "betas must lie in [0, 1)"),
    ("snippets/optimizers_lion.py", ["--lr", "-0.001"], "lr must be > 0"),
    ("snippets/optimizers_muon.py", ["--shape", "256"], "2-D weight matrices"),
    ("snippets/optimizers_muon.py", ["--momentum", "1.5"], "momentum must lie in [0, 1)"),
    ("snippets/optimizers_muon.py", ["--shape", "ax3"], "--shape must look like"),
    ("examples/optimizer_sweep.py", ["--profile", "huge"], "--profile"),
]


@pytest.mark.parametrize("script, argv, message", CASES)
def test_bad_input_is_one_line_and_a_nonzero_exit(script, argv, message):
    env = {**os.environ, "MPLBACKEND": "Agg"}
    proc = subprocess.run(
        [sys.executable, ROOT / script, *argv], capture_output=True, text=True, env=env, timeout=120
    )
    assert proc.returncode != 0
    assert "Traceback" not in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1, proc.stderr
    assert ": error:" in proc.stderr and message in proc.stderr, proc.stderr
    assert proc.stdout == ""  # nothing half-written


def test_nadam_schedule_stretches_with_one_over_momentum_decay():
    """mu depends on t and psi only through t * psi: the schedule stretches with 1 / psi."""
    assert math.isclose(nadam.mu(1000, momentum_decay=4e-3), nadam.mu(2000, momentum_decay=2e-3))
