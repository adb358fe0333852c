"""The benchmark on the cost page: its byte counts, its cache and probe rules, and the recorded
run's numbers re-derived from one another (never a timing as pass or fail: which step is faster
depends on the machine, and the page states that through claims the build checks)."""

import importlib
import inspect
import json
import shutil
import subprocess
from fractions import Fraction

import pytest
import torch
from conftest import load_script, printed, recorded

bench = load_script("snippets/cost/cost_benchmark.py")
MIB = 2**20
# A recorded fraction of the bound and its re-derivation here go through at most 8 float64
# roundings between them (bytes / bandwidth, / seconds, and the unit changes GB/s and ms both
# ways), each within eps/2 relative: 4 eps; twice that leaves room and still fails on any real
# difference.
F64 = 8 * torch.finfo(torch.float64).eps


def test_bytes_per_step_is_three_arrays_plain_five_with_momentum():
    assert bench.bytes_per_step(1_000_000, 0.0) == 12_000_000
    assert bench.bytes_per_step(1_000_000, 0.9) == 20_000_000
    assert bench.bytes_per_step(10, 0.9, itemsize=2) == 100  # half precision: half the bytes


def test_three_pass_momentum_moves_eight_arrays_where_the_bound_counts_five():
    # torch's for-loop step: buf.mul_(m).add_(g), then param.add_(buf, alpha=-lr)
    source = inspect.getsource(importlib.import_module("torch.optim.sgd")._single_tensor_sgd)
    assert "buf.mul_(momentum).add_(grad" in source and "param.add_(grad, alpha=-lr)" in source
    passes = {"buf.mul_": 2, "buf.add_(grad)": 3, "param.add_(buf)": 3}  # arrays read + written
    n, itemsize = 1_000_000, 4
    moved = sum(passes.values()) * n * itemsize
    assert moved / bench.bytes_per_step(n, 0.9) == pytest.approx(8 / 5)  # 5/8 of the efficiency
    assert moved / bench.bytes_per_step(n, 0.0) == pytest.approx(8 / 3)  # the page's mom/plain


@pytest.mark.parametrize("total", [*bench.SIZES, 1_000_003])
def test_split_sizes_add_up_to_the_total_in_ten_nearly_equal_tensors(total):
    sizes = bench.split_sizes(total)
    assert sum(sizes) == total and len(sizes) == bench.N_TENSORS == 10
    assert max(sizes) - min(sizes) <= 1


def test_make_params_gives_fp32_tensors_with_gradients():
    params = bench.make_params(1000, "cpu")
    assert sum(p.numel() for p in params) == 1000
    assert all(p.dtype == torch.float32 and p.grad.shape == p.shape for p in params)


@pytest.mark.parametrize("impl", list(bench.IMPLEMENTATIONS))
def test_momentum_state_is_exactly_one_buffer_of_each_parameters_size_and_dtype(impl):
    params = bench.make_params(1000, "cpu")
    opt = torch.optim.SGD(params, lr=0.1, momentum=0.9, **bench.IMPLEMENTATIONS[impl])
    opt.step()
    for p in params:
        tensors = {k: v for k, v in opt.state[p].items() if torch.is_tensor(v)}
        assert list(tensors) == ["momentum_buffer"]
        buf = tensors["momentum_buffer"]
        assert buf.shape == p.shape and buf.dtype == p.dtype and buf.device == p.device
    assert bench.state_bytes(opt) == 4 * 1000


@pytest.mark.parametrize("impl", list(bench.IMPLEMENTATIONS))
def test_plain_sgd_keeps_no_state_tensors(impl):
    params = bench.make_params(1000, "cpu")
    opt = torch.optim.SGD(params, lr=0.1, momentum=0.0, **bench.IMPLEMENTATIONS[impl])
    opt.step()
    assert bench.state_bytes(opt) == 0


