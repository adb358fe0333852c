"""The porting page's rows, on the recorded runs of snippets/porting/porting_sgd.py and
porting_adam.py: each setting the page calls "the same run" agrees across PyTorch, Keras 3 and optax
to float32 rounding, and each near miss it warns about is far outside it."""

import importlib.metadata
import inspect

import pytest
from conftest import recorded

STEPS, MOMENTUM = 60, 0.9  # both scripts' steps; their momentum (SGD's gamma, Adam's beta1)
# float32 rounds each operation to 2**-24 relative. A step computes each parameter's update in a
# few operations (the gradient's sum, the buffer, the scaling, the addition), each framework in
# its own order: up to about 4 roundings, 4 · 2**-24 relative, per step. The buffer carries each
# of them on for about 1 / (1 - momentum) steps, and the problem contracts, so the differences
# of STEPS steps add up at most linearly: an estimate of the worst case, not a fit.
TOL = STEPS * 4 * 2**-24 / (1 - MOMENTUM)  # 1.4e-4
FAR = 10 * TOL  # a near miss must be a real difference, not rounding

SGD_EXACT = [
    "momentum",
    "lr_change",
    "lr_change_keras",
    "nesterov",
    "coupled_decay",
    "decoupled_decay",
    "clip",
    "accumulation",
]
ADAM_EXACT = ["adamw", "adam_l2", "nadam_keras", "nadam_optax", "lion"]


@pytest.fixture(scope="module")
def sgd():
    results = recorded("porting_sgd").results
    assert (results["steps"], results["gamma"]) == (STEPS, MOMENTUM)
    return results


@pytest.fixture(scope="module")
def adam():
    results = recorded("porting_adam").results
    assert (results["steps"], results["b1"]) == (STEPS, MOMENTUM)
    return results


@pytest.mark.parametrize("name", SGD_EXACT)
def test_sgd_settings_give_the_same_run_in_all_three(sgd, name):
    row = sgd["rows"][name]
    names = list(row["settings"])
    pairs = {f"{a}-{b}" for i, a in enumerate(names) for b in names[i + 1 :]}
    assert row["exact"] and set(row["gaps"]) == pairs and len(names) >= 2
    assert row["gap"] <= TOL, row["gaps"]


@pytest.mark.parametrize("name", ["lr_change", "coupled_decay", "clip", "accumulation"])
def test_sgd_near_misses_are_real_differences(sgd, name):
    assert sgd["rows"][name]["near_miss"] >= FAR


def test_dampening_has_no_exact_setting_and_its_difference_fades(sgd):
    row = sgd["rows"]["dampening"]
    assert not row["exact"] and row["gap"] >= FAR
    # the first step alone differs; the buffers forget it by a factor gamma per step, the parameters
    # converge to the same minimum
    assert row["last_step_gap"] < row["gap"] / 2


@pytest.mark.parametrize("name", ADAM_EXACT)
def test_adam_family_settings_give_the_same_run(adam, name):
    row = adam["rows"][name]
    assert row["exact"] and row["gap"] <= TOL, row["gaps"]


def test_keras_epsilon_and_optax_amsgrad_differ_and_the_other_two_agree(adam):
    epsilon, amsgrad = adam["rows"]["epsilon"], adam["rows"]["amsgrad"]
    assert epsilon["gaps"]["torch-keras"] >= FAR and epsilon["gaps"]["torch-optax"] <= TOL
    assert amsgrad["gaps"]["torch-optax"] >= FAR and amsgrad["gaps"]["torch-keras"] <= TOL
    assert adam["rows"]["nadam"]["gap"] >= FAR  # Keras's Nadam against optax's nadam
    assert adam["rows"]["adam_l2"]["near_miss"] >= FAR  # Keras's Adam(weight_decay) is AdamW
    assert adam["rows"]["nadam_keras"]["near_miss"] >= FAR  # PyTorch's default momentum_decay


def test_the_recorded_versions_are_the_installed_ones(sgd, adam):
    for results in (sgd, adam):
        for name, version in results["versions"].items():
            assert version.split("+")[0] == importlib.metadata.version(name).split("+")[0]


def test_the_recorded_defaults_are_the_libraries(adam):
    import torch

    torch_defaults = inspect.signature(torch.optim.AdamW).parameters
    assert adam["defaults"]["torch"]["weight_decay"] == torch_defaults["weight_decay"].default
    assert adam["defaults"]["torch"]["eps"] == torch_defaults["eps"].default
    # the three disagree on weight decay and two on ε: the reason the page writes every setting
    decays = {name: d["weight_decay"] for name, d in adam["defaults"].items()}
    assert len(set(decays.values())) == 3
    assert adam["defaults"]["keras"]["epsilon"] != adam["defaults"]["torch"]["eps"]


def test_token_weighted_micro_batches_sum_to_the_full_batch():
    from conftest import load_script

    porting = load_script("snippets/porting/_porting.py")
    for mode, k in (("tokens", 1), ("tokens_times_k", len(porting.MICRO))):
        parts = porting.batches(mode)
        assert sum(p.stop - p.start for p, _ in parts) == len(porting.X)
        # each row weighs 1/N in the full batch, K/N where the framework divides by K
        assert all(w == pytest.approx(k / len(porting.X)) for _, w in parts)
    means = porting.batches("mean")
    assert {round(w * (p.stop - p.start) * len(means), 12) for p, w in means} == {1.0}
