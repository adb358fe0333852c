"""What a run looks like on a page: output blocks, figures, explorable figures and notebooks.

Plain Markdown and HTML fragments, with no knowledge of MkDocs: `url(src_uri)` gives a built
file's address relative to the page, `strings` the words of the page's language, and `raw(html)`
what to put in Markdown for a piece of HTML (the plugin keeps it aside until the Markdown is
rendered, so that it survives any nesting, e.g. inside an admonition).
"""

import ast
import html
import json
import re
from pathlib import Path

from docrun.explore import frames_of, grid

SVG_SIZE = re.compile(rb'<svg[^>]*?width="([\d.]+)pt"[^>]*?height="([\d.]+)pt"')
# The words a page in each language needs (docrun's strings in mkdocs.yml).
STRINGS = (
    *("output", "download", "ran_in", "no_torch", "setup_code"),
    *("cpu_device", "cuda_device", "distributed", "throughput", "mnist", "mnist_offline"),
)


def escape(text):
    return html.escape(text, quote=True)


def provenance(record, strings):
    """(short line, details): the facts of the record in the words of strings. Script, device
    class, torch and data first; the device, processes, throughput and run time on demand."""
    device, results = record.device, record.results
    cuda = device.get("kind") == "cuda"
    torch = f"torch {record.torch_version}" if record.torch_version else strings["no_torch"]
    short = [record.script, f"GPU {device['name']}" if cuda else "CPU", torch]
    if record.data:
        short.append(
            "; ".join(
                strings["mnist_offline" if d["offline"] else "mnist"].format(
                    train=f"{d['train']:,}", test=f"{d['test']:,}"
                )
                for d in record.data
            )
        )
    detail = [
        strings["cuda_device"].format(**device) if cuda else strings["cpu_device"].format(**device)
    ]
    # the results that are provenance too (docrun.record.PROVENANCE)
    if "backend" in results and "world_size" in results:
        detail.append(
            strings["distributed"].format(backend=results["backend"], size=results["world_size"])
        )
    if "samples_per_s" in results:
        rates = results["samples_per_s"]
        rates = rates if isinstance(rates, list) else [rates]
        detail.append(", ".join(strings["throughput"].format(value=f"{r:,.0f}") for r in rates))
    detail.append(strings["ran_in"].format(seconds=f"{record.wall_s:.1f}"))
    return short, detail


def caption(record, strings, tag="div"):
    """Script, device class and torch version; the device, data and run time behind a toggle."""
    short, detail = provenance(record, strings)
    return (
        f'<{tag} class="provenance"><details><summary>{escape(" · ".join(short))}</summary>'
        f"{escape(' · '.join(detail))}</details></{tag}>"
    )


def fenced(text, info):
    """text in a code fence longer than any run of backticks inside it."""
    fence = "`" * max(3, 1 + max((len(m) for m in re.findall(r"`+", text)), default=0))
    return f"{fence}{info}\n{text.rstrip()}\n{fence}"


def keep(html):
    return html


def output_block(record, text, strings, raw=keep, badge=True):
    title = f'text title="{strings["output"]}"'
    block = fenced(text, title)
    return f"{block}\n\n{raw(caption(record, strings))}" if badge else block


def svg_size(path):
    """(width, height) in CSS pixels from a matplotlib SVG's header, so the page reserves room."""
    with open(path, "rb") as f:
        match = SVG_SIZE.search(f.read(2048))
    return tuple(round(float(v) * 4 / 3) for v in match.groups()) if match else None


def images(figure, alt, url, run_dir):
    """The light and the dark variant; Material shows one. Lazy, so the hidden one is not
    fetched, and sized, so nothing moves when it arrives. A figure with a layout for phones
    (docrun.narrow) has it served to screens too narrow to read the wide one's text."""

    def dims(name):
        size = svg_size(run_dir / name)
        return f' width="{size[0]}" height="{size[1]}"' if size else ""

    narrow, shown = figure.get("narrow"), []
    for theme in ("light", "dark"):
        img = (
            f'<img src="{escape(url(figure[theme]))}#only-{theme}" alt="{escape(alt)}"'
            f'{dims(figure["light"])} loading="lazy" decoding="async">'
        )
        if narrow:
            img = (
                f'<picture><source media="(max-width: {narrow["below_px"]}px)" '
                f'srcset="{escape(url(narrow[theme]))}"{dims(narrow["light"])}>{img}</picture>'
            )
        shown.append(img)
    return "\n".join(shown)


def in_language(figure, language):
    """The figure as drawn for a page in language: its translated variant where there is one."""
    return {**figure, **figure.get("languages", {}).get(language, {})}


def figure(record, n, alt, url, run_dir, strings, language, badge=True):
    figures = {f["n"]: in_language(f, language) for f in record.figures}
    if n not in figures:
        raise ValueError(f"it drew no figure {n}")
    badge = f"{caption(record, strings, 'figcaption')}\n" if badge else ""
    return f'<figure class="run-figure">\n{images(figures[n], alt, url, run_dir)}\n{badge}</figure>'


