"""The claims docs/cheat_sheet.md backs here: rescaling PyTorch's momentum buffer by old lr / new lr
at every learning-rate change reproduces Keras's run (snippets/cheat_sheet/cheat_sheet_rescale.py),
and two rules it draws from other pages' runs (Nesterov's exponent with a constant momentum, and
what the noise floor's gain at the same effective learning rate depends on). The cheat sheet's other
lines are backed by the tests of the pages they link to.

EPS is float64's machine epsilon; every tolerance below says where it comes from."""

import functools
import posixpath
import re

import numpy as np
import pytest
import torch
from conftest import ROOT, load_script, recorded

rescale = load_script("snippets/cheat_sheet/cheat_sheet_rescale.py")
rates = load_script("snippets/nesterov/nesterov_rates.py")

EPS = np.finfo(np.float64).eps
# 200 steps on iterates of size <= 1, two roundings a step, amplified at most 1/(1 - sqrt(0.9)) =
# 20 times by the heavy-ball recursion (complex roots of modulus sqrt(0.9) for lr 0.01, curvatures
# 1 and 10) and at most 1/(1 - 0.9) = 10 times through the rescaled buffer
SAME_STEPS = 2 * EPS * 20 * 10


def numpy_forms(lrs, a=(1.0, 10.0), w0=(1.0, 1.0), m=0.9):
    """Both forms written out again in numpy: PyTorch's (b = m b + g; w -= lr b) and Keras's
    (v = m v - lr g; w += v), every iterate."""
    a, w_t, w_k = np.array(a), np.array(w0), np.array(w0)
    b, v, torch_path, keras_path = np.zeros(2), np.zeros(2), [], []
    for k, lr in enumerate(lrs):
        g = a * w_t
        b = g if k == 0 else m * b + g  # PyTorch's buffer starts at the first gradient
        w_t = w_t - lr * b
        v = m * v - lr * (a * w_k)
        w_k = w_k + v
        torch_path.append(w_t)
        keras_path.append(w_k)
    return np.array(torch_path), np.array(keras_path)


def test_rescaled_torch_sgd_takes_keras_steps_under_both_schedules():
    run = recorded("cheat_sheet_rescale").results
    for key in ("drop", "cosine"):
        assert run[key]["rescaled"] < SAME_STEPS, key
    assert run["rescaled_max"] == max(run["drop"]["rescaled"], run["cosine"]["rescaled"])


def test_without_rescaling_torch_and_keras_part_ways():
    run = recorded("cheat_sheet_rescale").results
    for key, name in (("drop", "tenfold drop at step 100"), ("cosine", "cosine to 1e-4")):
        torch_path, keras_path = numpy_forms(rescale.scheduled_lrs(rescale.SCHEDULES[name]))
        expected = np.abs(torch_path - keras_path).max()
        # the recorded run and this one round differently, by SAME_STEPS at most
        assert run[key]["plain"] == pytest.approx(expected, abs=2 * SAME_STEPS), key
        assert run[key]["plain"] > 1e-3


def test_runs_agree_until_the_first_change_without_rescaling():
    def drop_at_50(opt):  # another schedule than the page's
        return torch.optim.lr_scheduler.MultiStepLR(opt, [50], gamma=0.3)

    diff = (rescale.train(drop_at_50, rescale=False) - rescale.keras(drop_at_50)).abs().amax(dim=1)
    assert diff[:50].max() < SAME_STEPS < 1e-4 < diff[50:].max()
    rescaled = (rescale.train(drop_at_50, rescale=True) - rescale.keras(drop_at_50)).abs()
    assert rescaled.max() < SAME_STEPS


def test_rescaling_keeps_the_step_under_way_and_applies_the_new_lr_to_new_gradients():
    w = torch.zeros(1, dtype=torch.float64, requires_grad=True)
    optimizer = torch.optim.SGD([w], lr=0.1, momentum=0.9)
    w.grad = torch.ones_like(w)
    optimizer.step()  # buffer 1, step 0.1
    optimizer.param_groups[0]["lr"] = 0.01
    rescale.rescale_buffers(optimizer, [0.1])
    buffer = optimizer.state[w]["momentum_buffer"]
    assert (0.01 * buffer).item() == pytest.approx(0.1, rel=2 * EPS)  # lr * buffer unchanged
    before = w.item()
    optimizer.step()  # next step: 0.9 * 0.1 (old step) + 0.01 * 1 (new gradient, new lr)
    # a difference of two positions near 0.1, a few roundings each
    assert before - w.item() == pytest.approx(0.9 * 0.1 + 0.01, abs=8 * 0.2 * EPS)


def test_scheduled_lrs_are_the_schedules():
    drop = rescale.scheduled_lrs(rescale.SCHEDULES["tenfold drop at step 100"])
    assert drop[:100] == [rescale.LR] * 100
    assert drop[100:] == pytest.approx([rescale.LR * 0.1] * 100, rel=2 * EPS)
    cosine = rescale.scheduled_lrs(rescale.SCHEDULES["cosine to 1e-4"])
    assert cosine[0] == rescale.LR
    # CosineAnnealingLR reaches eta_min at step T_max = 200; the last of the 200 lrs is step 199:
    # 1e-4 + (0.01 - 1e-4) (1 + cos(pi 199/200)) / 2
    last = 1e-4 + (rescale.LR - 1e-4) * (1 + np.cos(np.pi * 199 / 200)) / 2
    assert cosine[-1] == pytest.approx(last, rel=1e-9)  # the scheduler's recursive form


