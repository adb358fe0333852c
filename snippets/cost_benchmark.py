"""What one optimizer step costs: plain SGD against SGD with momentum, next to the memory bound.

For 1 M, 10 M and 100 M fp32 parameters (each total split into 10 equal tensors) this times one
`optimizer.step()` of torch.optim.SGD with momentum 0 and 0.9, in the for-loop (foreach=False),
foreach and fused implementations, and compares each time with the least time the step can take
when it is limited by memory traffic: the bytes it must read and write divided by the copy
bandwidth measured here with one large `copy_`.
"""

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
BANDWIDTH_FLOATS = 50_000_000  # 200 MB: larger than the caches of most CPUs
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


# --8<-- [start:bandwidth]
class Bandwidth:
    """Probes of memory bandwidth on one large fp32 tensor (200 MB), timed between the steps.

    copy_: dst.copy_(src) reads src and writes dst (counted as 2 arrays). On a CPU, writing to a
    fresh destination also reads its cache lines first (write-allocate), which an in-place update
    does not pay, so an in-place probe, x.mul_(1) (read x, write x), is timed too. The bound uses
    the faster of the two, in its fastest round: a bound that the steps could beat is no bound.
    """

    def __init__(self, device, n_floats=BANDWIDTH_FLOATS):
        self.src = torch.ones(n_floats, device=device)
        self.dst = torch.zeros_like(self.src)
        self.nbytes = 2 * self.src.numel() * self.src.element_size()
        self.probes = {
            "copy_": lambda: self.dst.copy_(self.src),
            "in-place": lambda: self.src.mul_(1),
        }
        self.reset()

    def reset(self):
        self.times = {name: [] for name in self.probes}

    def probe(self, device, keep=True):
        for name, fn in self.probes.items():
            seconds = timed(fn, device)
            if keep:
                self.times[name].append(seconds)

    def bytes_per_second(self):
        """Best round of each probe: the bound is what memory achieved, not its typical speed."""
        return {name: self.nbytes / min(t) for name, t in self.times.items()}


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
    """Fewer repeats for the big cases: keeps the whole CPU run near a minute."""
    return {1_000_000: (3, 25), 10_000_000: (2, 15)}.get(total, (1, 7))


# --8<-- [start:benchmark]
def benchmark(
    device,
    sizes=SIZES,
    implementations=IMPLEMENTATIONS,
    momenta=MOMENTA,
    bandwidth_floats=BANDWIDTH_FLOATS,
):
    """Rows (size, implementation, variant, seconds per step, state bytes); bandwidths by size.

    The cases of one size and the bandwidth probes take turns, one call each per round, so that
    anything else running on the machine slows them alike; each time is the median over rounds,
    and each size is compared with the bandwidth measured in its own rounds.
    """
    rows, bandwidths, probe = [], {}, Bandwidth(device, bandwidth_floats)
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
        probe.reset()
        for round_ in range(warmup + repeats):
            probe.probe(device, keep=round_ >= warmup)
            for _, opt, times in cases:
                seconds = timed(opt.step, device)
                if round_ >= warmup:
                    times.append(seconds)
        for row, _, times in cases:
            row["seconds"] = statistics.median(times)
        bandwidths[total] = probe.bytes_per_second()
        del params, cases  # frees the parameters and momentum buffers before the next size
    return rows, bandwidths


# --8<-- [end:benchmark]


def bound_seconds(total, momentum, bandwidths):
    """Least time a step can take if memory traffic limits it: bytes / the faster probe."""
    return bytes_per_step(total, momentum) / max(bandwidths[total].values())


def largest_cpu_cache():
    """'L3 32768K' on Linux (read from sysfs), else None: tells which sizes stay in cache."""
    caches = []
    for index in Path("/sys/devices/system/cpu/cpu0/cache").glob("index*"):
        try:
            level = int((index / "level").read_text())
            caches.append((level, (index / "size").read_text().strip()))
        except (OSError, ValueError):
            continue
    return f"L{max(caches)[0]} {max(caches)[1]}" if caches else None