def test_the_three_implementations_compute_the_same_step():
    steps, lr = 3, 0.1
    results = []
    for kwargs in bench.IMPLEMENTATIONS.values():
        params = bench.make_params(1000, "cpu", seed=3)
        opt = torch.optim.SGD(params, lr=lr, momentum=0.9, **kwargs)
        for _ in range(steps):
            opt.step()
        buf = torch.cat([opt.state[p]["momentum_buffer"] for p in params])
        results.append((torch.cat([p.detach() for p in params]), buf))
    p0, b0 = results[0]
    # Each step rounds the buffer and the parameters once in fp32 (eps/2 relative each); one
    # implementation may fuse what another rounds, so two differ by at most eps per rounding.
    # A buffer difference reaches p through lr and is carried into every later step, so over
    # `steps` steps |dp| <= steps*eps*max|p| + lr*eps*max|b|*(1 + 2 + ... + steps).
    eps = torch.finfo(torch.float32).eps
    bound = steps * eps * p0.abs().max() + lr * eps * b0.abs().max() * steps * (steps + 1) / 2
    for p, _ in results[1:]:
        assert (p - p0).abs().max() <= bound


def test_every_implementation_is_supported_on_cpu_in_this_torch():
    for kwargs in bench.IMPLEMENTATIONS.values():
        assert bench.unsupported_reason("cpu", kwargs) is None


def test_unsupported_reason_reports_the_error_it_meets():
    reason = bench.unsupported_reason("cpu", {"fused": True, "foreach": True})
    assert reason and "fused" in reason and "\n" not in reason


@pytest.mark.parametrize(
    "text, size",
    [("32768K", 32 * MIB), ("480M", 480 * MIB), ("1G", 2**30), ("512", 512), (" 1024K\n", MIB)],
)
def test_cache_bytes_reads_sizes_as_sysfs_writes_them(text, size):
    assert bench.cache_bytes(text) == size


@pytest.mark.parametrize("text", ["", "K", "32.5M", "lots"])
def test_cache_bytes_rejects_what_is_not_a_size(text):
    with pytest.raises(ValueError, match="not a cache size"):
        bench.cache_bytes(text)


def fake_sysfs(root, caches):
    """A sysfs cpu tree: caches is {cpu: [(level, type, size, shared_cpu_list), ...]}."""
    for cpu, indexes in caches.items():
        for i, (level, kind, size, shared) in enumerate(indexes):
            index = root / f"cpu{cpu}" / "cache" / f"index{i}"
            index.mkdir(parents=True)
            for name, value in (("level", level), ("type", kind), ("size", size)):
                (index / name).write_text(f"{value}\n")
            (index / "shared_cpu_list").write_text(f"{shared}\n")
    (root / "cpufreq").mkdir()  # not a cpuN folder: ignored
    return root


def test_last_level_cache_sums_the_instances_of_the_highest_level(tmp_path):
    # two L3 instances of 32 MiB shared by cpus 0-1 and 2-3 (two CCXs), private L1 and L2
    caches = {
        cpu: [
            (1, "Data", "32K", str(cpu)),
            (1, "Instruction", "32K", str(cpu)),
            (2, "Unified", "1024K", str(cpu)),
            (3, "Unified", "32768K", "0-1" if cpu < 2 else "2-3"),
        ]
        for cpu in range(4)
    }
    root = fake_sysfs(tmp_path, caches)
    assert bench.last_level_cache(root) == ("L3", 2, 64 * MIB)


def test_last_level_cache_is_none_without_sysfs_and_skips_unreadable_entries(tmp_path):
    assert bench.last_level_cache(tmp_path) is None
    root = fake_sysfs(
        tmp_path / "sys", {0: [(2, "Unified", "1024K", "0"), (3, "Unified", "?", "0")]}
    )
    assert bench.last_level_cache(root) == ("L2", 1, MIB)  # the unreadable L3 is left out


