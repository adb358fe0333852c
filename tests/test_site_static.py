"""The built site's files, checked without a browser: formulas arrive typeset and no page loads
math JavaScript; pages stay light; fonts are preloaded where formulas are; nothing refers to
another host; every link within the site leads to a file (linkchecker, the field's own tool, over
the site as a static host serves it) and every #fragment to an element of that page; no sentence
keeps the leftovers of a removed phrase."""

import html
import json
import os
import re
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

import pytest
from site_browser import ROOT, SITE

pytestmark = pytest.mark.site


@pytest.fixture(autouse=True)
def site_is_built():
    assert (SITE / "index.html").exists(), "no build/site: run `nox -s docs` first"


# What typesetting in the browser would load: KaTeX's script or a typesetting helper.
MATH_SCRIPT = re.compile(r"<script\b[^>]*\bsrc=[\"'][^\"']*(?:katex|mathjax|math\.js)", re.I)
FORMULA = re.compile(r'<(span|div) class="arithmatex">(.*?)</\1>', re.DOTALL)


def test_formulas_arrive_typeset_and_no_page_loads_math_javascript():
    """The build writes KaTeX's HTML into every formula: no page has a formula left as TeX or a
    script that would typeset it, and the site ships no KaTeX script."""
    untypeset, scripts, formulas = [], [], 0
    for path in sorted(SITE.rglob("*.html")):
        text = path.read_text(encoding="utf-8")
        for match in FORMULA.finditer(text):
            formulas += 1
            if not match.group(2).startswith('<span class="katex'):
                untypeset.append(f"{path.relative_to(SITE)}: {match.group(2)[:60]}")
        scripts += [f"{path.relative_to(SITE)}: {s}" for s in MATH_SCRIPT.findall(text)]
    assert formulas > 100 and untypeset == [] and scripts == []
    assert sorted(p.name for p in SITE.rglob("*.js") if "katex" in p.name.lower()) == []


def test_example_articles_stay_under_80_kb_with_lean_code_blocks():
    """A notebook page shares the site's stylesheets; its code keeps only the spans that colour.
    The budget holds the article, what the notebook adds: around it every page carries the site's
    header and navigation (about 40 KB for the 45 pages of the nav). (A budget, not a measurement:
    the largest article, Adam from scratch, is about 75 KB.)"""
    pages = sorted(SITE.glob("**/examples/*/index.html"))
    assert len(pages) >= 10
    article = re.compile(r'<article class="md-content__inner md-typeset">.*?</article>', re.S)
    sizes = {
        str(p.relative_to(SITE)): len(article.search(p.read_text("utf-8")).group(0).encode())
        for p in pages
    }
    assert {page: size for page, size in sizes.items() if size >= 80_000} == {}
    code = "".join(
        re.findall(r"<pre\b.*?</pre>", (SITE / "nesterov" / "index.html").read_text("utf-8"), re.S)
    )
    assert (
        '<span class="k">' in code
        and '<span class="n">' not in code
        and '<span class="w">' not in code
    )


def test_katex_stylesheet_names_only_fonts_the_site_ships_and_swaps_them_in():
    css = SITE / "assets" / "katex" / "katex.min.css"
    text = css.read_text(encoding="utf-8")
    fonts = re.findall(r"url\(([^)]+)\)", text)
    assert len(fonts) >= 20
    assert [f for f in fonts if not (css.parent / f).is_file()] == []
    assert text.count("font-display:swap") == len(fonts) and "font-display:block" not in text


def test_pages_with_formulas_preload_the_two_main_katex_fonts_and_others_none():
    preload = re.compile(
        r'<link rel="preload" href="([^"]+)" as="font" type="font/woff2" crossorigin>'
    )
    with_formulas = 0
    for path in sorted(SITE.rglob("index.html")):
        text = path.read_text(encoding="utf-8")
        fonts = preload.findall(text)
        if 'class="katex' in text:
            with_formulas += 1
            assert [f.rsplit("/", 1)[1] for f in fonts] == [
                "KaTeX_Main-Regular.woff2",
                "KaTeX_Math-Italic.woff2",
            ], path
            assert all((path.parent / f).resolve().is_file() for f in fonts)
        else:
            assert fonts == [], path
    assert with_formulas >= 20


# What Material's bundle changes on <html> and <body> when it starts: each change, made then,
# restyles every element of the page; overrides/main.html makes them before the page is parsed.
THEME_START = [
    'document.documentElement.classList.remove("no-js")',
    'document.documentElement.classList.add("js")',
    'document.documentElement.classList.add("js-focus-visible")',
    'document.documentElement.setAttribute("data-js-focus-visible","")',
    'document.body.setAttribute("data-md-color-switching","")',
]
EARLY = [
    'classList.remove("no-js")',
    'classList.add("js")',
    'classList.add("js-focus-visible")',
    "dataset.jsFocusVisible",
    "<body ",  # the palette's attribute is set on <body>, once it exists
    'document.body.dataset.mdColorSwitching = ""',
]
BUNDLE = re.compile(r'<script src="[^"]*/bundle\.[0-9a-f]+\.min\.js"( defer)?></script>')
SCRIPT_FILE = re.compile(r"<script\b[^>]*\bsrc=[^>]*>")


