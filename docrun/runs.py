"""A project's runs: where they are, which scripts there are, and which run of each is fresh.

The runner asks it what to run, the build which run to show, the tests which results to read:
all three with the same cache key (docrun.sources.cache_key) and the same freshness
(docrun.record.Record.is_fresh).
"""

from pathlib import Path

from docrun import config
from docrun.record import Record
from docrun.rundir import RunDir
from docrun.sources import cache_key, discover
from docrun.translate import load_tables


class Runs:
    def __init__(self, settings, root, tables=None):
        """tables: the figure-text tables as the caller has them; read from settings if None
        (raises docrun.translate.TableError for a bad table)."""
        self.settings, self.root = settings, Path(root)
        self.folder = self.root / settings.runs_dir
        self.lock = self.root / settings.lock_file
        self.tables = load_tables(settings.figure_text, self.root) if tables is None else tables

    @classmethod
    def of_project(cls, config_file=None):
        """The runs of the project whose mkdocs.yml is config_file (default: ./mkdocs.yml)."""
        return cls(*config.load(config_file))

    def scripts(self, only=None):
        return discover([self.root / d for d in self.settings.scripts], only)

    def dir(self, stem):
        return RunDir.of(self.folder, stem)

    def key(self, script, device_id):
        return cache_key(Path(script), self.lock, device_id, self.settings.lock_groups)

    def load(self, stem):
        return Record.load(self.dir(stem))

    def is_fresh(self, record, device_id=None):
        """Made from the script and its inputs as they are now (on device_id, by default the
        device it ran on)."""
        script = self.root / record.script
        if not script.exists():
            return False
        key = self.key(script, record.device_id if device_id is None else device_id)
        return record.is_fresh(self.dir(record.stem), key, self.tables)

    def check(self, stem):
        """(the run of STEM or None, what is wrong with it or None): missing, its script gone,
        or made from inputs that have changed since."""
        record = self.load(stem)
        if record is None:
            known = {p.stem for p in self.scripts()}
            return None, f"{'no run of' if stem in known else 'no script named'} {stem!r}"
        if not (self.root / record.script).exists():
            return record, f"{record.script} is gone"
        if not self.is_fresh(record):
            return record, f"{record.script} (or a figure text table) changed since it ran"
        return record, None
