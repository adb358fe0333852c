"""MkDocs hooks: put the runner's captured outputs and figures on the pages.

In a page's Markdown, a line on its own
    [[output: STEM]]                         becomes what snippets/STEM.py printed, and
    [[figure: STEM N | alt text]]            its N-th figure, in a light and a dark variant;
both with a one-line provenance caption (script, device, torch, data, run time). Examples run by
the runner become notebook pages at examples/STEM.ipynb, with download links. A run that is
missing or older than its script stops the build: run `nox -s examples` first.
"""

import hashlib
import html
import json
import os
import posixpath
import re
from pathlib import Path

from mkdocs.exceptions import PluginError
from mkdocs.plugins import event_priority
from mkdocs.structure.files import File
from mkdocs.utils import get_relative_url
from mkdocs_jupyter.plugin import NotebookFile

ROOT = Path(__file__).resolve().parents[1]
RUNS = Path(os.environ.get("MOMENTUM_RUNS", ROOT / "build" / "runs"))  # as the runner's --out
DIRECTIVE = re.compile(r"^\[\[(output|figure):(.*?)\]\]\s*$", re.MULTILINE)
RUN_PATH = re.compile(r"@run/([\w-]+)/([\w.-]+)")
DOWNLOAD_LABEL = {"en": "Download", "zh": "下载"}
RUN_CAPTION = re.compile(r'<figcaption data-run="([\w-]+)"></figcaption>')


def load_record(stem):
    """The runner's record for STEM, checked against the script as it is now."""
    path = RUNS / stem / "record.json"
    if not path.exists():
        raise PluginError(f"no run of {stem!r} in {RUNS}: run `nox -s examples` first")
    record = json.loads(path.read_text(encoding="utf-8"))
    script = ROOT / record["script"]
    if hashlib.sha256(script.read_bytes()).hexdigest() != record["source_hash"]:
        raise PluginError(f"{record['script']} changed since it ran: run `nox -s examples`")
    return record


def provenance(record):
    torch = f"torch {record['torch_version']}" if record.get("torch_version") else "no torch"
    parts = [record["script"], record["device"], torch, record.get("data") or "no data set"]
    if record.get("throughput"):
        parts.append(record["throughput"])
    parts.append(f"ran in {record['wall_s']:.1f} s")
    return " · ".join(html.escape(p) for p in parts)


def url_of(files, page, src_uri):
    file = files.get_file_from_path(src_uri)
    if file is None:
        raise PluginError(f"{page.file.src_uri}: no built file {src_uri}")
    return get_relative_url(file.url, page.url)


def figure_html(record, n, alt, files, page):
    stem = Path(record["script"]).stem
    figures = {f["n"]: f for f in record.get("figures", [])}
    if n not in figures:
        raise PluginError(f"{page.file.src_uri}: {record['script']} drew no figure {n}")
    imgs = "\n".join(
        f'<img src="{url_of(files, page, f"runs/{stem}/{figures[n][t]}")}#only-{t}" '
        f'alt="{html.escape(alt)}">'
        for t in ("light", "dark")
    )
    return (
        f'<figure class="run-figure">\n{imgs}\n'
        f"<figcaption>{provenance(record)}</figcaption>\n</figure>"
    )


def output_block(record):
    text = (RUNS / Path(record["script"]).stem / "output.txt").read_text(encoding="utf-8")
    fence = "`" * max(3, 1 + max((len(m) for m in re.findall(r"`+", text)), default=0))
    return (
        f'{fence}text title="Output"\n{text.rstrip()}\n{fence}\n'
        f'<p class="provenance">{provenance(record)}</p>'
    )


@event_priority(-110)  # after the i18n plugin has picked each language's files
def on_files(files, config):
    """Add the runs' figures, the executed notebooks as pages, and the downloads."""
    for record_path in sorted(RUNS.glob("*/record.json")):
        run_dir = record_path.parent
        stem = run_dir.name
        if stem.startswith("."):
            continue  # a run still in progress
        record = json.loads(record_path.read_text(encoding="utf-8"))
        for figure in record.get("figures", []):
            for theme in ("light", "dark"):
                add_file(files, config, f"runs/{stem}/{figure[theme]}", run_dir / figure[theme])
        notebook = run_dir / f"{stem}.ipynb"
        if notebook.exists():
            notebook = translated(notebook, current_language(config))
            page = File.generated(config, f"examples/{stem}.ipynb", abs_src_path=str(notebook))
            page = NotebookFile(page, **config)  # what mkdocs-jupyter makes of a notebook
            page.abs_src_path = str(notebook)  # its wrapper cannot see a generated file's path
            files.append(in_language_folder(page, config))
            add_file(files, config, f"downloads/{stem}.py", ROOT / record["script"])
            add_file(files, config, f"downloads/{stem}.ipynb", run_dir / f"{stem}.download.ipynb")
    return files