# --- rules drawn from other pages' runs ----------------------------------------------------------
def test_constant_nesterov_momentum_keeps_gradient_descents_exponent_on_both_problems():
    """ "The same exponent as gradient descent": constant momentum mu acts like gradient descent
    with lr / (1 - mu), lagging by about 1/(1 - mu) steps. A lag of tau steps multiplies the gap
    by about 1 + tau/k, which moves a slope fitted over k = 30..2000 by at most `lag` below."""
    k = np.arange(rates.FIT[0], rates.FIT[1] + 1)
    tau = 1 / (1 - 0.9)
    lag = abs(np.polyfit(np.log(k), np.log1p(tau / k), 1)[0])  # 0.032
    run = recorded("nesterov_rates").results
    for problem in ("spread", "chain"):
        slopes = {name: run[problem][name]["slope"] for name in ("gd", "schedule", "constant")}
        assert abs(slopes["constant"] - slopes["gd"]) < lag, problem
        # while the growing schedule's exponent is another one, by far more than the lag
        assert abs(slopes["schedule"] - slopes["gd"]) > 10 * lag, problem


def nesterov_matrix(a, mu=0.9):
    """One step of Nesterov (Sutskever's form) with lr 1 - mu along a direction of curvature a:
    v+ = mu v - lr (a (x + mu v) + n);  x+ = x + v+, on the state (x, v)."""
    lr = 1 - mu
    return np.array([[1 - lr * a, mu * (1 - lr * a)], [-lr * a, mu * (1 - lr * a)]])


def solve_tolerance(m):
    """Relative error of the stationary solve with the step matrix m: the condition number of
    I - m (x) m times EPS, times 10 for the products that build it."""
    return 10 * np.linalg.cond(np.eye(4) - np.kron(m, m)) * EPS


def nesterov_floor_ratio(a, mu=0.9):
    """Nesterov with lr (1 - mu) over gradient descent with lr 1 (the same effective learning
    rate), along one direction of curvature a: the stationary E[x^2] of each, from the Lyapunov
    equation P = M P M^T + b b^T written out here, independently of the nesterov page's code."""
    m, b = nesterov_matrix(a, mu), np.array([-(1 - mu), -(1 - mu)])
    p = np.linalg.solve(np.eye(4) - np.kron(m, m), np.outer(b, b).ravel()).reshape(2, 2)
    gd = 1 / (a * (2 - a))  # gradient descent, lr 1: Var = lr / (a (2 - lr a))
    return p[0, 0] / gd


def test_the_same_effective_lr_floor_gain_depends_on_the_curvatures():
    run = recorded("nesterov_noise").results
    assert run["over_gd"]["same_eff"] < 1  # lower on the page's spectrum, curvatures up to 1
    # along one direction, as a function of a = effective lr x curvature; both solves round
    for a, ratio in zip(run["a"], run["direction_ratio"], strict=True):
        tol = 2 * solve_tolerance(nesterov_matrix(a))
        assert ratio == pytest.approx(nesterov_floor_ratio(a), rel=tol), a
    ratios = run["direction_ratio"]
    assert ratios == sorted(ratios, reverse=True)  # the flatter, the smaller the gain
    assert 1 - ratios[0] < 2e-3  # a = 0.001: no gain to speak of
    assert run["spectrum_ratio"]["flatter"] > run["spectrum_ratio"]["page"]
    # the heavy-ball formula of the FAQ says the same: (2 - a) / (2 - a (1 - g)/(1 + g)) -> 1
    faq = recorded("faq_noise").results["ratio"]
    heavy_ball = np.array([[1 + 0.9 - 0.0001, -0.9], [1.0, 0.0]])  # lr 0.0001, curvature 1
    tol = 2 * solve_tolerance(heavy_ball)
    assert faq["0_001"] == pytest.approx((2 - 0.001) / (2 - 0.001 * 0.1 / 1.9), rel=tol)
    assert faq["0_001"] > faq["0_1"] > faq["1_0"]


LINK = re.compile(r"\]\(([^)#]+)")


def docs_link(folder, match):
    """A relative link in a page of docs/FOLDER, as the docs folder would write it."""
    return "](" + posixpath.normpath(posixpath.join(folder, match.group(1)))


@pytest.mark.parametrize("suffix", ["", ".zh"])
def test_the_choosing_gamma_box_is_the_same_on_the_faq_and_the_cheat_sheet(suffix):
    """One box of advice on the momentum coefficient, word for word in both places (its links
    read from the docs folder, since the two pages sit in different folders)."""
    box = re.compile(r'^!!! tip "(?:Choosing |怎样选 )\S+"\n(?:    .*\n)+', re.M)
    found = []
    for page in ("faq/basics", "cheat_sheet"):
        path = ROOT / "docs" / f"{page}{suffix}.md"
        folder = path.parent.relative_to(ROOT / "docs").as_posix()
        from_docs = functools.partial(docs_link, folder)
        found.append([LINK.sub(from_docs, b) for b in box.findall(path.read_text("utf-8"))])
    assert [len(f) for f in found] == [1, 1]
    assert found[0] == found[1]
    assert len(found[0][0].splitlines()) == 6  # the title and its five rules
