"""The claim docs/cheat_sheet.md backs here: rescaling PyTorch's momentum buffer by old lr / new lr
at every learning-rate change reproduces Keras's run (snippets/cheat_sheet_rescale.py). The cheat
sheet's other lines are backed by the tests of the pages they link to."""

import pytest
import torch
from conftest import load_script

rescale = load_script("snippets/cheat_sheet_rescale.py")


@pytest.fixture(scope="module")
def differences():
    return rescale.differences()


def test_rescaled_torch_sgd_takes_keras_steps_to_1e_15_under_both_schedules(differences):
    for _, rescaled in differences.values():
        assert rescaled < 1e-15


def test_without_rescaling_torch_and_keras_part_ways(differences):
    plain = {name: d[0] for name, d in differences.items()}
    assert plain["tenfold drop at step 100"] == pytest.approx(5.31e-3, abs=5e-6)
    assert plain["cosine to 1e-4"] == pytest.approx(7.79e-3, abs=5e-6)


def test_runs_agree_until_the_first_change_without_rescaling():
    make = rescale.SCHEDULES["tenfold drop at step 100"]
    diff = (rescale.train(make, rescale=False) - rescale.keras(make)).abs().amax(dim=1)
    assert diff[:100].max() < 1e-15 < 1e-4 < diff[100:].max()


def test_rescaling_keeps_the_step_under_way_and_applies_the_new_lr_to_new_gradients():
    w = torch.zeros(1, dtype=torch.float64, requires_grad=True)
    optimizer = torch.optim.SGD([w], lr=0.1, momentum=0.9)
    w.grad = torch.ones_like(w)
    optimizer.step()  # buffer 1, step 0.1
    optimizer.param_groups[0]["lr"] = 0.01
    rescale.rescale_buffers(optimizer, [0.1])
    buffer = optimizer.state[w]["momentum_buffer"]
    assert (0.01 * buffer).item() == pytest.approx(0.1, rel=1e-15)  # lr * buffer unchanged
    before = w.item()
    optimizer.step()  # next step: 0.9 * 0.1 (old step) + 0.01 * 1 (new gradient, new lr)
    assert before - w.item() == pytest.approx(0.9 * 0.1 + 0.01, rel=1e-14)


def test_scheduled_lrs_are_the_schedules():
    drop = rescale.scheduled_lrs(rescale.SCHEDULES["tenfold drop at step 100"])
    assert drop[:100] == [rescale.LR] * 100
    assert drop[100:] == pytest.approx([rescale.LR * 0.1] * 100, rel=1e-12)
    cosine = rescale.scheduled_lrs(rescale.SCHEDULES["cosine to 1e-4"])
    assert cosine[0] == rescale.LR and cosine[-1] == pytest.approx(1e-4, rel=0.01)
