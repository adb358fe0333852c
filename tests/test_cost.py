"""Cheap invariants of the benchmark on the cost page (never its timings)."""

import importlib
import inspect

import pytest
import torch
from conftest import load_script

bench = load_script("snippets/cost_benchmark.py")


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
    results = []
    for kwargs in bench.IMPLEMENTATIONS.values():
        params = bench.make_params(1000, "cpu", seed=3)
        opt = torch.optim.SGD(params, lr=0.1, momentum=0.9, **kwargs)
        for _ in range(3):
            opt.step()
        results.append(torch.cat([p.detach() for p in params]))
    for other in results[1:]:
        assert torch.allclose(results[0], other, rtol=1e-6, atol=1e-6)


def test_every_implementation_is_supported_on_cpu_in_this_torch():
    for kwargs in bench.IMPLEMENTATIONS.values():
        assert bench.unsupported_reason("cpu", kwargs) is None


def test_unsupported_reason_reports_the_error_it_meets():
    reason = bench.unsupported_reason("cpu", {"fused": True, "foreach": True})
    assert reason and "fused" in reason


def test_benchmark_rows_cover_every_case_on_a_tiny_size():
    rows, bandwidths = bench.benchmark("cpu", sizes=(10_000,), bandwidth_floats=10_000)
    keys = {(r["impl"], r["variant"]) for r in rows}
    assert keys == {(i, v) for i in bench.IMPLEMENTATIONS for v in bench.MOMENTA}
    assert {r["state_bytes"] for r in rows if r["variant"] == "momentum"} == {40_000}
    assert {r["state_bytes"] for r in rows if r["variant"] == "plain"} == {0}
    assert set(bandwidths[10_000]) == {"copy_", "in-place"}