def print_tables(rows, bandwidths, device):
    sizes = list(bandwidths)
    impls = list(dict.fromkeys(r["impl"] for r in rows))
    by_key = {(r["params"], r["impl"], r["variant"]): r for r in rows}
    extra = ""
    if device == "cpu":
        cache = largest_cpu_cache()
        extra = f", {torch.get_num_threads()} thread(s)" + (
            f", largest cache {cache}" if cache else ""
        )
    print(f"device: {device_name(device)}{extra}; torch {torch.__version__}")
    print(f"each size is split into {N_TENSORS} equal fp32 tensors; times are medians\n")

    print(f"bandwidth of a {BANDWIDTH_FLOATS * 4 / 1e6:.0f} MB tensor, best of each size's rounds")
    print(f"{'params':>6}  {'copy_ GB/s':>10} {'in-place GB/s':>13}")
    for total in sizes:
        bw = bandwidths[total]
        print(f"{total // 1_000_000:>5}M  {bw['copy_'] / 1e9:10.1f} {bw['in-place'] / 1e9:13.1f}")

    print("\ntime of one optimizer step; bound = bytes a step must move / the faster bandwidth")
    print("% of bound = bound / measured time (100% = as fast as memory allows)")
    head = (
        f"{'params':>6}  {'impl':<9} {'plain ms':>9} {'mom. ms':>9} {'mom/plain':>9} "
        f"{'plain %bound':>12} {'mom. %bound':>11}"
    )
    print(head)
    print("-" * len(head))
    for total in sizes:
        bound = {v: bound_seconds(total, m, bandwidths) for v, m in MOMENTA.items()}
        label = f"{total // 1_000_000}M"
        for impl in impls:
            plain, mom = by_key[(total, impl, "plain")], by_key[(total, impl, "momentum")]
            if plain["unsupported"]:
                print(f"{label:>6}  {impl:<9} unsupported on {device}: {plain['unsupported']}")
                continue
            tp, tm = plain["seconds"], mom["seconds"]
            print(
                f"{label:>6}  {impl:<9} {tp * 1e3:9.2f} {tm * 1e3:9.2f} {tm / tp:9.2f} "
                f"{bound['plain'] / tp:12.0%} {bound['momentum'] / tm:11.0%}"
            )
        print(
            f"{label:>6}  {'bound':<9} {bound['plain'] * 1e3:9.2f} "
            f"{bound['momentum'] * 1e3:9.2f} {bound['momentum'] / bound['plain']:9.2f}"
        )

    print("\noptimizer state after a step (MB) against the parameters' own size")
    print(f"{'params':>6}  {'param MB':>9} {'plain':>7} {'momentum':>9} {'momentum/param':>15}")
    for total in sizes:
        state = {
            r["variant"]: r["state_bytes"]
            for r in rows
            if r["params"] == total and "state_bytes" in r
        }
        param_bytes = 4 * total
        print(
            f"{total // 1_000_000:>5}M  {param_bytes / 1e6:9.0f} {state['plain'] / 1e6:7.0f} "
            f"{state['momentum'] / 1e6:9.0f} {state['momentum'] / param_bytes:15.2f}"
        )


def device_name(device):
    if device.startswith("cuda"):
        return f"cuda ({torch.cuda.get_device_name(0)})"
    return "cpu"


def plot(rows, bandwidths, device):
    fig, ax = plt.subplots(figsize=(7, 4.5))
    sizes = sorted(bandwidths)
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
    if device == "cpu" and CPU_THREADS:
        torch.set_num_threads(CPU_THREADS)
    # --8<-- [start:run]
    rows, bandwidths = benchmark(device)
    # --8<-- [end:run]
    print_tables(rows, bandwidths, device)
    plot(rows, bandwidths, device)
