"""Live authoring: under `mkdocs serve`, saving a script re-runs it and the page shows the new
output; a script that fails shows its traceback in the terminal and leaves the last good page."""

import os
import socket
import subprocess
import sys
import time
import urllib.request

import pytest
import yaml
from conftest import site_config


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def page(url):
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.read().decode()
    except OSError:
        return ""


def wait_for(url, text, seconds=120):
    """Seconds until the served page holds text."""
    started = time.perf_counter()
    while time.perf_counter() - started < seconds:
        if text in page(url):
            return time.perf_counter() - started
        time.sleep(0.2)
    raise AssertionError(f"{text!r} never appeared at {url}")


@pytest.fixture
def site(tmp_path):
    config = site_config()
    docrun = next(p["docrun"] for p in config["plugins"] if "docrun" in p)
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "index.md").write_text("# Live\n\n[[output: hello]]\n")
    (tmp_path / "snippets").mkdir()
    script = tmp_path / "snippets" / "hello.py"
    script.write_text("print('version one')\n")
    settings = {
        "site_name": "live",
        "strict": True,
        "theme": {"name": "material", "font": False},
        "markdown_extensions": ["pymdownx.superfences"],
        "plugins": [{"docrun": {"scripts": ["snippets"], "strings": docrun["strings"]}}],
    }
    (tmp_path / "mkdocs.yml").write_text(yaml.safe_dump(settings))
    port = free_port()
    log = open(tmp_path / "serve.log", "w")  # noqa: SIM115  (open while the server runs)
    server = subprocess.Popen(
        [sys.executable, "-m", "mkdocs", "serve", "-a", f"127.0.0.1:{port}"],
        cwd=tmp_path,
        stdout=log,
        stderr=subprocess.STDOUT,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
    )
    yield script, f"http://127.0.0.1:{port}/", tmp_path / "serve.log"
    server.terminate()
    server.wait(timeout=30)
    log.close()


def test_saving_a_script_reruns_it_and_a_failure_keeps_the_last_good_page(site):
    script, url, log = site
    wait_for(url, "version one", seconds=180)
    script.write_text("print('version two')\n")
    wait_for(url, "version two")
    reloads = log.read_text().count("Reloading browsers")
    script.write_text("print('version three')\n1 / 0\n")
    deadline = time.perf_counter() + 120  # the rebuild after the failure ends and reloads
    while log.read_text().count("Reloading browsers") == reloads and time.perf_counter() < deadline:
        time.sleep(0.2)
    text = log.read_text()
    assert 'hello.py", line 2' in text and "ZeroDivisionError" in text
    assert "version two" in page(url) and "version three" not in page(url)  # last good page
    script.write_text("print('version four')\n")
    wait_for(url, "version four")
