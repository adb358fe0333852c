"""linkchecker over the built site, served as a static host serves it: every page, stylesheet,
script, image and font the site links to within itself. Exit 1 on any broken one.

    python scripts/linkcheck.py [--site build/site]

Needs build/site (`nox -s docs`) and linkchecker (`nox -s links` installs it). Links to other
hosts are not followed: the site must not depend on them (tests/test_site_static.py).
"""

import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from static_host import served

ROOT = Path(__file__).resolve().parent.parent


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--site", type=Path, default=ROOT / "build" / "site")
    args = parser.parse_args()
    if not (args.site / "index.html").is_file():
        sys.exit(f"no built site in {args.site}: run `nox -s docs` first")
    linkchecker = shutil.which("linkchecker")
    if linkchecker is None:
        sys.exit("linkchecker is not installed: `nox -s links` installs it")
    with served(args.site) as url, tempfile.NamedTemporaryFile("w", suffix=".ini") as config:
        # A local host answers at once: no pause between requests (the host allows it with a
        # header, static_host.py). Without --check-extern: only this site's own links. Its
        # anchor check (AnchorCheck) is off: it took over 10 minutes here; the site tests check
        # every #fragment.
        config.write("[checking]\nmaxrequestspersecond=1000\n")
        config.flush()
        command = [linkchecker, "--no-status", "--threads=4", "--config", config.name, url]
        return subprocess.run(command, check=False).returncode


if __name__ == "__main__":
    sys.exit(main())
