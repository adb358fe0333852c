"""One run's folder: every path a run of a script produces. Nothing else spells them out.

    RUNS/STEM/record.json                    the run record (docrun.record)
    RUNS/STEM/output.txt                     what the script printed
    RUNS/STEM/STEM-N-[narrow-]THEME[.LANG].svg   its N-th figure, light or dark, per language,
                                             and laid out for a phone (docrun.narrow)
    RUNS/STEM/STEM.ipynb                     an example, executed (and .download.ipynb: unrun)

While a script runs, its folder is a scratch folder beside the others (.STEM-XXXX), which also
holds its log, the figure-text tables the runner passed, and the results file it writes.
"""

import tempfile
from pathlib import Path

RESULTS_VARIABLE = "DOCRUN_RESULTS"  # where a script writes its named results (a JSON object)


class RunDir:
    def __init__(self, path, stem):
        self.path, self.stem = Path(path), stem

    @classmethod
    def of(cls, runs, stem):
        """The finished run of STEM in the runs folder."""
        return cls(Path(runs) / stem, stem)

    @classmethod
    def scratch(cls, runs, stem):
        """A new private folder for a run in progress: runs side by side never collide."""
        return cls(tempfile.mkdtemp(prefix=f".{stem}-", dir=runs), stem)

    def __truediv__(self, name):
        return self.path / name

    @property
    def record(self):
        return self.path / "record.json"

    @property
    def output(self):
        return self.path / "output.txt"

    @property
    def results(self):
        return self.path / "results.json"

    @property
    def log(self):
        return self.path / "log.txt"

    @property
    def tables(self):
        return self.path / "figure_text.json"

    @property
    def notebook(self):
        return self.path / f"{self.stem}.ipynb"

    @property
    def download(self):
        return self.path / f"{self.stem}.download.ipynb"

    def figure(self, n, theme, language=None, narrow=False):
        """The file name of figure n in theme ("light" or "dark"), redrawn for language, or
        laid out for a phone (narrow)."""
        layout = "narrow-" if narrow else ""
        return f"{self.stem}-{n}-{layout}{theme}{f'.{language}' if language else ''}.svg"
