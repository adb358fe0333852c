"""examples/adam_from_scratch.py: our Adam is torch's, the bias-correction bug, bad input; the
page's run read from its record."""

import numpy as np
import pytest
import torch
from conftest import load_script, recorded

m = load_script("examples/adam_from_scratch.py")


pytestmark = pytest.mark.usefixtures("one_thread")


def train_pair(make_opt, dtype, steps, **kw):
    """A weight matrix and a bias (two parameters, one optimizer) fit to the page's problem."""
    X, y = m.make_problem(n=128, d=12, seed=3, dtype=dtype)
    gen = torch.Generator().manual_seed(4)
    W = torch.randn(12, 3, generator=gen, dtype=torch.float64).to(dtype).requires_grad_()
    b = torch.zeros(3, dtype=dtype, requires_grad=True)
    opt = make_opt([W, b], **kw)
    for _ in range(steps):
        loss = 0.5 * ((X @ W + b - y[:, None]) ** 2).mean()
        opt.zero_grad()
        loss.backward()
        opt.step()
    return torch.cat([W.detach().flatten(), b.detach()])


SETTINGS = [dict(lr=0.05), dict(lr=0.01, betas=(0.8, 0.99), eps=1e-6)]
# The two implementations order the same float operations differently: a few units of rounding
# per step (2^-52 in float64, 2^-24 in float32) on weights of size about 1, over 300 steps of a
# convex problem that does not amplify them: about 1e-13 and 1e-5 at the very most, and in
# practice far less. 1e-12 and 1e-6 hold with room; a real difference in the rule is far larger
# (test_the_check_catches_the_bias_correction_bug: above 1e-3).


@pytest.mark.parametrize("kw", SETTINGS)
def test_adam_matches_torch_float64(kw):
    ours = train_pair(m.Adam, torch.float64, 300, **kw)
    theirs = train_pair(torch.optim.Adam, torch.float64, 300, **kw)
    assert (ours - theirs).abs().max().item() <= 1e-12  # SETTINGS' comment


@pytest.mark.parametrize("kw", SETTINGS)
def test_adam_matches_torch_float32(kw):
    ours = train_pair(m.Adam, torch.float32, 300, **kw)
    theirs = train_pair(torch.optim.Adam, torch.float32, 300, **kw)
    assert (ours - theirs).abs().max().item() <= 1e-6  # SETTINGS' comment


def test_the_check_catches_the_bias_correction_bug():
    buggy = train_pair(m.AdamTutorialBug, torch.float64, 300, lr=0.05)
    theirs = train_pair(torch.optim.Adam, torch.float64, 300, lr=0.05)
    assert (buggy - theirs).abs().max().item() > 1e-3


def test_one_step_counter_per_optimizer_not_shared():
    """Two optimizers stepped in turn give what each gives alone; each counts its own steps."""
    X, y = m.make_problem(n=64, d=5, seed=0, dtype=torch.float64)
    alone = m.run(lambda p: m.Adam(p, lr=0.05), X, y, 50)[0]
    ws = [torch.zeros(5, dtype=torch.float64, requires_grad=True) for _ in range(2)]
    opts = [m.Adam([w], lr=0.05) for w in ws]
    for _ in range(50):
        for w, opt in zip(ws, opts, strict=True):
            opt.zero_grad()
            (0.5 * ((X @ w - y) ** 2).mean()).backward()
            opt.step()
    assert [opt.t for opt in opts] == [50, 50]
    assert all(torch.equal(w.detach(), alone) for w in ws)


def test_torch_adam_counts_steps_per_parameter():
    """The docstring's caveat: torch keeps state['step'] per parameter, skipping grad-less ones."""
    a, b = (torch.ones(2, requires_grad=True) for _ in range(2))
    opt = torch.optim.Adam([a, b], lr=0.1)
    for k in range(3):
        opt.zero_grad()
        (a.sum() + (b.sum() if k == 0 else 0)).backward()  # b gets a gradient only at step 1
        opt.step()
    assert (opt.state[a]["step"].item(), opt.state[b]["step"].item()) == (3, 1)