@pytest.mark.skipif(shutil.which("lscpu") is None, reason="lscpu is Linux's util-linux tool")
def test_last_level_cache_here_is_what_lscpu_reports():
    out = subprocess.run(["lscpu", "-J", "-B", "-C"], capture_output=True, text=True, check=True)
    caches = json.loads(out.stdout)["caches"]
    top = max(caches, key=lambda c: int(c["level"]))
    one, total = int(top["one-size"]), int(top["all-size"])
    assert bench.last_level_cache() == (top["name"], total // one, total)


def test_probe_arrays_are_twice_the_cache_and_at_least_64_mib():
    assert bench.probe_floats(None) * 4 == 64 * MIB
    assert bench.probe_floats(("L3", 1, 8 * MIB)) * 4 == 64 * MIB  # a small cache: the floor
    assert bench.probe_floats(("L3", 1, 480 * MIB)) * 4 == 960 * MIB  # the 480 MB Xeon's L3


def test_benchmark_rows_cover_every_case_on_a_tiny_size():
    threads = torch.get_num_threads()
    rows, probe = bench.benchmark("cpu", sizes=(10_000,), n_probe=10_000, probe_threads=2)
    keys = {(r["impl"], r["variant"]) for r in rows}
    assert keys == {(i, v) for i in bench.IMPLEMENTATIONS for v in bench.MOMENTA}
    assert {r["state_bytes"] for r in rows if r["variant"] == "momentum"} == {40_000}
    assert {r["state_bytes"] for r in rows if r["variant"] == "plain"} == {0}
    # one probe per timed round, in turn: 7 rounds of 4 probes -> 2, 2, 2, 1 calls
    calls = {k: len(t) for k, t in probe.times.items()}
    assert calls == {"mul": 2, "add": 2, "mul_all_cores": 2, "add_all_cores": 1}
    assert {k: p[3] for k, p in probe.probes.items()} == {
        "mul": 1,
        "add": 1,
        "mul_all_cores": 2,
        "add_all_cores": 2,
    }
    assert set(probe.bytes_per_second()) == set(calls)
    assert torch.get_num_threads() == threads  # the all-cores probe gave the count back


def synthetic_rows(seconds):
    """Rows as benchmark() returns them, with given times: {(total, impl, variant): seconds}."""
    return [
        {
            "params": total,
            "impl": impl,
            "variant": variant,
            "unsupported": None,
            "seconds": t,
            "state_bytes": 4 * total if variant == "momentum" else 0,
        }
        for (total, impl, variant), t in seconds.items()
    ]


@pytest.mark.parametrize("fused_momentum_s, holds", [(2.1e-3, True), (1.9e-3, False)])
def test_summary_max_share_counts_only_sizes_beyond_the_cache(fused_momentum_s, holds):
    # 1 GB/s: the plain bound of 100 k parameters is 1.2 ms, the momentum bound 2.0 ms
    bandwidths = {"mul": 0.5e9, "add": 1e9}
    cache = ("L3", 1, 1_000_000)  # 1 MB: 10 k parameters (120 kB) fit, 100 k (1.2 MB) do not
    seconds = {
        (10_000, "fused", "plain"): 1e-6,  # in the cache: far faster than the bound, not claimed
        (10_000, "fused", "momentum"): 1e-6,
        (100_000, "fused", "plain"): 1.5e-3,
        (100_000, "fused", "momentum"): fused_momentum_s,
    }
    results = bench.summary(synthetic_rows(seconds), bandwidths, cache, 16 * MIB)
    assert results["beyond_cache"] == {"10000": False, "100000": True}
    assert results["bound_gbs"] == 1.0 and results["bound_ratio"] == 5 / 3
    assert results["steps"]["10000"]["fused"]["plain_bound"] > 1  # claimed by nothing
    fused = results["steps"]["100000"]["fused"]
    assert fused["plain_bound"] == pytest.approx(1.2e-3 / 1.5e-3, rel=F64)
    assert fused["momentum_bound"] == pytest.approx(2.0e-3 / fused_momentum_s, rel=F64)
    assert (results["max_share"] < 1) is holds


def test_summary_has_no_share_where_no_size_is_beyond_the_cache():
    seconds = {(1_000_000, "fused", v): 1.0 for v in bench.MOMENTA}
    results = bench.summary(synthetic_rows(seconds), {"mul": 1e9}, ("L3", 1, 2**40), 16 * MIB)
    assert results["beyond_cache"] == {"1M": False}
    assert results["max_share"] is None  # no size to say it of: the page's value would fail
    results = bench.summary(synthetic_rows(seconds), {"mul": 1e9}, None, 16 * MIB)
    assert results["cache"] == "unknown" and results["max_share"] is None


def test_recorded_bound_ratio_is_five_thirds():
    results = recorded("cost_benchmark").results
    assert Fraction(bench.bytes_per_step(1, 0.9), bench.bytes_per_step(1, 0.0)) == Fraction(5, 3)
    assert results["bound_ratio"] == pytest.approx(5 / 3, rel=F64)


def test_recorded_momentum_state_is_the_parameters_size():
    results = recorded("cost_benchmark").results
    for size, state in results["state_mb"].items():
        n = int(size.removesuffix("M")) * 1_000_000
        assert results["param_mb"][size] == 4 * n / 1e6  # fp32: 4 bytes per parameter
        assert state == {"plain": 0, "momentum": 4 * n / 1e6}  # one buffer, nothing for plain
    assert results["state_equals_params"] is True


def test_recorded_fractions_of_the_bound_follow_from_the_recorded_times():
    results = recorded("cost_benchmark").results
    assert results["bound_gbs"] == max(results["bandwidth_gbs"].values())
    for size, cases in results["steps"].items():
        n = int(size.removesuffix("M")) * 1_000_000
        for case in cases.values():
            for variant, momentum in bench.MOMENTA.items():
                bound_s = bench.bytes_per_step(n, momentum) / (results["bound_gbs"] * 1e9)
                expected = bound_s / (case[f"{variant}_ms"] / 1e3)
                assert case[f"{variant}_bound"] == pytest.approx(expected, rel=F64)


def test_recorded_claims_follow_from_the_recorded_numbers():
    results = recorded("cost_benchmark").results
    cache_bytes = results["cache_mib"] * MIB
    assert results["probe_mib"] >= max(64, 2 * results["cache_mib"])  # the page's probe rule
    beyond = {}
    for size, arrays in results["arrays_mb"].items():
        n = int(size.removesuffix("M")) * 1_000_000
        assert arrays == {"plain": 12 * n / 1e6, "momentum": 20 * n / 1e6}
        beyond[size] = 12 * n > cache_bytes > 0  # a plain step's arrays exceed all of the cache
    assert results["beyond_cache"] == beyond
    reached = [
        case[f"{variant}_bound"]
        for size, cases in results["steps"].items()
        if beyond[size]
        for case in cases.values()
        for variant in bench.MOMENTA
    ]
    assert results["max_share"] == max(reached)


# The step against a whole training step (snippets/cost/cost_step_share.py): its models are the
# examples' models, its counts are the layers' closed forms, and its table's arithmetic follows
# from the recorded times; which share is larger is the machine's, stated by claims the build
# checks.

step_share = load_script("snippets/cost/cost_step_share.py")
sweep = load_script("examples/optimizer_sweep.py")
convnet = load_script("examples/mnist_convnet.py")
# The MLP and the ConvNet as their layers count them: (weights + biases) of each layer, and the
# multiply-adds of one sample (output elements x the weights of one output unit).
MLP_PARAMS = (784 * 200 + 200) + (200 * 10 + 10)
CONVNET_PARAMS = (10 * 1 * 5 * 5 + 10) + (20 * 10 * 5 * 5 + 20) + (320 * 50 + 50) + (50 * 10 + 10)
MLP_MACS = 784 * 200 + 200 * 10
# conv1: 10 maps of 24x24, 1*5*5 weights each; conv2: 20 maps of 8x8, 10*5*5 each; fc1, fc2
CONVNET_MACS = 10 * 24 * 24 * (1 * 5 * 5) + 20 * 8 * 8 * (10 * 5 * 5) + 320 * 50 + 50 * 10


def test_step_share_models_are_the_sweeps_mlp_and_the_mnist_convnet(one_thread):
    pairs = {
        "mlp": (step_share.make_mlp(), sweep.make_mlp(0)),
        "convnet": (step_share.ConvNet(), convnet.ConvNet()),
    }
    assert set(pairs) == set(step_share.MODELS)
    for name, (ours, theirs) in pairs.items():
        shape = step_share.MODELS[name][2]
        shapes = {k: v.shape for k, v in theirs.state_dict().items()}
        assert {k: v.shape for k, v in ours.state_dict().items()} == shapes
        ours.load_state_dict(theirs.state_dict())  # the same weights: the same function
        ours.eval(), theirs.eval()  # dropout off in both
        x = torch.randn(3, *shape, generator=torch.Generator().manual_seed(0))
        assert torch.equal(ours(x), theirs(x))  # the same operations in the same order
    assert step_share.BATCHES[0] == sweep.PROFILES["cpu"]["batch_size"] == 64


def test_recorded_parameter_counts_are_the_models():
    models = recorded("cost_step_share").results["models"]
    assert step_share.count_params(step_share.make_mlp()) == MLP_PARAMS == 159_010
    assert step_share.count_params(step_share.ConvNet()) == CONVNET_PARAMS == 21_840
    assert (models["mlp"]["params"], models["mlp"]["tensors"]) == (MLP_PARAMS, 4)
    assert (models["convnet"]["params"], models["convnet"]["tensors"]) == (CONVNET_PARAMS, 8)


def test_macs_per_sample_are_each_layers_multiply_adds():
    mlp_macs = step_share.macs_per_sample(step_share.make_mlp(), (784,))
    assert mlp_macs == MLP_MACS
    assert step_share.macs_per_sample(step_share.ConvNet(), (1, 28, 28)) == CONVNET_MACS
    # other layers: padding, stride and groups change the count as the closed form says
    conv = torch.nn.Conv2d(4, 6, 3, padding=1, groups=2)  # 6 maps of 8x8, (4/2)*3*3 weights each
    assert step_share.macs_per_sample(conv, (4, 8, 8)) == 6 * 8 * 8 * 2 * 3 * 3
    strided = torch.nn.Conv2d(3, 5, 3, stride=2)  # 9x9 -> 4x4
    assert step_share.macs_per_sample(strided, (3, 9, 9)) == 5 * 4 * 4 * 3 * 3 * 3
    assert step_share.macs_per_sample(torch.nn.Linear(3, 4), (5, 3)) == 5 * 4 * 3  # 5 rows
    models = recorded("cost_step_share").results["models"]
    assert models["mlp"]["macs_per_sample"] == MLP_MACS
    assert models["convnet"]["macs_per_sample"] == CONVNET_MACS


def test_recorded_shares_follow_from_the_recorded_times():
    # The same float64 operations on the same recorded numbers (JSON keeps every bit of a
    # float), so each re-derivation equals the recorded value exactly: no tolerance.
    results = recorded("cost_step_share").results
    assert set(results["cases"]) == set(step_share.MODELS)
    for cases in results["cases"].values():
        assert list(cases) == [str(b) for b in step_share.BATCHES]
        for case in cases.values():
            assert 3 <= case["rounds"] <= 25
            assert set(case["step_ms"]) == set(step_share.OPTIMIZERS) - set(results["unsupported"])
            for name, step_ms in case["step_ms"].items():
                assert case["share"][name] == step_ms / (case["fwd_bwd_ms"] + step_ms)
            assert case["momentum_pp"] == (case["share"]["momentum"] - case["share"]["sgd"]) * 100
    for name, model in results["models"].items():
        assert results["macs_per_param"][name] == model["macs_per_sample"] / model["params"]
    assert results["param_ratio"] == CONVNET_PARAMS / MLP_PARAMS


def test_recorded_claims_follow_from_the_recorded_shares():
    results = recorded("cost_step_share").results
    cases = results["cases"]
    small, large = (str(b) for b in step_share.BATCHES)
    names = [n for n in step_share.OPTIMIZERS if n not in results["unsupported"]]

    def share(model, batch, name):
        return cases[model][batch]["share"][name]

    convnet_smaller = all(
        share("convnet", b, n) < share("mlp", b, n) for b in (small, large) for n in names
    )
    batch_smaller = all(share(m, large, n) < share(m, small, n) for m in cases for n in names)
    adamw_costlier = all(
        c["step_ms"]["adamw"] > c["step_ms"]["momentum"]
        for by in cases.values()
        for c in by.values()
    )
    ratio = {
        b: cases["convnet"][b]["step_ms"]["momentum"] / cases["mlp"][b]["step_ms"]["momentum"]
        for b in (small, large)
    }
    assert results["convnet_share_smaller"] is convnet_smaller
    assert results["batch_share_smaller"] is batch_smaller
    assert results["adamw_step_costlier"] is adamw_costlier
    assert results["step_ratio"] == ratio
    assert results["step_not_proportional"] is all(r > 0.5 for r in ratio.values())
    pp = [c["momentum_pp"] for by in cases.values() for c in by.values()]
    assert results["momentum_pp_max"] == max(pp)


def test_printed_step_share_tables_are_the_recorded_numbers(capsys):
    results = recorded("cost_step_share").results
    step_share.print_tables(results)  # prints what it is given: nothing is measured again
    assert capsys.readouterr().out == printed("cost_step_share")


def synthetic_cases(convnet_fwd_bwd_s):
    """cases as the script measures them: {model: {batch: (fwd+bwd s, {opt: step s}, rounds)}},
    each step 0.1 ms (momentum 0.2 ms, AdamW 0.5 ms), forward+backward 8x longer at batch 512."""
    steps = {"sgd": 1e-4, "momentum": 2e-4, "momentum_fused": 1.5e-4, "adamw": 5e-4}
    fwd_bwd = {"mlp": 1e-3, "convnet": convnet_fwd_bwd_s}
    return {model: {64: (f, steps, 25), 512: (8 * f, steps, 5)} for model, f in fwd_bwd.items()}


@pytest.mark.parametrize("convnet_fwd_bwd_s, holds", [(8e-3, True), (0.5e-3, False)])
def test_step_share_summary_on_given_times(convnet_fwd_bwd_s, holds):
    models = {
        "mlp": {"params": MLP_PARAMS, "tensors": 4, "macs_per_sample": MLP_MACS},
        "convnet": {"params": CONVNET_PARAMS, "tensors": 8, "macs_per_sample": CONVNET_MACS},
    }
    results = step_share.summary(models, synthetic_cases(convnet_fwd_bwd_s), {})
    mlp = results["cases"]["mlp"]["64"]
    # momentum: 0.2 / (1 + 0.2) = 1/6 of the training step, plain SGD 0.1 / 1.1 = 1/11. Each
    # share goes through 4 float64 roundings (two s -> ms, a sum, a quotient): 2 eps relative;
    # twice that leaves room and still fails on any real difference.
    eps = torch.finfo(torch.float64).eps
    assert mlp["share"]["momentum"] == pytest.approx(1 / 6, rel=4 * eps)
    assert mlp["share"]["sgd"] == pytest.approx(1 / 11, rel=4 * eps)
    assert mlp["momentum_pp"] == pytest.approx((1 / 6 - 1 / 11) * 100, abs=100 * 4 * eps)
    assert results["convnet_share_smaller"] is holds  # a ConvNet faster than the MLP: false
    assert results["batch_share_smaller"] is True and results["adamw_step_costlier"] is True
    assert results["step_ratio"] == {"64": 1.0, "512": 1.0}  # the same step time: ratio 1
    assert results["step_not_proportional"] is True


def test_step_share_summary_leaves_an_unsupported_optimizer_out_of_its_claims(capsys):
    cases = synthetic_cases(8e-3)
    for by_batch in cases.values():
        for batch, (f, steps, rounds) in by_batch.items():
            # fused: unsupported here, and slower than anything if it were counted
            by_batch[batch] = (f, {k: v for k, v in steps.items() if k != "momentum_fused"}, rounds)
    models = {m: {"params": 1, "tensors": 1, "macs_per_sample": 1} for m in cases}
    results = step_share.summary(models, cases, {"momentum_fused": "no fused kernel here"})
    assert results["convnet_share_smaller"] is True
    step_share.print_tables(results)
    assert capsys.readouterr().out.count("unsupported: no fused kernel here") == 4


def test_each_optimizer_steps_in_turn_right_after_a_backward(one_thread):
    log = []

    class Recording(torch.optim.SGD):
        def step(self, closure=None):
            params = [p for group in self.param_groups for p in group["params"]]
            # zero_grad() set every .grad to None: a gradient now means backward ran since
            log.append((self.tag, all(p.grad is not None for p in params)))
            return super().step(closure)

    first = type("First", (Recording,), {"tag": "first"})
    second = type("Second", (Recording,), {"tag": "second"})
    model = torch.nn.Linear(3, 10)
    optimizers = {"first": (first, {}), "second": (second, {"momentum": 0.9})}
    # warm-up: a backward, every first step, one more round; then `rounds` rounds each, in turn
    warm_up = [("first", True), ("second", True), ("first", True)]
    for budget, expected in ((0.0, 3), (60.0, 25)):  # no time: the floor; a minute: the ceiling
        log.clear()
        fwd_bwd_s, step_s, rounds = step_share.measure(model, (3,), 4, optimizers, budget)
        assert set(step_s) == {"first", "second"} and fwd_bwd_s > 0 and rounds == expected
        assert log == warm_up + [("first", True), ("second", True)] * rounds


def test_every_step_share_optimizer_is_supported_on_cpu_in_this_torch():
    for _, cls, kwargs in step_share.OPTIMIZERS.values():
        assert step_share.unsupported_reason(cls, kwargs) is None
    reason = step_share.unsupported_reason(torch.optim.SGD, {"fused": True, "foreach": True})
    assert reason and "fused" in reason and "\n" not in reason