def test_material_is_deferred_and_finds_its_start_up_changes_made():
    """On every page Material's bundle is deferred, and so is every script after it, which may
    need it (document$): the inline one is a module, which runs in order with them. The changes
    the bundle makes when it starts are made first, in that order. They are read from the bundle
    itself: a theme version that no longer makes one of them fails here, and its early copy
    should go."""
    bundle = next((SITE / "assets/javascripts").glob("bundle.*.min.js")).read_text("utf-8")
    assert [c for c in THEME_START if c not in bundle] == []
    pages = sorted(SITE.rglob("index.html")) + sorted(SITE.rglob("404.html"))
    for path in pages:
        text = path.read_text(encoding="utf-8")
        tags = BUNDLE.findall(text)
        assert tags == [" defer"], (path, tags)
        after = SCRIPT_FILE.findall(text[BUNDLE.search(text).end() :])
        assert after and all(" defer" in s and "async" not in s for s in after), (path, after)
        module = text.index('<script type="module">')
        assert text.index("document$", module) < text.index("</script>", module), path
        positions = [text.find(early) for early in EARLY]
        assert -1 not in positions and positions == sorted(positions), (path, positions)
    assert len(pages) >= 20


# Tags that make the browser fetch what they name (a canonical or alternate <link> does not).
EXTERNAL_REFERENCE = re.compile(
    r"<(?:script|img|iframe|source|video|audio|embed|object|image|use|track|input"
    r"""|link(?![^>]*\srel=["']?(?:canonical|alternate)\b))\b[^>]*?"""
    r"""\s(?:src|href|srcset|data|poster|xlink:href)\s*=\s*["']?(?:https?:)?//""",
    re.IGNORECASE,
)
INLINE_SCRIPT = re.compile(r"<script\b[^>]*>(.*?)</script>", re.IGNORECASE | re.DOTALL)
CSS_EXTERNAL = re.compile(r"""(?:url\(\s*["']?|@import\s+["'])(?:https?:)?//""", re.IGNORECASE)


def test_no_page_or_stylesheet_refers_to_another_host():
    """The static half of the offline check: no tag, script or stylesheet names another host."""
    found = []
    for path in sorted(SITE.rglob("*.html")):
        text = path.read_text(encoding="utf-8")
        found += [(path.name, m.group(0)[:120]) for m in EXTERNAL_REFERENCE.finditer(text)]
        for script in INLINE_SCRIPT.findall(text):
            found += [(path.name, u) for u in re.findall(r"https?://[^\s\"'`]+", script)]
    for path in sorted(SITE.rglob("*.css")):
        text = path.read_text(encoding="utf-8")
        found += [(path.name, m.group(0)) for m in CSS_EXTERNAL.finditer(text)]
    assert found == []


HREF = re.compile(r"""<a\b[^>]*?\shref\s*=\s*["']([^"']*)["']""", re.IGNORECASE)
ID = re.compile(r"""\sid\s*=\s*["']([^"']+)["']""")


def test_every_fragment_link_within_the_site_reaches_an_element_with_that_id():
    """A link to PAGE#name (evidence links to tests, notebook pages' tables of contents, links
    between pages) finds id="name" on PAGE. (That PAGE exists is linkchecker's check; its own
    fragment check took over 10 minutes here.)"""
    broken, ids = [], {}
    for path in sorted(SITE.rglob("*.html")):
        if path.name == "404.html":
            continue  # its links are absolute, for any depth
        page = "/" + path.relative_to(SITE).as_posix()
        for href in HREF.findall(path.read_text(encoding="utf-8")):
            if not href or href.startswith("/") or re.match(r"[a-z][a-z0-9+.-]*:", href):
                continue
            target = urlsplit(urljoin(page, html.unescape(href)))
            file = SITE / unquote(target.path).lstrip("/")
            if target.path.endswith("/"):
                file = file / "index.html"
            if not target.fragment or file.suffix != ".html" or not file.is_file():
                continue
            if file not in ids:
                ids[file] = set(ID.findall(file.read_text(encoding="utf-8")))
            if unquote(target.fragment) not in ids[file]:
                broken.append(f"{path.relative_to(SITE)}: {href}")
    assert broken == []


def test_linkchecker_finds_no_broken_link_on_the_served_site():
    """The field's own link checker, over the site as a static host serves it."""
    bin_dir = str(Path(sys.executable).parent)  # linkchecker is installed beside this Python
    result = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "linkcheck.py"), "--site", str(SITE)],
        capture_output=True,
        text=True,
        timeout=900,
        env={**os.environ, "PATH": bin_dir + os.pathsep + os.environ["PATH"]},
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    assert re.search(
        r"\b[1-9]\d{2,} links in \d+ URLs checked\. \d+ warnings found\. 0 errors found",
        result.stdout,
    )