def state_after(steps, X, y):
    """A correct Adam (eps = 0) after `steps` steps, and the gradient for the next one."""
    w = torch.zeros(X.shape[1], dtype=X.dtype, requires_grad=True)
    opt = m.Adam([w], lr=0.01, eps=0.0)
    for _ in range(steps + 1):
        opt.zero_grad()
        (0.5 * ((X @ w - y) ** 2).mean()).backward()
        if _ < steps:
            opt.step()
    return w, opt


@pytest.mark.parametrize("t", [1, 2, 5, 12, 100, 1000])
def test_buggy_step_is_r_t_times_the_correct_step(t):
    """From the same state, the bug scales the whole update by r(t), whatever the gradients."""
    X, y = m.make_problem(n=64, d=5, seed=1, dtype=torch.float64)
    w, opt = state_after(t - 1, X, y)
    steps = []
    for cls in (m.Adam, m.AdamTutorialBug):
        # the update does not depend on w itself: start from zero so that it is read exactly
        other = cls([torch.zeros_like(w, requires_grad=True)], lr=0.01, eps=0.0)
        other.m, other.v, other.t = [opt.m[0].clone()], [opt.v[0].clone()], opt.t
        other.params[0].grad = w.grad.clone()
        other.step()
        steps.append(other.params[0].detach().clone())
    # the two steps share every operation but the two divisions by the corrections: a few
    # float64 roundings apart, 1e-15 relative; 1e-12 leaves room
    assert torch.allclose(steps[1], m.bug_factor(t) * steps[0], rtol=1e-12, atol=0)


def test_bug_factor_table():
    """r(1) = 1 (a one-step check misses the bug); largest near 2.08 at t = 12; limit 0.316: the
    recorded table against r(t) computed here with numpy."""
    t = np.arange(1, 20001, dtype=np.float64)
    r_t = ((1 - 0.9**t) / 0.1) / np.sqrt((1 - 0.999**t) / 0.001)
    assert m.bug_factor(1) == pytest.approx(1.0, abs=1e-15)
    run = recorded("adam_from_scratch").results
    assert run["peak_step"] == int(r_t.argmax()) + 1 == 12
    assert run["peak_factor"] == pytest.approx(r_t.max(), rel=1e-12)
    assert run["limit_factor"] == pytest.approx(0.001**0.5 / 0.1, rel=1e-15)
    assert r_t[-1] == pytest.approx(run["limit_factor"], rel=1e-6)  # 0.9^20000 is 0


def test_adam_ends_far_below_sgd_momentum_on_the_page_problem():
    run = recorded("adam_from_scratch").results
    assert run["loss_adam"] < run["loss_sgd"] / 100
    # ours and torch's end with weights gap_float32 apart (float32 rounding). At the recorded loss
    # (residuals r with |r|^2 / n = 2 loss) the loss moves by at most |X^T r| / n |dw| <= sqrt(2
    # loss) * 10 (the largest column scale) * sqrt(20) * sqrt(20) gap_float32: a bound computed here
    bound = (2 * run["loss_adam"]) ** 0.5 * 10 * 20 * run["gap_float32"]
    assert abs(run["loss_adam"] - run["loss_torch_adam"]) <= bound
    assert run["gap_float64"] <= 1e-12 and run["gap_float32"] <= 1e-5
    # SGD ran at 1/L, inside its stability limit 2 (1 + momentum) / L
    assert run["curvature_max"] / run["curvature_min"] > 1e3  # the badly scaled problem


def test_bug_helps_early_and_costs_late_here():
    """What the page's second figure shows: below the correct Adam early, above it at the end."""
    run = recorded("adam_from_scratch").results
    assert run["loss_at_50"]["bug"] < run["loss_at_50"]["correct"] / 10
    assert run["final_loss"]["bug"] > run["final_loss"]["correct"] * 2
    assert run["bug_helps_early"] and run["bug_costs_late"]  # the page's two claims
    assert run["final_loss"]["correct"] == run["loss_adam"]


@pytest.mark.parametrize("argv", [["--momentum", "1"], ["--steps", "0"], ["--lr", "0"]])
def test_bad_options_exit_with_one_line(argv):
    with pytest.raises(SystemExit) as exc:
        m.parse_args(argv)
    assert isinstance(exc.value.code, str) and "\n" not in exc.value.code
    assert argv[0] in exc.value.code and ": error:" in exc.value.code, exc.value.code
