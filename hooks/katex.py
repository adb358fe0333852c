"""Formulas arrive typeset: the vendored KaTeX (docs/assets/katex, version in VENDORED.txt) runs
at build time in an embedded V8, so pages load no math JavaScript.

A formula KaTeX cannot typeset stops the build. The site ships KaTeX's stylesheet and woff2
fonts, not its script. A page with formulas preloads the two fonts nearly every formula uses,
and text never waits for a font (font-display: swap): the fonts arrive with the stylesheet, so
nothing moves when they do. This runs after the search plugin has indexed the page: the index
holds the TeX, not KaTeX's HTML.
"""

import html
import json
import re
from pathlib import Path
from typing import ClassVar

from mkdocs.exceptions import PluginError
from py_mini_racer import MiniRacer

KATEX = Path(__file__).parents[1] / "docs" / "assets" / "katex"
SCRIPT = "assets/katex/katex.min.js"  # read by the build, not loaded by the pages

# pymdownx.arithmatex (generic) writes inline formulas as <span class="arithmatex">\(…\)</span>
# and display formulas as <div class="arithmatex">\[…\]</div>, the TeX HTML-escaped.
FORMULA = re.compile(
    r'<(span|div) class="arithmatex">\\([(\[])(.*?)\\[)\]]</\1>'
    r"([.,;:!?\u3001\u3002\uff0c\uff1b\uff1a\uff01\uff1f\uff09)])?",  # punctuation after it
    re.DOTALL,
)
# A browser may break a line after any of a formula's boxes (KaTeX's .katex-base) whatever
# character follows: a long inline formula wraps at its operators, but punctuation after it could
# start a line. So a formula and the punctuation after it are wrapped in span.with-punctuation,
# which does not wrap (readable.css), and all the formula's boxes but the last in span.may-wrap,
# which does: a long formula still breaks between its boxes, never after its last one. Chromium
# allows a break after a box if any element that ends between it and the punctuation wraps, so
# the last box sits outside every wrapping element (with .katex-html wrapping and only the last
# box in a span that does not, a "；" still started a line). A browser that lets the nearest
# common ancestor decide, as the spec says, keeps the last two boxes together.
KATEX_HTML = '<span class="katex-html" aria-hidden="true">'
SPAN_TAG = re.compile(r"<span\b|</span>")
# KaTeX's stylesheet offers each font as woff2, then woff and ttf. Every browser that runs the
# site reads woff2, so only those are shipped, and the stylesheet names only those.
FONT_FALLBACKS = re.compile(
    r',url\(fonts/[\w-]+\.woff\) format\("woff"\),url\(fonts/[\w-]+\.ttf\) format\("truetype"\)'
)
STYLESHEET = re.compile(r'<link rel="stylesheet" href="([^"]*)assets/katex/katex\.min\.css">')
# Upright text and digits, and italic variables: nearly every formula draws with these two.
PRELOADED_FONTS = ("KaTeX_Main-Regular.woff2", "KaTeX_Math-Italic.woff2")
# Runs in V8 beside katex.min.js: every formula of a page in one call, JSON in and out.
TYPESET_JS = """
function typeset(formulas) {
  return JSON.stringify(JSON.parse(formulas).map(([tex, display]) => {
    try {
      return [true, katex.renderToString(tex, {displayMode: display, throwOnError: true})];
    } catch (error) {
      return [false, String(error.message)];
    }
  }));
}
"""


class Katex:
    """The vendored KaTeX in an embedded V8, started at the first formula. V8 keeps the process
    alive until closed, so the build closes it when it ends (on_shutdown, on_build_error)."""

    context: ClassVar[MiniRacer | None] = None
    typeset: ClassVar[dict] = {}  # (TeX, display) -> HTML: en and zh pages share most formulas

    @classmethod
    def render(cls, formulas, page):
        todo = sorted({f for f in formulas if f not in cls.typeset})
        if todo:
            if cls.context is None:
                cls.context = MiniRacer()
                cls.context.eval((KATEX / "katex.min.js").read_text(encoding="utf-8"))
                cls.context.eval(TYPESET_JS)
            results = json.loads(cls.context.call("typeset", json.dumps(todo)))
            for (tex, _), (ok, result) in zip(todo, results, strict=True):
                if not ok:
                    raise PluginError(
                        f"{page.file.src_uri}: KaTeX cannot typeset {tex!r}: {result}"
                    )
            cls.typeset.update(zip(todo, (result for _, result in results), strict=True))
        return [cls.typeset[f] for f in formulas]

    @classmethod
    def close(cls):
        if cls.context is not None:
            cls.context.close()
            cls.context = None


def typeset_formulas(output, page):
    """Each arithmatex formula becomes KaTeX's HTML (with MathML for screen readers), in the
    same span or div."""
    found = list(FORMULA.finditer(output))
    formulas = [(html.unescape(m.group(3)).strip(), m.group(2) == "[") for m in found]
    rendered = iter(Katex.render(formulas, page))

    def typeset(m):
        tag, after = m.group(1), m.group(4) or ""
        formula = f'<{tag} class="arithmatex">{next(rendered)}</{tag}>'
        if tag == "span" and after:
            return f'<span class="with-punctuation">{last_box_kept(formula)}{after}</span>'
        return formula + after

    return FORMULA.sub(typeset, output)


def last_box_kept(formula):
    """FORMULA (KaTeX's HTML) with all the boxes of its .katex-html but the last in a
    span.may-wrap; unchanged if it has one box."""
    start = formula.find(KATEX_HTML)
    if start < 0:
        return formula
    first = start + len(KATEX_HTML)
    depth, last = 0, None
    for tag in SPAN_TAG.finditer(formula, first):
        if tag.group() == "<span" and depth == 0:  # a box: one of .katex-html's children
            last = tag.start()
        elif tag.group() == "</span>" and depth == 0:  # the end of .katex-html
            break
        depth += 1 if tag.group() == "<span" else -1
    if last is None or last == first:
        return formula
    return f'{formula[:first]}<span class="may-wrap">{formula[first:last]}</span>{formula[last:]}'


def preload_fonts(output):
    """A page with formulas asks for KaTeX's two main fonts before its stylesheet."""
    stylesheet = STYLESHEET.search(output)
    if stylesheet is None or 'class="katex' not in output:
        return output
    links = "".join(
        f'<link rel="preload" href="{stylesheet.group(1)}assets/katex/fonts/{font}" as="font" '
        f'type="font/woff2" crossorigin>'
        for font in PRELOADED_FONTS
    )
    return output.replace(stylesheet.group(0), links + stylesheet.group(0), 1)


def katex_stylesheet(site):
    """KaTeX's published stylesheets name only the woff2 fonts that the site ships, and show
    formulas in a fallback font until KaTeX's arrives (swap), instead of hiding them (block)."""
    for css in site.glob("**/assets/katex/katex.min.css"):
        text = FONT_FALLBACKS.sub("", css.read_text(encoding="utf-8"))
        text = text.replace("font-display:block", "font-display:swap")
        if ".woff)" in text or ".ttf)" in text:
            raise PluginError(f"{css}: a woff or ttf font that the build did not drop")
        css.write_text(text, encoding="utf-8")


def on_files(files, config):
    if (file := files.get_file_from_path(SCRIPT)) is not None:
        files.remove(file)
    return files


def on_post_page(output, page, config):
    return preload_fonts(typeset_formulas(output, page))


def on_post_build(config):
    katex_stylesheet(Path(config.site_dir))


def on_shutdown():
    Katex.close()


def on_build_error(error):
    Katex.close()
