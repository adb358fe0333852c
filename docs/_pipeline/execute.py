"""Run one snippet or example in this process, capturing what it prints and draws.

    python docs/_pipeline/execute.py SCRIPT OUTDIR

The runner starts this once per script, in a fresh process. It writes into OUTDIR:
- output.txt: everything the script printed to stdout;
- <stem>-<n>-light.svg and <stem>-<n>-dark.svg for the n-th figure passed to plt.show();
- for an example in jupytext percent format: <stem>.ipynb, executed cell by cell in one namespace
  (exactly what `python SCRIPT` runs) with each cell's output, and <stem>.download.ipynb, the same
  notebook without outputs, for readers to run themselves;
- meta.json: device, torch version, data read, peak memory, figures.
"""

import ast
import builtins
import io
import json
import os
import platform
import re
import resource
import runpy
import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # before pyplot: the scripts' plt.show() must never open a window

import matplotlib.pyplot as plt
from figure_theme import describe, light_rc, to_dark
from provenance import describe_mnist

SVG_METADATA = {"Date": None}  # no timestamp: unchanged figures give unchanged files


class Capture(io.TextIOBase):
    """Stdout for the script: keeps all text, and the text of the current notebook cell."""

    def __init__(self, echo):
        self.echo, self.all, self.outputs = echo, [], []

    def write(self, text):
        self.echo.write(text)  # the runner's log shows it beside any traceback
        self.all.append(text)
        if self.outputs and self.outputs[-1]["output_type"] == "stream":
            self.outputs[-1]["text"] += text
        else:
            self.outputs.append({"output_type": "stream", "name": "stdout", "text": text})
        return len(text)


class Run:
    def __init__(self, script, outdir):
        self.script, self.outdir, self.stem = script, outdir, script.stem
        self.stdout = Capture(echo=sys.stdout)
        self.figures = []
        self.data_dirs = set()

    def show(self, *args, **kwargs):
        """Replaces plt.show(): save each open figure in both themes, then close it."""
        for num in plt.get_fignums():
            fig = plt.figure(num)
            n = len(self.figures) + 1
            names = {theme: f"{self.stem}-{n}-{theme}.svg" for theme in ("light", "dark")}
            alt = describe(fig)
            fig.savefig(self.outdir / names["light"], format="svg", metadata=SVG_METADATA)
            to_dark(fig)
            fig.savefig(self.outdir / names["dark"], format="svg", metadata=SVG_METADATA)
            self.figures.append({"n": n, **names, "alt": alt})
            self.stdout.outputs.append(_figure_output(self.stem, names, alt))
        plt.close("all")

    def audit(self, event, args):
        """Note which MNIST copy the script opens, for the provenance caption."""
        if event == "open" and isinstance(args[0], str) and f"MNIST{os.sep}raw" in args[0]:
            self.data_dirs.add(str(Path(args[0]).resolve().parent))

    def run_script(self):
        runpy.run_path(str(self.script), run_name="__main__")

    def run_notebook(self):
        import jupytext
        import nbformat

        notebook = jupytext.read(self.script, fmt="py:percent")
        jupytext.write(notebook, self.outdir / f"{self.stem}.download.ipynb")
        text = self.script.read_text(encoding="utf-8")
        namespace = {"__name__": "__main__", "__file__": str(self.script), "__builtins__": builtins}
        position = 0
        for cell in notebook.cells:
            if cell.cell_type != "code":
                continue
            # compile at the cell's real line numbers, so a traceback points into the file
            start = text.find(cell.source, position)
            position = max(position, start)
            tree = ast.parse(cell.source, filename=str(self.script))
            ast.increment_lineno(tree, text.count("\n", 0, start) if start >= 0 else 0)
            self.stdout.outputs = []
            exec(compile(tree, str(self.script), "exec"), namespace)
            cell.outputs = [nbformat.from_dict(o) for o in self.stdout.outputs]
        notebook.metadata["kernelspec"] = {
            "name": "python3",
            "display_name": "Python 3",
            "language": "python",
        }
        notebook.metadata["language_info"] = {"name": "python"}
        jupytext.write(notebook, self.outdir / f"{self.stem}.ipynb", fmt="ipynb")

    def meta(self):
        torch = sys.modules.get("torch")
        cuda = torch is not None and torch.cuda.is_available() and torch.cuda.is_initialized()
        if cuda:
            device = f"cuda ({torch.cuda.get_device_name()})"
        else:
            threads = torch.get_num_threads() if torch is not None else os.cpu_count()
            device = f"cpu ({cpu_name()}, {threads} threads)"
        data = sorted(filter(None, (describe_mnist(d) for d in self.data_dirs)))
        throughput = re.findall(r"throughput: ([\d,.]+ samples/s)", "".join(self.stdout.all))
        return {
            "device": device,
            "torch_version": torch.__version__ if torch is not None else None,
            "data": "; ".join(data) or None,
            "data_dirs": sorted(self.data_dirs),
            "max_rss_bytes": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024,
            "cuda_peak_bytes": torch.cuda.max_memory_allocated() if cuda else None,
            "throughput": ", ".join(throughput) or None,
            "figures": self.figures,
        }


def cpu_name():
    """The processor's model, as Linux names it; the architecture elsewhere."""
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as info:
            for line in info:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _figure_output(stem, names, alt):
    """A notebook output for one figure; docs/hooks.py points the @run/ paths at the files."""
    imgs = "".join(
        f'<img src="@run/{stem}/{names[t]}#only-{t}" alt="{_attr(alt)}">' for t in ("light", "dark")
    )
    html = f'<figure class="run-figure">{imgs}<figcaption data-run="{stem}"></figcaption></figure>'
    return {
        "output_type": "display_data",
        "data": {"text/html": html, "text/plain": alt},
        "metadata": {},
    }


def _attr(text):
    return text.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;")


def is_notebook(script):
    return any(line.startswith("# %%") for line in script.read_text(encoding="utf-8").splitlines())


def main():
    script, outdir = Path(sys.argv[1]).resolve(), Path(sys.argv[2]).resolve()
    run = Run(script, outdir)
    matplotlib.rcParams.update(light_rc())
    plt.switch_backend("Agg")  # settle the backend now, or resolving it later undoes the patch
    plt.show = run.show
    sys.addaudithook(run.audit)
    sys.argv = [str(script)]
    sys.path[0] = str(script.parent)  # as `python SCRIPT` would: local modules import
    real_stdout, sys.stdout = sys.stdout, run.stdout
    try:
        run.run_notebook() if is_notebook(script) else run.run_script()
    except SystemExit as stop:
        if stop.code not in (None, 0):
            raise
    finally:
        sys.stdout = real_stdout
    (outdir / "output.txt").write_text("".join(run.stdout.all), encoding="utf-8")
    (outdir / "meta.json").write_text(json.dumps(run.meta(), indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
