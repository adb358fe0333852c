"""What one optimizer step costs: plain SGD against SGD with momentum, next to the memory bound.

For 1 M, 10 M and 100 M fp32 parameters (each total split into 10 equal tensors) this times one
`optimizer.step()` of torch.optim.SGD with momentum 0 and 0.9, in the for-loop (foreach=False),
foreach and fused implementations, and compares each time with the least time the step can take
when it is limited by memory traffic: the bytes it must read and write divided by the fastest
bandwidth that in-place sweeps of arrays larger than the last-level cache reach here.
"""

import json
import os
import statistics
import time
from pathlib import Path

import matplotlib.pyplot as plt
import torch

# --8<-- [start:config]
SIZES = (1_000_000, 10_000_000, 100_000_000)  # parameters in all
N_TENSORS = 10  # the parameters are split into this many equal tensors
IMPLEMENTATIONS = {  # label -> keyword arguments of torch.optim.SGD
    "for-loop": {"foreach": False},
    "foreach": {"foreach": True},
    "fused": {"fused": True},
}
MOMENTA = {"plain": 0.0, "momentum": 0.9}
PROBE_MIN_BYTES = 64 * 2**20  # each probe array: 64 MiB, or twice the last-level cache
CPU_THREADS = 1  # the site is built on a shared 2-core machine; None keeps torch's default
# --8<-- [end:config]


# --8<-- [start:bytes]
def bytes_per_step(n_params, momentum, itemsize=4):
    """Bytes one SGD step must move at least: read p and g, write p; momentum adds the buffer.

    plain:    p <- p - lr * g                  read p, g; write p      -> 3 arrays
    momentum: b <- m * b + g; p <- p - lr * b  also read b and write b -> 5 arrays
    """
    arrays = 5 if momentum else 3
    return arrays * n_params * itemsize


# --8<-- [end:bytes]


def split_sizes(total, n_tensors=N_TENSORS):
    """n_tensors sizes that add up to total (the first ones one larger when it does not divide)."""
    base, extra = divmod(total, n_tensors)
    return [base + (i < extra) for i in range(n_tensors)]


def make_params(total, device, n_tensors=N_TENSORS, seed=0):
    """fp32 parameters with a gradient already in .grad, as after loss.backward()."""
    gen = torch.Generator(device=device).manual_seed(seed)
    params = []
    for size in split_sizes(total, n_tensors):
        p = torch.randn(size, device=device, generator=gen).requires_grad_()
        p.grad = torch.randn(size, device=device, generator=gen)
        params.append(p)
    return params


def state_bytes(optimizer):
    """Bytes held in the optimizer's state tensors (the momentum buffers, if any)."""
    return sum(
        t.numel() * t.element_size()
        for state in optimizer.state.values()
        for t in state.values()
        if torch.is_tensor(t)
    )


def sync(device):
    if device.startswith("cuda"):
        torch.cuda.synchronize()


def timed(fn, device):
    """Wall time of one fn(); on CUDA the clock waits for the GPU to finish."""
    sync(device)
    start = time.perf_counter()
    fn()
    sync(device)
    return time.perf_counter() - start


def cache_bytes(text):
    """A cache size as sysfs writes it ('32768K', '480M', '1G') in bytes."""
    text = text.strip()
    scale = {"K": 2**10, "M": 2**20, "G": 2**30}.get(text[-1:].upper(), 1)
    digits = text[:-1] if scale > 1 else text
    if not digits.isdigit():
        raise ValueError(f"not a cache size: {text!r}")
    return int(digits) * scale


# --8<-- [start:cache]
def last_level_cache(root=Path("/sys/devices/system/cpu")):
    """(name, instances, bytes in all) of the CPU's last-level cache as Linux reports it in
    sysfs, which is what `lscpu` prints (one instance per group of cores sharing it); or None."""
    instances = {}
    for index in root.glob("cpu[0-9]*/cache/index[0-9]*"):
        try:
            level = int((index / "level").read_text())
            kind = (index / "type").read_text().strip()
            shared = (index / "shared_cpu_list").read_text().strip()
            instances[level, kind, shared] = cache_bytes((index / "size").read_text())
        except (OSError, ValueError):
            continue
    if not instances:
        return None
    top = max(level for level, _, _ in instances)
    sizes = [size for (level, _, _), size in instances.items() if level == top]
    return f"L{top}", len(sizes), sum(sizes)


def device_cache(device):
    """(name, instances, bytes in all) of the device's last-level cache, or None."""
    if device.startswith("cuda"):
        return "L2", 1, torch.cuda.get_device_properties(0).L2_cache_size
    return last_level_cache()


