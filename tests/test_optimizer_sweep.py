"""examples/optimizer_sweep.py: shared weights and batches, who optimises what, runs shared among
processes, the summary, and the page's reading of the recorded table."""

import itertools

import pytest
import torch
from conftest import load_script, recorded

sweep = load_script("examples/optimizer_sweep.py")

pytestmark = pytest.mark.usefixtures("one_thread")


def synthetic_data(n=256, seed=0):
    """MNIST-shaped inputs in [-1, 1] with labels from a random linear teacher; 64 test rows."""
    gen = torch.Generator().manual_seed(seed)
    x = torch.rand(n + 64, 784, generator=gen) * 2 - 1
    y = (x @ torch.randn(784, 10, generator=gen)).argmax(1)
    return x[:n], y[:n], x[n:], y[n:]


def test_every_optimizer_starts_from_the_same_weights_and_sees_the_same_batches():
    data = synthetic_data()
    prints = {}
    for seed in (0, 1):
        for name, (default, _, _) in sweep.OPTIMIZERS.items():
            r = sweep.run(name, default, seed, data, steps=5, batch_size=32)
            prints.setdefault(seed, set()).add((r["start"], r["batches"]))
    assert all(len(p) == 1 for p in prints.values()), prints  # one pair per seed
    assert prints[0] != prints[1]  # and the seeds differ
    # the fingerprints are of the real initial weights and of the real batch order
    ((start, batches),) = prints[0]
    assert start == sweep.fingerprint(sweep.make_mlp(0).parameters())
    assert batches == sweep.fingerprint([sweep.batch_order(0, 256, 5, 32)])


def test_run_trains_from_make_mlp_weights_on_batch_order_batches():
    """Replay one SGD run by hand from make_mlp and batch_order: the same final loss."""
    data = synthetic_data()
    xtr, ytr = data[0], data[1]
    r = sweep.run("SGD+momentum", 0.01, 3, data, steps=12, batch_size=32)
    model = sweep.make_mlp(3)
    opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    for idx in sweep.batch_order(3, len(xtr), 12, 32):
        opt.zero_grad()
        torch.nn.functional.cross_entropy(model(xtr[idx]), ytr[idx]).backward()
        opt.step()
    with torch.no_grad():
        replay = torch.nn.functional.cross_entropy(model(xtr), ytr).item()
    assert r["final_loss"] == replay


def test_batch_order_is_whole_permutations():
    order = sweep.batch_order(0, 100, steps=9, batch_size=20)  # 5 batches per epoch
    assert order.shape == (9, 20)
    first_epoch = order[:5].flatten()
    assert sorted(first_epoch.tolist()) == list(range(100))
    assert len(set(order[5:].flatten().tolist())) == 80  # no repeats within an epoch
    assert not torch.equal(order[:4], order[5:9])  # a fresh permutation each epoch


def test_muon_gets_only_the_hidden_weight_matrix_and_adamw_the_rest():
    model = sweep.make_mlp(0)
    muon, adamw = sweep.muon_with_adamw(model, 0.02)
    assert isinstance(muon, torch.optim.Muon) and isinstance(adamw, torch.optim.AdamW)
    (hidden,) = muon.param_groups[0]["params"]
    assert hidden is model[0].weight and hidden.shape == (200, 784)
    rest = adamw.param_groups[0]["params"]
    assert {id(p) for p in rest} == {id(model[0].bias), id(model[2].weight), id(model[2].bias)}
    assert adamw.param_groups[0]["lr"] == 1e-3


def exact_newton_schulz(grad, ns_coefficients, ns_steps, eps):
    """The same iteration as torch.optim.Muon's, in float64: what both bfloat16 paths round."""
    a, b, c = ns_coefficients
    x = grad.double().T if grad.size(0) > grad.size(1) else grad.double()
    x = x / x.norm().clamp(min=eps)
    for _ in range(ns_steps):
        gram = x @ x.T
        x = a * x + (b * gram + c * gram @ gram) @ x
    return x.T if grad.size(0) > grad.size(1) else x


