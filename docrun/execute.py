"""Run one snippet or example in this process, capturing what it prints and draws.

The runner calls `run` once per script, in a process of its own (docrun.pool). It writes into
OUTDIR:
- output.txt: everything the script printed to stdout;
- <stem>-<n>-light.svg and <stem>-<n>-dark.svg for the n-th figure passed to plt.show(), with
  the figure's label (`fig.set_label`) in the record: explorable figures are labelled frames;
- <stem>-<n>-light.LANG.svg and -dark.LANG.svg: the same figure redrawn with its text translated,
  for each language the runner passed a figure-text table for (docrun.translate), in
  OUTDIR/figure_text.json;
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

from docrun.record import FORMATS, describe_mnist
from docrun.theme import describe, light_rc, to_dark
from docrun.translate import drawn_in

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

    def flush(self):  # print(..., flush=True) reaches the log, even if the script is killed later
        self.echo.flush()


class Run:
    def __init__(self, script, outdir, tables):
        self.script, self.outdir, self.stem = script, outdir, script.stem
        self.stdout = Capture(echo=sys.stdout)
        self.figures = []
        self.data_dirs = set()
        self.tables = tables  # {language: figure-text table}
        self.figure_text = {language: {} for language in tables}  # {language: {text: its}}

    def show(self, *args, **kwargs):
        """Replaces plt.show(): save each open figure in both themes, and in each language,
        then close it."""
        for num in plt.get_fignums():
            fig = plt.figure(num)
            n = len(self.figures) + 1
            entry = {"n": n, "alt": describe(fig), "label": fig.get_label() or None}
            entry["languages"] = {language: {} for language in self.tables}
            for theme in ("light", "dark"):
                if theme == "dark":
                    to_dark(fig)  # in place: so every light variant is drawn first
                entry[theme] = self.save(fig, f"{self.stem}-{n}-{theme}.svg")
                for language, table in self.tables.items():
                    variant = entry["languages"][language]
                    with drawn_in(table, self.figure_text[language]):
                        variant[theme] = self.save(fig, f"{self.stem}-{n}-{theme}.{language}.svg")
                        if theme == "light":
                            variant["alt"] = describe(fig, table["alt"])
            self.figures.append(entry)
            self.stdout.outputs.append(_figure_output(n, entry["alt"]))
        plt.close("all")

    def save(self, fig, name):
        fig.savefig(self.outdir / name, format="svg", metadata=SVG_METADATA)
        return name

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
        for n, cell in enumerate(notebook.cells):
            cell.id = f"cell-{n}"  # not random: the same script gives the same notebook bytes
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
            device = FORMATS["cpu_device"].format(model=cpu_name(), threads=threads)
        data = sorted(filter(None, (describe_mnist(d) for d in self.data_dirs)))
        printed = "".join(self.stdout.all)
        throughput = re.findall(r"throughput: ([\d,.]+ samples/s)", printed)
        distributed = re.search(r"^distributed: (backend \w+, world size \d+)$", printed, re.M)
        return {
            "device": device,
            "torch_version": torch.__version__ if torch is not None else None,
            "data": "; ".join(data) or None,
            "data_dirs": sorted(self.data_dirs),
            "max_rss_bytes": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024,
            "cuda_peak_bytes": torch.cuda.max_memory_allocated() if cuda else None,
            "throughput": ", ".join(throughput) or None,
            "distributed": distributed.group(1) if distributed else None,
            "figures": self.figures,
            "figure_text": self.figure_text,
            "figure_style": {language: table["style"] for language, table in self.tables.items()},
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


def _figure_output(n, alt):
    """A notebook output for the n-th figure: the page renders it from the run's record."""
    return {
        "output_type": "display_data",
        "data": {"text/plain": alt},
        "metadata": {"docrun_figure": n},
    }


def is_notebook(script):
    return any(line.startswith("# %%") for line in script.read_text(encoding="utf-8").splitlines())


def run(script, outdir):
    """Run script here, as `python SCRIPT` would, and write its outputs into outdir."""
    script, outdir = Path(script).resolve(), Path(outdir).resolve()
    tables = outdir / "figure_text.json"  # the runner's figure-text tables for this run
    run = Run(
        script, outdir, json.loads(tables.read_text(encoding="utf-8")) if tables.exists() else {}
    )
    tables.unlink(missing_ok=True)
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