def explorable(record, alt_template, url, run_dir, strings, names, language):
    """One figure with a slider per parameter; the browser only swaps which frame is shown."""
    frames = frames_of([in_language(f, language) for f in record.figures])
    axes = grid(frames)
    for name in [*axes, *frames[0].readout]:
        if language not in names.get(name, {}):
            raise ValueError(f"unknown parameter {name!r}: name it in docrun's names (mkdocs.yml)")

    def shown(pairs):  # a value that is a word (a regime, say) is translated like a name
        return " · ".join(
            f"{names[k][language]} = {names.get(v, {}).get(language, v)}" for k, v in pairs.items()
        )

    def alt(frame):
        try:
            return alt_template.format(**frame.params, **frame.readout)
        except (KeyError, IndexError) as err:
            raise ValueError(f"alt text names {err}, which the frames do not have") from None

    default = {name: values[len(values) // 2] for name, values in axes.items()}
    first = next(f for f in frames if f.params == default)
    data = [
        {
            "params": f.params,
            "readout": shown({**f.params, **f.readout}),
            "alt": alt(f),
            **{theme: f"{url(f.figure[theme])}#only-{theme}" for theme in ("light", "dark")},
            **{
                f"narrow-{theme}": url(f.figure["narrow"][theme])
                for theme in ("light", "dark")
                if "narrow" in f.figure
            },
        }
        for f in frames
    ]
    sliders = "\n".join(
        f"<label>{escape(names[name][language])} "
        f'<input type="range" min="0" max="{len(values) - 1}" step="1" '
        f'value="{values.index(default[name])}" data-param="{name}" '
        f"data-values='{escape(json.dumps(values))}' aria-valuetext=\"{default[name]}\"> "
        f'<span class="explorable-value" aria-hidden="true">{default[name]}</span></label>'
        for name, values in axes.items()
    )
    readout = escape(data[frames.index(first)]["readout"])
    frames_json = json.dumps(data, ensure_ascii=False).replace("<", "\\u003c")
    return (
        f'<figure class="explorable">\n<div class="explorable-controls">\n{sliders}\n</div>\n'
        f"{images(first.figure, alt(first), url, run_dir)}\n"
        f'<p class="explorable-readout" aria-live="polite">{readout}</p>\n'
        f'<script type="application/json" class="explorable-frames">{frames_json}</script>\n'
        f"{caption(record, strings, 'figcaption')}\n</figure>"
    )


def notebook(record, notebook_json, prose, url, run_dir, downloads, strings, language, raw=keep):
    """An executed notebook as Markdown: its prose (in the page's language), its code, and what
    each cell printed and drew (figures and their alt text in the page's language); the download
    links under the title."""
    figures = {f["n"]: in_language(f, language) for f in record.figures}
    prose = iter(prose)
    parts, titled = [], False
    for cell in notebook_json["cells"]:
        source = "".join(cell["source"])
        if cell["cell_type"] == "markdown":
            parts.append(next(prose))
            if not titled:  # under the first prose cell, the title
                parts.append(raw(f'<p class="downloads">{downloads}</p>{caption(record, strings)}'))
                titled = True
            continue
        code = fenced(source, "python")
        if "collapse" in cell.get("metadata", {}).get("tags", []):
            code = f'??? note "{strings["setup_code"]}"\n\n' + _indent(code)
        parts.append(code)
        for output in cell.get("outputs", []):
            if output["output_type"] == "stream":
                parts.append(fenced("".join(output["text"]), "text"))
            elif "docrun_figure" in output.get("metadata", {}):
                fig = figures[output["metadata"]["docrun_figure"]]
                img = images(fig, fig["alt"], url, run_dir)
                parts.append(raw(f'<figure class="run-figure">\n{img}\n</figure>'))
    return "\n\n".join(parts) + "\n"


def _indent(text):
    return "\n".join(f"    {line}" if line else "" for line in text.splitlines())


def prose_blocks(notebook_json, translation):
    """The notebook's Markdown cells, or their translation (blocks separated by <!-- cell -->)."""
    cells = ["".join(c["source"]) for c in notebook_json["cells"] if c["cell_type"] == "markdown"]
    if translation is None:
        return cells
    blocks = [b.strip() for b in translation.split("<!-- cell -->")]
    if len(blocks) != len(cells):
        raise ValueError(f"{len(blocks)} translated blocks for {len(cells)} Markdown cells")
    return blocks


def load_notebook(run_dir):
    return json.loads(run_dir.notebook.read_text(encoding="utf-8"))


def source_page(path, name, helpers=()):
    """A Python file as a standalone HTML page, each function and class with an anchor of its
    name (test_x.html#test_name), so that a claim can link to the test that checks it. The page
    links the file itself (published beside it) and the helper modules it imports, so that a
    reader can download everything the script needs to run."""
    from pygments import highlight
    from pygments.formatters import HtmlFormatter
    from pygments.lexers import PythonLexer

    text = Path(path).read_text(encoding="utf-8")
    code = highlight(text, PythonLexer(), HtmlFormatter(lineanchors="L"))
    for node in ast.walk(ast.parse(text)):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            line = min([node.lineno] + [d.lineno for d in node.decorator_list])
            code = code.replace(f'<a id="L-{line}"', f'<a id="{node.name}"></a><a id="L-{line}"', 1)
    style = "\n".join(
        [
            "body { margin: 1rem; font-family: sans-serif; }",
            ".highlight pre { overflow-x: auto; }",
            HtmlFormatter(style="default").get_style_defs(".highlight"),
            "@media (prefers-color-scheme: dark) {",
            "body { background: #272822; color: #f8f8f2; }",
            HtmlFormatter(style="monokai").get_style_defs(".highlight"),
            "}",
        ]
    )
    return (
        f'<!doctype html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f'<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{escape(name)}</title>\n<style>\n{style}\n</style>\n</head>\n<body>\n<main>\n"
        f"<h1>{escape(name)}</h1>\n{_downloads(Path(path), helpers)}{code}"
        "</main>\n</body>\n</html>\n"
    )


def _downloads(path, helpers):
    """Links to the file and to each helper it imports, all published beside this page."""
    links = [f'<a href="{escape(p.name)}" download>{escape(p.name)}</a>' for p in [path, *helpers]]
    needs = f" (it imports {', '.join(links[1:])}: keep it beside the script)" if helpers else ""
    return f"<p>Download {links[0]}{needs}</p>\n"