def probe_floats(cache, min_bytes=PROBE_MIN_BYTES):
    """fp32 elements of one probe array: twice the last-level cache, at least min_bytes."""
    return max(min_bytes, 2 * cache[2] if cache else 0) // 4


# --8<-- [end:cache]


# --8<-- [start:bandwidth]
class Bandwidth:
    """In-place sweeps of fp32 arrays at least twice the last-level cache, so that they stream
    from main memory: x.mul_(1) reads x and writes it (2 arrays), x.add_(y) reads x and y and
    writes x (3 arrays, a plain step's traffic). One thread's bandwidth depends on how many
    arrays it streams at once, and memory serves several cores more than one, so both are also
    timed on every core the process may use. One probe per round, in turn; each probe's
    bandwidth is its best round, and the bound divides by the fastest probe.
    """

    def __init__(self, device, n_floats, threads=1):
        self.x = torch.ones(n_floats, device=device)
        self.y = torch.zeros_like(self.x)
        self.probes = {  # name -> (what it runs, the call, arrays it moves, threads)
            "mul": ("x.mul_(1)", lambda: self.x.mul_(1), 2, 1),
            "add": ("x.add_(y)", lambda: self.x.add_(self.y), 3, 1),
        }
        if threads > 1 and device == "cpu":
            for name, (what, fn, arrays, _) in list(self.probes.items()):
                self.probes[f"{name}_all_cores"] = (what, fn, arrays, threads)
        self.times = {name: [] for name in self.probes}
        self.calls = 0

    def probe(self, device):
        """Time the next probe in turn."""
        name = list(self.probes)[self.calls % len(self.probes)]
        _, fn, _, threads = self.probes[name]
        steps_threads = torch.get_num_threads()
        if device == "cpu":
            torch.set_num_threads(threads)
        self.times[name].append(timed(fn, device))
        torch.set_num_threads(steps_threads)
        self.calls += 1

    def bytes_per_second(self):
        """Best round of each probe: the bound is what memory achieved, not its typical speed."""
        return {
            name: arrays * self.x.numel() * self.x.element_size() / min(self.times[name])
            for name, (_, _, arrays, _) in self.probes.items()
            if self.times[name]
        }


# --8<-- [end:bandwidth]


def unsupported_reason(device, kwargs):
    """None when SGD(**kwargs) can step an fp32 tensor on device, else the error it raised."""
    p = torch.zeros(4, device=device, requires_grad=True)
    p.grad = torch.ones(4, device=device)
    try:
        torch.optim.SGD([p], lr=0.1, momentum=0.9, **kwargs).step()
    except (RuntimeError, ValueError) as err:
        return str(err).splitlines()[0]
    return None


def repeats_for(total):
    """(warm-up, timed) rounds: fewer for the big cases, which keeps the CPU run near 10 s."""
    return {1_000_000: (3, 25), 10_000_000: (2, 15)}.get(total, (1, 7))


# --8<-- [start:benchmark]
def benchmark(
    device,
    sizes=SIZES,
    implementations=IMPLEMENTATIONS,
    momenta=MOMENTA,
    n_probe=PROBE_MIN_BYTES // 4,
    probe_threads=1,
):
    """Rows (size, implementation, variant, seconds per step, state bytes), and the probes.

    The cases of one size and a bandwidth probe take turns, one call each per round, so that
    anything else running on the machine slows them alike; each time is the median over rounds.
    """
    rows, probe = [], Bandwidth(device, n_probe, probe_threads)
    for total in sizes:
        params = make_params(total, device)
        cases = []
        for impl, kwargs in implementations.items():
            reason = unsupported_reason(device, kwargs)
            for variant, momentum in momenta.items():
                row = {"params": total, "impl": impl, "variant": variant, "unsupported": reason}
                rows.append(row)
                if reason is None:
                    # a tiny lr keeps the values finite over all rounds; it does not change the work
                    opt = torch.optim.SGD(params, lr=1e-9, momentum=momentum, **kwargs)
                    opt.step()  # the first momentum step allocates the buffer: not timed
                    row["state_bytes"] = state_bytes(opt)
                    cases.append((row, opt, []))
        warmup, repeats = repeats_for(total)
        for round_ in range(warmup + repeats):
            if round_ >= warmup:
                probe.probe(device)
            for _, opt, times in cases:
                seconds = timed(opt.step, device)
                if round_ >= warmup:
                    times.append(seconds)
        for row, _, times in cases:
            row["seconds"] = statistics.median(times)
        del params, cases  # frees the parameters and momentum buffers before the next size
    return rows, probe


# --8<-- [end:benchmark]


def bound_seconds(total, momentum, bandwidths):
    """Least time a step can take if memory traffic limits it: bytes / the fastest probe."""
    return bytes_per_step(total, momentum) / max(bandwidths.values())


