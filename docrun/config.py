"""The pipeline's settings: the `docrun` entry under `plugins:` in mkdocs.yml.

The plugin gets them from MkDocs; the command line (`python -m docrun run`) reads the same entry,
so the build and the runner never disagree about where scripts and runs are.
"""

from pathlib import Path

from mkdocs.config import base
from mkdocs.config import config_options as c

from docrun.sources import UserError

DEVICES = ("auto", "cpu", "cuda")


class RunsConfig(base.Config):
    scripts = c.ListOfItems(c.Type(str), default=["snippets", "examples"])
    runs_dir = c.Type(str, default="build/runs")
    lock_file = c.Type(str, default="uv.lock")  # a change to the locked versions re-runs all
    # ... of these dependency groups only (uv.lock), if named: the groups the scripts run with
    lock_groups = c.ListOfItems(c.Type(str), default=[])
    device = c.Choice(DEVICES, default="auto")
    timeout = c.Type((int, float), default=900)  # seconds per script
    jobs = c.Type(int, default=2)  # scripts run side by side
    run_alone = c.ListOfItems(c.Type(str), default=[])  # stem patterns: timing benchmarks
    fresh_processes = c.Type(bool, default=False)  # no fork server: a new interpreter each
    live = c.Type(bool, default=True)  # `mkdocs serve` re-runs what changed
    # Folders whose Python files are published as source/FOLDER/NAME.html, an anchor per
    # function, so that a page can link a claim to the test that checks it
    sources = c.ListOfItems(c.Type(str), default=[])
    # Words the pipeline puts on pages, per language: download, output, ran_in, no_torch, ...
    strings = c.Type(dict, default={})
    # Display names of explorable parameters and readouts: {name: {language: text}}
    names = c.Type(dict, default={})
    # Where each other language's figure-text table is, e.g. docs/figure_text.{language}.yml:
    # the runner redraws every figure with its text translated (docrun.translate)
    figure_text = c.Type(str, default="")


def load(config_file=None):
    """(settings, project root) from the docrun entry of a MkDocs configuration file: the one
    named, else ./mkdocs.yml, else the defaults."""
    from mkdocs.utils import yaml_load

    path = Path(config_file or "mkdocs.yml").resolve()
    if config_file is None and not path.exists():
        return validated({}, path), path.parent
    try:
        with open(path, encoding="utf-8") as f:
            plugins = yaml_load(f).get("plugins", [])
    except OSError as err:
        raise UserError(f"cannot read {config_file}: {err.strerror}") from None
    entries = [p for p in plugins if p == "docrun" or (isinstance(p, dict) and "docrun" in p)]
    options = entries[0]["docrun"] if entries and isinstance(entries[0], dict) else {}
    return validated(options or {}, path), path.parent


def validated(options, config_file):
    settings = RunsConfig(config_file_path=str(config_file))
    settings.load_dict(options)
    failed, warnings = settings.validate()
    if failed or warnings:  # a misspelt option is an error here too, not silently ignored
        name, error = (failed or warnings)[0]
        raise UserError(f"{config_file}: docrun: {name}: {error}")
    return settings