@pytest.mark.parametrize("shape", [(200, 784), (784, 200)])
@pytest.mark.parametrize("seed", [0, 1])
def test_newton_schulz_in_float32_is_as_close_to_exact_as_torchs_bfloat16_path(shape, seed):
    """Both paths round every product of the same iteration to bfloat16 (relative error at most
    2^-9 each), so the same error bound holds for both; how close each lands to the exact
    iteration depends on the CPU (emulated bfloat16, AVX-512 BF16, AMX round at other points).
    The claim is relative, so it holds on any CPU: ours lands no farther from the float64
    iteration than twice torch's own distance, in entries and in singular values (measured
    ratios 0.9-1.2 on an AVX-512 BF16 CPU)."""
    from torch.optim._muon import _zeropower_via_newtonschulz

    grad = torch.randn(*shape, generator=torch.Generator().manual_seed(seed))
    coefficients = torch.optim.Muon([torch.zeros(2, 2)]).defaults["ns_coefficients"]
    exact = exact_newton_schulz(grad, coefficients, 5, 1e-7)
    ours = sweep.newton_schulz_in_float32(grad, coefficients, 5, 1e-7).double()
    theirs = _zeropower_via_newtonschulz(grad, coefficients, 5, 1e-7).double()
    assert ours.shape == theirs.shape == shape
    assert (ours - exact).abs().max() <= 2 * (theirs - exact).abs().max()
    singular = [torch.linalg.svdvals(m) for m in (exact, ours, theirs)]
    assert (singular[1] - singular[0]).abs().max() <= 2 * (singular[2] - singular[0]).abs().max()
    assert singular[1].min() > 0.6 and singular[1].max() < 1.25  # orthogonalised, roughly


def test_schedule_free_is_evaluated_at_its_average():
    """run() switches schedule-free SGD to eval() before measuring: the loss at x, not at y."""
    data = synthetic_data()
    xtr, ytr = data[0], data[1]
    r = sweep.run("schedule-free SGD", 0.1, 0, data, steps=20, batch_size=32)
    model = sweep.make_mlp(0)
    (opt,) = sweep.schedule_free(model, 0.1)
    opt.train()
    for idx in sweep.batch_order(0, len(xtr), 20, 32):
        opt.zero_grad()
        torch.nn.functional.cross_entropy(model(xtr[idx]), ytr[idx]).backward()
        opt.step()

    def loss():
        with torch.no_grad():
            return torch.nn.functional.cross_entropy(model(xtr), ytr).item()

    at_y = loss()
    opt.eval()
    assert r["final_loss"] == loss() != at_y


def test_a_diverged_run_counts_as_infinite_loss():
    r = sweep.run("SGD+momentum", 1e6, 0, synthetic_data(), steps=20, batch_size=32)
    assert r["final_loss"] == float("inf")


def test_summary_picks_the_lowest_mean_final_loss():
    results = {}
    for name in sweep.OPTIMIZERS:
        for i, factor in enumerate(sweep.LR_FACTORS):
            for seed in range(3):
                loss = abs(i - 2) + 0.1 * seed  # best at the third factor
                if name == "Lion" and i == 5:
                    loss = 0.0 if seed == 0 else 10.0  # one lucky seed does not win
                results[name, factor, seed] = {"final_loss": loss, "test_acc": 0.5 + 0.1 * seed}
    best = sweep.summarize(results, 3)
    for name, (factor, losses, accs) in best.items():
        assert factor == sweep.LR_FACTORS[2], name
        assert losses == pytest.approx([0.0, 0.1, 0.2]) and accs == pytest.approx([0.5, 0.6, 0.7])


def test_every_grid_has_at_least_four_learning_rates_around_the_default():
    assert len(sweep.LR_FACTORS) >= 4
    assert min(sweep.LR_FACTORS) < 1 < max(sweep.LR_FACTORS) and 1.0 in sweep.LR_FACTORS
    assert sweep.PROFILES["cpu"]["seeds"] >= 3


@pytest.mark.parametrize("argv", [["--profile", "long"], ["--threads", "0"], ["--device", "tpu"]])
def test_bad_options_exit_with_one_line(argv):
    with pytest.raises(SystemExit) as exc:
        sweep.parse_args(argv)
    assert isinstance(exc.value.code, str) and "\n" not in exc.value.code
    assert argv[0] in exc.value.code and ": error:" in exc.value.code


def table(rows):
    """summarize()'s form from {name: (factor, losses)}: test accuracy 0.95 for Muon, 0.9 else."""
    return {
        name: (factor, losses, [0.95 if name == "Muon+AdamW" else 0.9] * len(losses))
        for name, (factor, losses) in rows.items()
    }


