"""Run one snippet or example in this process, capturing what it prints and draws.

The runner calls `run` once per script, in a process of its own (docrun.pool), with a scratch
run folder (docrun.rundir) to write into:
- the output: everything the script printed to stdout;
- the n-th figure passed to plt.show() in a light and a dark variant, with the figure's label
  (`fig.set_label`) in the record: explorable figures are labelled frames; and the same figure
  redrawn with its text translated, for each language the runner passed a figure-text table for
  (docrun.translate);
- for an example in jupytext percent format: the notebook, executed cell by cell in one
  namespace (exactly what `python SCRIPT` runs) with each cell's output, and the same notebook
  without outputs, for readers to run themselves;
- the record (docrun.record): device, torch version, data read, peak memory, figures, and the
  named results the script wrote to the file $DOCRUN_RESULTS names.
"""

import ast
import builtins
import io
import json
import os
import platform
import resource
import runpy
import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # before pyplot: the scripts' plt.show() must never open a window

import matplotlib.pyplot as plt

from docrun.narrow import narrowed, needs_narrow, smallest_text, widest_readable
from docrun.record import PROVENANCE, RESULT_NAME, Record, describe_mnist
from docrun.rundir import RESULTS_VARIABLE, RunDir
from docrun.theme import describe, light_rc, to_dark
from docrun.translate import drawn_in

SVG_METADATA = {"Date": None}  # no timestamp: unchanged figures give unchanged files
RSS_UNIT = 1 if sys.platform == "darwin" else 1024  # ru_maxrss: bytes on macOS, KiB on Linux


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
    def __init__(self, script, run_dir, tables):
        self.script, self.dir, self.stem = script, run_dir, script.stem
        self.stdout = Capture(echo=sys.stdout)
        self.figures = []
        self.data_dirs = set()
        self.tables = tables  # {language: figure-text table}
        self.figure_text = {language: {} for language in tables}  # {language: {text: its}}

    def show(self, *args, **kwargs):
        """Replaces plt.show(): save each open figure in both themes, and in each language,
        and, where its text would be too small on a phone, laid out for one; then close it."""
        for num in plt.get_fignums():
            fig = plt.figure(num)
            n = len(self.figures) + 1
            entry = {"n": n, "alt": describe(fig), "label": fig.get_label() or None}
            entry["text_pt"], entry["width_px"] = smallest_text(fig), fig.get_figwidth() * 96
            entry["languages"] = {language: {} for language in self.tables}
            narrow = narrowed(fig) if needs_narrow(entry["text_pt"], entry["width_px"]) else None
            for theme in ("light", "dark"):
                if theme == "dark":
                    for drawn in filter(None, (fig, narrow)):
                        to_dark(drawn)  # in place: so every light variant is drawn first
                entry[theme] = self.save(fig, self.dir.figure(n, theme))
                if narrow:
                    entry.setdefault("narrow", {})[theme] = self.save(
                        narrow, self.dir.figure(n, theme, narrow=True)
                    )
                for language, table in self.tables.items():
                    variant = entry["languages"][language]
                    with drawn_in(table, self.figure_text[language]):
                        variant[theme] = self.save(fig, self.dir.figure(n, theme, language))
                        if narrow:
                            variant.setdefault("narrow", {})[theme] = self.save(
                                narrow, self.dir.figure(n, theme, language, narrow=True)
                            )
                        if theme == "light":
                            variant["alt"] = describe(fig, table["alt"])
            if narrow:
                entry["narrow"]["width_px"] = narrow.get_figwidth() * 96
                entry["narrow"]["text_pt"] = smallest_text(narrow)
                entry["narrow"]["below_px"] = widest_readable(entry["width_px"], entry["text_pt"])
                for variant in entry["languages"].values():
                    variant["narrow"] = {**entry["narrow"], **variant["narrow"]}
            self.figures.append(entry)
            self.stdout.outputs.append(_figure_output(n, entry["alt"]))
        plt.close("all")

    def save(self, fig, name):
        fig.savefig(self.dir / name, format="svg", metadata=SVG_METADATA)
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
        jupytext.write(notebook, self.dir.download)
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
        jupytext.write(notebook, self.dir.notebook, fmt="ipynb")

    def record(self, script):
        torch = sys.modules.get("torch")
        cuda = torch is not None and torch.cuda.is_available() and torch.cuda.is_initialized()
        if cuda:
            device = {"kind": "cuda", "name": torch.cuda.get_device_name()}
        else:
            threads = torch.get_num_threads() if torch is not None else os.cpu_count()
            device = {"kind": "cpu", "model": cpu_name(), "threads": threads}
        return Record(
            script=script,
            status="ok",
            wall_s=0.0,
            device=device,
            torch_version=torch.__version__ if torch is not None else None,
            data=sorted(filter(None, map(describe_mnist, self.data_dirs)), key=lambda d: d["dir"]),
            max_rss_bytes=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * RSS_UNIT,
            cuda_peak_bytes=torch.cuda.max_memory_allocated() if cuda else None,
            results=self.results(),
            figures=self.figures,
            figure_text=self.figure_text,
            figure_style={language: table["style"] for language, table in self.tables.items()},
        )

    def results(self):
        """The JSON object the script wrote to $DOCRUN_RESULTS (none: no results)."""
        try:
            text = self.dir.results.read_text(encoding="utf-8")
        except FileNotFoundError:
            return {}
        self.dir.results.unlink()  # the record holds them now
        try:
            results = json.loads(text)
        except ValueError as err:
            raise SystemExit(f"docrun: ${RESULTS_VARIABLE} holds no JSON: {err}") from None
        if not isinstance(results, dict):
            raise SystemExit(
                f"docrun: ${RESULTS_VARIABLE} holds a {type(results).__name__}, "
                "not a JSON object of named results"
            )
        unquotable = sorted(k for k in walk_keys(results) if not RESULT_NAME.fullmatch(k))
        if unquotable:
            raise SystemExit(
                f"docrun: result name {unquotable[0]!r}: use letters, digits, _ and - only"
            )
        for name, types in PROVENANCE.items():
            if name in results and not isinstance(results[name], types):
                kinds = " or ".join(t.__name__ for t in types)
                raise SystemExit(f"docrun: result {name!r} is shown as provenance: a {kinds}")
        return results


def walk_keys(value):
    """Every key of every dict in value, however nested."""
    if isinstance(value, dict):
        for key, item in value.items():
            yield key
            yield from walk_keys(item)
    elif isinstance(value, list):
        for item in value:
            yield from walk_keys(item)


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


def run(script, run_dir):
    """Run script here, as `python SCRIPT` would, and write its outputs into run_dir (a
    docrun.rundir.RunDir, or a folder path). The runner completes the record."""
    script = Path(script).resolve()
    if not isinstance(run_dir, RunDir):
        run_dir = RunDir(Path(run_dir).resolve(), script.stem)
    tables = run_dir.tables  # the runner's figure-text tables for this run
    run = Run(
        script, run_dir, json.loads(tables.read_text(encoding="utf-8")) if tables.exists() else {}
    )
    tables.unlink(missing_ok=True)
    os.environ[RESULTS_VARIABLE] = str(run_dir.results)
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
    run_dir.output.write_text("".join(run.stdout.all), encoding="utf-8")
    run.record(str(script)).save(run_dir)