def mb(n_bytes):
    return n_bytes / 1e6


MIB = 2**20  # caches are sized in binary units (lscpu prints MiB); the rest of the page in MB


def label(total):
    """'100M' for 100_000_000; a size that is no whole number of millions as it is."""
    millions, rest = divmod(total, 1_000_000)
    return f"{millions}M" if millions and not rest else str(total)


def summary(rows, bandwidths, cache, n_probe):
    """The numbers the tables print, unrounded, as the site's build quotes them."""
    steps, beyond, state, param, arrays = {}, {}, {}, {}, {}
    for total in dict.fromkeys(r["params"] for r in rows):
        size = label(total)
        bound = {v: bound_seconds(total, m, bandwidths) for v, m in MOMENTA.items()}
        steps[size] = {}
        for r in rows:
            if r["params"] != total:
                continue
            if r["unsupported"]:
                steps[size][r["impl"]] = f"unsupported: {r['unsupported']}"
                continue
            case = steps[size].setdefault(r["impl"], {})
            case[f"{r['variant']}_ms"] = r["seconds"] * 1e3
            case[f"{r['variant']}_bound"] = bound[r["variant"]] / r["seconds"]  # 1 = the bound
        # the smallest working set, a plain step's, is larger than all of the last-level cache
        beyond[size] = bool(cache) and bytes_per_step(total, 0.0) > cache[2]
        state[size] = {
            r["variant"]: mb(r["state_bytes"])
            for r in rows
            if r["params"] == total and "state_bytes" in r
        }
        param[size] = mb(4 * total)
        arrays[size] = {v: mb(bytes_per_step(total, m)) for v, m in MOMENTA.items()}
    reached = [  # fractions of the bound reached at the sizes beyond the cache
        fraction
        for size, cases in steps.items()
        if beyond[size]
        for case in cases.values()
        if isinstance(case, dict)
        for name, fraction in case.items()
        if name.endswith("_bound")
    ]
    return {
        "torch_version": torch.__version__.split("+")[0],
        "cache": cache[0] if cache else "unknown",
        "cache_instances": cache[1] if cache else 0,
        "cache_mib": cache[2] / MIB if cache else 0,
        "probe_mib": 4 * n_probe / MIB,
        "bandwidth_gbs": {name: bw / 1e9 for name, bw in bandwidths.items()},
        "bound_gbs": max(bandwidths.values()) / 1e9,
        "bound_ratio": bytes_per_step(1, 0.9) / bytes_per_step(1, 0.0),
        "steps": steps,
        "arrays_mb": arrays,
        "beyond_cache": beyond,
        # the largest share of the bound any step reached at a size beyond the cache
        "max_share": max(reached, default=None),
        "state_mb": state,
        "param_mb": param,
        "state_equals_params": all(state[s].get("momentum") == param[s] for s in state),
        "all_supported": all(r["unsupported"] is None for r in rows),
    }


