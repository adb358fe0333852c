"""Shared test helpers: a script's recorded run, as the build shows it; a snippet or example
loaded as a module without running its demo."""

import importlib.util
import os
import re
import sys
from pathlib import Path

import pytest

from docrun.runs import Runs

ROOT = Path(__file__).resolve().parents[1]
RUNS = Runs.of_project(ROOT / "mkdocs.yml")


def recorded(stem):
    """The run of STEM that the build shows (docrun.record.Record: its .results, the figures'
    labels), fresh by the build's own definition; a test fails, saying how to make it, if the
    run is missing or stale."""
    record, problem = RUNS.check(stem)
    if problem:
        pytest.fail(f"{problem}: run `python -m docrun run --only {stem}` (or `nox -s examples`)")
    return record


def snippet(stem):
    """The path of the snippet STEM, in the folder of its page (snippets/PAGE/STEM.py)."""
    found = sorted((ROOT / "snippets").rglob(f"{stem}.py"))
    assert len(found) == 1, f"snippets/*/{stem}.py: {len(found)} files"
    return found[0]


def site_config():
    """mkdocs.yml as MkDocs reads it (its !ENV tags resolved)."""
    from mkdocs.utils import yaml_load

    with open(ROOT / "mkdocs.yml", encoding="utf-8") as f:
        return yaml_load(f)


def printed(stem):
    """What the recorded run of STEM printed."""
    recorded(stem)
    return RUNS.dir(stem).output.read_text(encoding="utf-8")


def load_script(relpath):
    """Import ROOT/relpath as a module; its `if __name__ == "__main__":` block does not run. Its
    folder is importable, as when it runs: a helper beside it (_launch.py) is found."""
    path = ROOT / relpath
    if str(path.parent) not in sys.path:
        sys.path.append(str(path.parent))
    name = "script_" + path.stem
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses and pickling look modules up here
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def offline_mnist(tmp_path):
    """A dataset root holding the offline MNIST subset, written by docrun.mnist."""
    from docrun import mnist

    mnist.write_offline_mnist(tmp_path / "mnist")
    return tmp_path / "mnist"


@pytest.fixture
def one_thread():
    """Tiny tensors on a shared CPU: one thread is many times faster (as in the examples)."""
    import torch

    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


@pytest.fixture(scope="session")
def browser(tmp_path_factory):
    """A headless Chromium for the site tests (one per test process), on build/site served under a
    sub-path (tests/site_browser.py); the hosts the pages asked for go to
    build/screenshots/hostsN.txt."""
    import site_browser

    site_browser.need((site_browser.SITE / "index.html").exists(), "no build/site: `nox -s docs`")
    with (
        site_browser.served() as base,
        site_browser.chromium(base, tmp_path_factory.mktemp("chromium")) as browser,
    ):
        yield browser
        site_browser.SHOTS.mkdir(parents=True, exist_ok=True)
        hosts = sorted(browser.hosts.items(), key=lambda item: -item[1])
        worker = os.environ.get("PYTEST_XDIST_WORKER", "")  # one browser per test process
        (site_browser.SHOTS / f"hosts{worker}.txt").write_text(
            "".join(f"{host}\t{n}\n" for host, n in hosts), encoding="utf-8"
        )


HEADING_ID = re.compile(r"^#{1,6} .*\{#([\w-]+)\}\s*$", re.MULTILINE)


def moved_sections(suffix=""):
    """A topic too long for a phone is a folder: docs/TOPIC/index.md keeps the address TOPIC/, and
    the folder's other pages hold sections that moved. [(topic, page, anchor, its index's text)]
    for every heading id on those pages (suffix ".zh": the Chinese pages)."""
    found = []
    for index in sorted((ROOT / "docs").glob(f"*/index{suffix}.md")):
        if index.parent.name == "examples":
            continue
        text = index.read_text(encoding="utf-8")
        for page in sorted(index.parent.glob(f"*{suffix}.md")):
            if page == index or (not suffix and page.name.endswith(".zh.md")):
                continue
            stem = page.name.removesuffix(f"{suffix}.md")
            for anchor in HEADING_ID.findall(page.read_text(encoding="utf-8")):
                found.append((index.parent.name, stem, anchor, text))
    return found
