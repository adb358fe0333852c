"""Lighthouse 12 (mobile, simulated slow 4G and a 4x slower CPU) on each kind of page of the built
site, served compressed as a static host serves it: prints the table of scores, timings and bytes.

Each page is measured RUNS times and each column is the median, since timings vary with the load
of the machine; the lowest and highest performance score say by how much. The reports go to
build/lighthouse/ (one JSON per run) with the table (table.md).

    python scripts/lighthouse.py [--runs 3] [--site build/site] [PAGE ...]

Needs build/site (`nox -s docs`), Node 20 with `npm ci` done (package.json pins Lighthouse 12),
and Chromium (or Chrome; CHROME_PATH names it when it is not on the PATH).
"""

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
from pathlib import Path

from static_host import served

ROOT = Path(__file__).resolve().parent.parent
LIGHTHOUSE = ROOT / "node_modules" / ".bin" / "lighthouse"
# One page of each kind: home, the longest page, a page of many formulas and figures, the page of
# most elements, an FAQ page, a notebook page, a Chinese page, a page of worked solutions.
PAGES = [
    "",
    "terminal_velocity/",
    "quadratic/",
    "optimizers/schedule_free/",
    "faq/tuning/",
    "examples/mnist_mlp/",
    "zh/faq/basics/",
    "quadratic/exercises/",
]
CATEGORIES = ["performance", "accessibility", "best-practices", "seo"]
CHROMIUM = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")


def chromium():
    found = os.environ.get("CHROME_PATH") or next(filter(None, map(shutil.which, CHROMIUM)), None)
    if not found:
        sys.exit("no Chromium or Chrome found: install one, or set CHROME_PATH")
    return found


def measure(url, report):
    """One Lighthouse run: the scores and numbers of the table."""
    subprocess.run(
        [str(LIGHTHOUSE), url, "--output=json", f"--output-path={report}", "--quiet",
         f"--only-categories={','.join(CATEGORIES)}",
         "--chrome-flags=--headless=new --no-sandbox --disable-gpu --disable-dev-shm-usage"],
        check=True,
        env={**os.environ, "CHROME_PATH": chromium()},
    )  # fmt: skip
    result = json.loads(report.read_text(encoding="utf-8"))
    audits = result["audits"]
    html = next(
        r for r in audits["network-requests"]["details"]["items"] if r["resourceType"] == "Document"
    )
    return {
        **{name: round(100 * result["categories"][name]["score"]) for name in CATEGORIES},
        "tbt": audits["total-blocking-time"]["numericValue"],
        "cls": audits["cumulative-layout-shift"]["numericValue"],
        "lcp": audits["largest-contentful-paint"]["numericValue"],
        "html": html["transferSize"],
        "html_raw": html["resourceSize"],
        "total": audits["total-byte-weight"]["numericValue"],
    }


def table(rows):
    lines = [
        "| page | performance | lowest, highest | accessibility | best practices | SEO "
        "| total blocking time | layout shift | largest contentful paint | HTML (compressed / raw) "
        "| transferred |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for page, m in rows:
        lines.append(
            f"| {page or 'home'} | {m['performance']:.0f} | {m['low']}, {m['high']} "
            f"| {m['accessibility']:.0f} "
            f"| {m['best-practices']:.0f} | {m['seo']:.0f} | {m['tbt']:.0f} ms | {m['cls']:.3f} "
            f"| {m['lcp'] / 1000:.1f} s | {m['html'] / 1024:.0f} / {m['html_raw'] / 1024:.0f} KB "
            f"| {m['total'] / 1024:.0f} KB |"
        )
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("pages", nargs="*", default=PAGES, help="paths below the site root")
    parser.add_argument("--runs", type=int, default=3, help="runs per page; the median is shown")
    parser.add_argument("--site", type=Path, default=ROOT / "build" / "site")
    parser.add_argument("--out", type=Path, default=ROOT / "build" / "lighthouse")
    args = parser.parse_args()
    if not (args.site / "index.html").is_file():
        sys.exit(f"no built site in {args.site}: run `nox -s docs` first")
    if not LIGHTHOUSE.exists():
        sys.exit("Lighthouse is not installed: run `npm ci` (package.json pins it)")
    if args.runs < 1:
        sys.exit("--runs must be at least 1")
    args.out.mkdir(parents=True, exist_ok=True)

    rows = []
    with served(args.site) as base:
        for page in args.pages:
            name = page.strip("/").replace("/", "_") or "home"
            runs = []
            for n in range(args.runs):
                runs.append(measure(base + page, args.out / f"{name}.{n + 1}.json"))
                print(f"{page or 'home'}, run {n + 1}: performance {runs[-1]['performance']}")
            median = {k: statistics.median(r[k] for r in runs) for k in runs[0]}
            scores = [r["performance"] for r in runs]  # the spread says how loaded the machine was
            rows.append((page, median | {"low": min(scores), "high": max(scores)}))
    text = table(rows)
    (args.out / "table.md").write_text(
        f"Lighthouse 12, mobile; median of {args.runs} runs per page.\n\n{text}\n", encoding="utf-8"
    )
    print(f"\nLighthouse 12, mobile; median of {args.runs} runs per page.\n\n{text}")


if __name__ == "__main__":
    main()