def print_tables(rows, probe, device, results):
    sizes = list(dict.fromkeys(r["params"] for r in rows))
    impls = list(dict.fromkeys(r["impl"] for r in rows))
    by_key = {(r["params"], r["impl"], r["variant"]): r for r in rows}
    bandwidths = probe.bytes_per_second()
    threads = f", {torch.get_num_threads()} thread(s)" if device == "cpu" else ""
    print(f"device: {device_name(device)}{threads}; torch {torch.__version__}")
    cache = "unknown"
    if results["cache_mib"]:
        cache = f"{results['cache_mib']:g} MiB = {results['cache_mib'] * MIB / 1e6:.1f} MB"
        source = "the GPU's" if device.startswith("cuda") else "as lscpu counts them"
        print(
            f"last-level cache: {results['cache']}, {cache} in all "
            f"({results['cache_instances']} instance(s), {source})"
        )
    else:  # no sysfs: no size of any array is claimed to exceed it
        print("last-level cache: unknown (Linux reports it in /sys/devices/system/cpu)")
    print(f"each size is split into {N_TENSORS} equal fp32 tensors; times are medians\n")

    print(
        f"probes: in-place sweeps of {results['probe_mib']:g} MiB fp32 arrays "
        f"(2 x the last-level cache, at least {PROBE_MIN_BYTES // MIB} MiB); best round of each"
    )
    print(f"{'probe':<10} {'threads':>7} {'arrays':>6} {'GB/s':>6}")
    for name, bw in bandwidths.items():
        what, _, arrays, probe_threads = probe.probes[name]
        print(f"{what:<10} {probe_threads:>7} {arrays:>6} {bw / 1e9:6.1f}")
    print(f"the bound divides by the fastest: {results['bound_gbs']:.1f} GB/s")

    print("\ntime of one optimizer step; bound = bytes a step must move / the fastest probe")
    print("% of bound = bound / measured time (100% = as fast as the fastest probe)")
    head = (
        f"{'params':>6}  {'impl':<9} {'plain ms':>9} {'mom. ms':>9} {'mom/plain':>9} "
        f"{'plain %bound':>12} {'mom. %bound':>11}"
    )
    print(head)
    print("-" * len(head))
    for total in sizes:
        bound = {v: bound_seconds(total, m, bandwidths) for v, m in MOMENTA.items()}
        for impl in impls:
            plain, mom = by_key[(total, impl, "plain")], by_key[(total, impl, "momentum")]
            if plain["unsupported"]:
                print(
                    f"{label(total):>6}  {impl:<9} unsupported on {device}: {plain['unsupported']}"
                )
                continue
            tp, tm = plain["seconds"], mom["seconds"]
            print(
                f"{label(total):>6}  {impl:<9} {tp * 1e3:9.2f} {tm * 1e3:9.2f} {tm / tp:9.2f} "
                f"{bound['plain'] / tp:12.0%} {bound['momentum'] / tm:11.0%}"
            )
        print(
            f"{label(total):>6}  {'bound':<9} {bound['plain'] * 1e3:9.2f} "
            f"{bound['momentum'] * 1e3:9.2f} {bound['momentum'] / bound['plain']:9.2f}"
        )

    print(f"\nthe arrays one step moves (MB) against the last-level cache ({cache})")
    print(f"{'params':>6}  {'plain':>6} {'momentum':>9}  larger than the cache")
    for total in sizes:
        beyond = "yes" if results["beyond_cache"][label(total)] else "no"
        moved = results["arrays_mb"][label(total)]
        print(f"{label(total):>6}  {moved['plain']:6.0f} {moved['momentum']:9.0f}  {beyond}")

    print("\noptimizer state after a step (MB) against the parameters' own size")
    print(f"{'params':>6}  {'param MB':>9} {'plain':>7} {'momentum':>9} {'momentum/param':>15}")
    for total in sizes:
        state, param = results["state_mb"][label(total)], results["param_mb"][label(total)]
        print(
            f"{label(total):>6}  {param:9.0f} {state['plain']:7.0f} "
            f"{state['momentum']:9.0f} {state['momentum'] / param:15.2f}"
        )


def device_name(device):
    if device.startswith("cuda"):
        return f"cuda ({torch.cuda.get_device_name(0)})"
    return "cpu"


def plot(rows, bandwidths, device):
    fig, ax = plt.subplots(figsize=(7, 4.5))
    sizes = sorted({r["params"] for r in rows})
    for variant, style in (("momentum", "-"), ("plain", "--")):
        bound = [bound_seconds(n, MOMENTA[variant], bandwidths) * 1e3 for n in sizes]
        ax.plot(
            sizes,
            bound,
            style,
            color="C6",
            linewidth=4,
            alpha=0.5,
            label=f"memory bound, {variant}",
        )
    for i, impl in enumerate(dict.fromkeys(r["impl"] for r in rows)):
        for variant, style, marker in (("momentum", "-", "s"), ("plain", "--", "o")):
            pts = [
                (r["params"], r["seconds"] * 1e3)
                for r in rows
                if r["impl"] == impl and r["variant"] == variant and "seconds" in r
            ]
            if pts:
                xs, ys = zip(*pts, strict=True)
                ax.plot(xs, ys, style, marker=marker, color=f"C{i}", label=f"{impl}, {variant}")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel(f"parameters (fp32, in {N_TENSORS} tensors)")
    ax.set_ylabel("time per optimizer step (ms)")
    ax.set_title("One torch.optim.SGD step")  # on which device: the caption says
    ax.legend(fontsize="small", ncol=2)
    ax.grid(True, which="both", alpha=0.3)
    fig.tight_layout()
    plt.show()


if __name__ == "__main__":
    device = "cuda" if torch.cuda.is_available() else "cpu"
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    if device == "cpu" and CPU_THREADS:
        torch.set_num_threads(CPU_THREADS)
    # --8<-- [start:run]
    cache = device_cache(device)
    n_probe = probe_floats(cache)
    rows, probe = benchmark(device, n_probe=n_probe, probe_threads=cores)
    # --8<-- [end:run]
    bandwidths = probe.bytes_per_second()
    results = summary(rows, bandwidths, cache, n_probe)
    print_tables(rows, probe, device, results)
    plot(rows, bandwidths, device)
    if "DOCRUN_RESULTS" in os.environ:  # the site's build quotes these numbers on its pages
        Path(os.environ["DOCRUN_RESULTS"]).write_text(json.dumps(results))