def test_the_static_check_sees_what_would_be_fetched():
    fetched = [
        '<script src="https://cdn.jsdelivr.net/npm/katex/dist/katex.min.js"></script>',
        '<link rel="stylesheet" href="//fonts.googleapis.com/css?family=Roboto">',
        '<link href="https://fonts.gstatic.com" rel="preconnect">',
        '<img alt="x" src="http://example.com/a.png">',
    ]
    not_fetched = [
        '<a href="https://pytorch.org/docs/">PyTorch</a>',
        '<link rel="canonical" href="https://example.github.io/momentum/">',
        '<link rel="alternate" href="https://example.github.io/momentum/zh/" hreflang="zh">',
        '<script src="../assets/math.js"></script>',
    ]
    assert [bool(EXTERNAL_REFERENCE.search(t)) for t in fetched + not_fetched] == [True] * 4 + [
        False
    ] * 4
    assert CSS_EXTERNAL.search('@import url("https://fonts.googleapis.com/css")')
    assert not CSS_EXTERNAL.search("src: url(fonts/KaTeX_Main-Regular.woff2)")


class Sentences(HTMLParser):
    """The text of each paragraph and list item of the article, each formula and code span an X."""

    SKIP = frozenset({"code", "pre", "script", "style", "svg", "math"})

    def __init__(self):
        super().__init__()
        self.blocks, self.text, self.skipping, self.article = [], None, [], 0

    def handle_starttag(self, tag, attrs):
        classes = dict(attrs).get("class") or ""
        if tag == "article":
            self.article += 1
        if self.skipping or tag in self.SKIP or "katex" in classes.split():
            if not self.skipping and self.text is not None:
                self.text.append("X")  # a formula or code stands in the sentence
            self.skipping.append(tag)
        elif self.article and tag in ("p", "li"):
            self.text = []

    def handle_endtag(self, tag):
        if self.skipping:
            if self.skipping[-1] == tag:
                self.skipping.pop()
            return
        if tag == "article":
            self.article -= 1
        elif tag in ("p", "li") and self.text is not None:
            self.blocks.append("".join(self.text).strip())
            self.text = None

    def handle_data(self, data):
        if self.text is not None and not self.skipping:
            self.text.append(data)


# What a phrase cut out of a sentence leaves behind: a bracket opening on punctuation, a
# paragraph that starts with punctuation, a bracket that opens on a verb with no subject.
LEFTOVER = re.compile(
    r"[(（]\s*[:;,：；，.。]|^[.,;:。，；：]|\((?:asserts|checks|repeats)\b|（(?:断言|检查)"
)


def leftovers(page_html):
    parser = Sentences()
    parser.feed(page_html)
    return [text[:80] for text in parser.blocks if LEFTOVER.search(text)]


def test_no_sentence_keeps_the_leftovers_of_a_removed_phrase():
    found = {}
    for path in sorted(SITE.rglob("index.html")):
        bad = leftovers(path.read_text(encoding="utf-8"))
        if bad:
            found[str(path.relative_to(SITE))] = bad
    assert found == {}


def test_the_leftover_check_sees_each_kind():
    page = (
        "<article><p>Counts agree (: the tolerance is zero).</p><p>. Then more.</p>"
        "<p>A test (asserts 1 ± 0.02) holds.</p><p>结果（断言 0.5）。</p>"
        '<p>A fine sentence (a test checks it), <span class="katex">(,</span> and code '
        "<code>(; x)</code>.</p></article>"
    )
    assert len(leftovers(page)) == 4  # the last paragraph reads "(a test checks it), X and X."


def test_downloads_read_as_the_page_does_with_no_directive_left():
    """A reader's copy of an example (.py, .ipynb) has its quoted values filled in."""
    downloads = sorted((SITE / "downloads").glob("*.*"))
    assert {p.suffix for p in downloads} == {".py", ".ipynb"}
    left = [p.name for p in downloads if "[[value:" in p.read_text("utf-8")]
    left += [p.name for p in downloads if "[[claim:" in p.read_text("utf-8")]
    assert left == []


# TeX the search index must not hold: a formula's delimiters or a command
TEX = re.compile(r"\\[(\[]|\\[A-Za-z]{2,}")


def test_search_previews_show_no_tex():
    """Every section in the search index reads its formulas as text (hooks/search_text.py)."""
    docs = json.loads((SITE / "search" / "search_index.json").read_text("utf-8"))["docs"]
    code = re.compile(r"<code>.*?</code>", re.S)
    prose = [code.sub("", d["title"] + " " + d["text"]) for d in docs]
    with_tex = [d["location"] for d, text in zip(docs, prose, strict=True) if TEX.search(text)]
    assert len(docs) > 300 and with_tex == []
    assert any("η/(1-γ)" in text for text in prose)  # noqa: RUF001