def in_language_folder(page, config):
    """A page of a non-default language goes under LANG/, as the i18n plugin puts its pages
    (else the Chinese notebook page would overwrite the English one at examples/STEM/)."""
    i18n = config.plugins.get("i18n")
    if i18n is None or i18n.current_language == i18n.default_language:
        return page
    page.dest_path = f"{i18n.current_language}/{page.dest_path}"
    page.abs_dest_path = os.path.normpath(os.path.join(config.site_dir, page.dest_path))
    page.url = f"{i18n.current_language}/{page.url}"
    return page


def current_language(config):
    i18n = config.plugins.get("i18n")
    return i18n.current_language if i18n is not None else "en"


def translated(notebook, language):
    """The executed notebook with its prose cells from examples/STEM.LANG.md (same code, outputs).

    The translation holds one block per Markdown cell, in order, separated by lines `<!-- cell -->`.
    """
    stem = notebook.stem
    if language == "en":
        return notebook
    source = ROOT / "examples" / f"{stem}.{language}.md"
    if not source.exists():
        raise PluginError(f"no {language} translation of examples/{stem}.py: write {source.name}")
    blocks = [b.strip() for b in source.read_text(encoding="utf-8").split("<!-- cell -->")]
    data = json.loads(notebook.read_text(encoding="utf-8"))
    prose = [c for c in data["cells"] if c["cell_type"] == "markdown"]
    if len(blocks) != len(prose):
        raise PluginError(f"{source.name}: {len(blocks)} blocks for {len(prose)} Markdown cells")
    for cell, block in zip(prose, blocks, strict=True):
        cell["source"] = block
    out = RUNS.parent / "i18n" / f"{stem}.{language}.ipynb"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return out


def add_file(files, config, src_uri, path):
    files.append(File.generated(config, src_uri, abs_src_path=str(path)))


def on_page_markdown(markdown, page, config, files):
    def expand(match):
        kind, argument = match.group(1), match.group(2).strip()
        if kind == "output":
            return output_block(load_record(argument))
        target, _, alt = argument.partition("|")
        stem, _, n = target.strip().partition(" ")
        if not alt.strip() or not n.strip().isdigit():
            raise PluginError(f"{page.file.src_uri}: write [[figure: STEM N | alt text]]")
        return figure_html(load_record(stem), int(n), alt.strip(), files, page)

    return DIRECTIVE.sub(expand, markdown)


def on_page_content(content, page, config, files):
    """Notebook pages: point figures at their files, add captions and download links."""
    if not page.file.src_uri.endswith(".ipynb"):
        return content
    stem = Path(page.file.src_uri).stem
    record = load_record(stem)
    content = RUN_PATH.sub(
        lambda m: url_of(files, page, f"runs/{m.group(1)}/{m.group(2)}"), content
    )
    content = RUN_CAPTION.sub(
        lambda m: f"<figcaption>{provenance(load_record(m.group(1)))}</figcaption>", content
    )
    content = page_links(content, page, files)
    links = " · ".join(
        f'<a href="{url_of(files, page, f"downloads/{name}")}" download>{name}</a>'
        for name in (f"{stem}.py", f"{stem}.ipynb")
    )
    label = DOWNLOAD_LABEL[current_language(config)]
    downloads = f'<p class="downloads">{label}: {links} · {provenance(record)}</p>'
    title_end = content.find("</h1>")  # under the title, where a reader looks first
    if title_end < 0:
        return f"{downloads}\n{content}"
    return f"{content[: title_end + 5]}\n{downloads}{content[title_end + 5 :]}"


# In a notebook's prose, a link to a page is written as in Markdown, relative to examples/.
PAGE_LINK = re.compile(r'href="(?![a-z][a-z0-9+.-]*:|/|#)([^"#]+\.md)(#[^"]*)?"')


def page_links(content, page, files):
    """Notebook pages: `../update_rule.md` leads to that page, in the page's language."""

    def built_url(match):
        target = posixpath.normpath(posixpath.join("examples", html.unescape(match.group(1))))
        return f'href="{url_of(files, page, target)}{match.group(2) or ""}"'

    return PAGE_LINK.sub(built_url, content)