def test_findings_read_the_table():
    """findings() on a table where every statement holds, then on tables that break one each."""
    rows = {
        "SGD+momentum": (31.6, [0.15, 0.2, 0.25]),
        "SGD+Nesterov": (31.6, [0.11, 0.12, 0.13]),
        "AdamW": (3.16, [0.16, 0.18, 0.2]),
        "NAdam": (3.16, [0.1, 0.15, 0.2]),
        "Lion": (10.0, [0.1, 0.12, 0.14]),
        "Muon+AdamW": (31.6, [0.009, 0.01, 0.011]),
        "schedule-free SGD": (0.316, [0.16, 0.165, 0.17]),
    }
    found = sweep.findings(table(rows))
    assert all(v for k, v in found.items() if k not in ("pairs", "overlapping_pairs")), found
    assert found["pairs"] == 15
    broken = {
        "muon_10x_lower": {"Muon+AdamW": (31.6, [0.02, 0.02, 0.02])},
        "runner_up_nesterov": {"Lion": (10.0, [0.1, 0.1, 0.1])},
        "muon_outside_ranges": {"Muon+AdamW": (31.6, [0.001, 0.001, 0.2])},
        "others_within_2x": {"AdamW": (3.16, [0.3, 0.3, 0.3])},
        "nesterov_below_three": {"AdamW": (3.16, [0.12, 0.18, 0.2])},
        "defaults_below_best": {"NAdam": (0.316, [0.1, 0.15, 0.2])},
        "schedule_free_above": {"schedule-free SGD": (3.16, [0.16, 0.165, 0.17])},
    }
    for claim, change in broken.items():
        assert not sweep.findings(table({**rows, **change}))[claim], claim
    worse = table(rows)
    worse["Muon+AdamW"] = (31.6, [0.009, 0.01, 0.011], [0.8] * 3)
    assert not sweep.findings(worse)["muon_best_accuracy"]


def test_the_pages_reading_of_the_table_holds_for_the_run_it_shows():
    """The page's last section reads the table of the run it shows, and the build checks each
    statement against the run's findings. Here both the best settings and the findings are
    derived again from every recorded run (the grid), by this test's own code."""
    r = recorded("optimizer_sweep").results
    assert r["profile"] == "cpu"
    key = {
        name: name.lower().replace("+", "_").replace("-", "_").replace(" ", "_")
        for name in sweep.OPTIMIZERS
    }
    mean, low, high, acc, best_lr = {}, {}, {}, {}, {}
    for name, (default, _, _) in sweep.OPTIMIZERS.items():
        grid = r["grid"][key[name]]
        losses = grid["loss"]  # inf where a run diverged
        i = min(range(len(sweep.LR_FACTORS)), key=lambda i: sum(losses[i]))
        mean[name] = sum(losses[i]) / len(losses[i])
        low[name], high[name] = min(losses[i]), max(losses[i])
        acc[name] = sum(grid["accuracy"][i]) / len(grid["accuracy"][i])
        best_lr[name] = default * sweep.LR_FACTORS[i]
    muon = "Muon+AdamW"
    others = [name for name in sweep.OPTIMIZERS if name != muon]
    ranked = sorted(others, key=mean.get)
    overlapping = sum(
        low[a] <= high[b] and low[b] <= high[a] for a, b in itertools.combinations(others, 2)
    )
    derived = {
        "muon_10x_lower": mean[muon] * 10 < mean[ranked[0]],
        "runner_up_nesterov": ranked[0] == "SGD+Nesterov",
        "muon_outside_ranges": high[muon] < min(low[name] for name in others),
        "muon_best_accuracy": acc[muon] > max(acc[name] for name in others),
        "others_within_2x": mean[ranked[-1]] < 2 * mean[ranked[0]],
        "pairs": 15,
        "overlapping_pairs": overlapping,
        "most_pairs_overlap": overlapping > 15 / 2,
        "nesterov_below_three": all(
            high["SGD+Nesterov"] < low[name]
            for name in ("SGD+momentum", "AdamW", "schedule-free SGD")
        ),
        "defaults_below_best": all(
            sweep.OPTIMIZERS[name][0] < best_lr[name]
            for name in sweep.OPTIMIZERS
            if name != "schedule-free SGD"
        ),
        "schedule_free_above": sweep.OPTIMIZERS["schedule-free SGD"][0]
        > best_lr["schedule-free SGD"],
    }
    assert {k: r[k] for k in derived} == derived
    # what the page says of this run: each statement holds (the build stops otherwise)
    assert all(v for k, v in derived.items() if k not in ("pairs", "overlapping_pairs"))
