"""English and 简体中文 cannot drift apart: every page and every example exists in both.

A Chinese page has the same structure as its English page (heading levels, includes, outputs,
figures, number of display formulas): only the prose is translated. An example's Chinese prose
(examples/STEM.zh.md) has one block per Markdown cell, with the same headings.
"""

import json
import re

import jupytext
import pytest
import yaml
from conftest import ROOT, site_config

from docrun import directives

DOCS = ROOT / "docs"
# The pages' prose (docs/examples/ holds one directive per notebook page: EXAMPLES below).
PROSE = sorted(p for p in DOCS.rglob("*.md") if "examples" not in p.relative_to(DOCS).parts)
ENGLISH = [p for p in PROSE if not p.name.endswith(".zh.md")]
CHINESE = [p for p in PROSE if p.name.endswith(".zh.md")]
EXAMPLES = sorted(p for p in (ROOT / "examples").glob("*.py") if not p.name.startswith("_"))
CELL_BREAK = "<!-- cell -->"
HEADING = re.compile(r"^(#{1,6}) ", re.MULTILINE)
FENCE = re.compile(r"^\s*(```+|~~~+).*?^\s*\1\s*$", re.MULTILINE | re.DOTALL)
INCLUDE = re.compile(r'^\s*--8<--\s+"([^"]+)"', re.MULTILINE)
DISPLAY_MATH = re.compile(r"\$\$(.+?)\$\$", re.DOTALL)
HAN = re.compile(r"[\u4e00-\u9fff]")
ENGLISH_WORD = re.compile(r"\b[A-Za-z]{3,}\b")


def chinese_of(page):
    return page.with_name(page.name.removesuffix(".md") + ".zh.md")


def english_of(page):
    return page.with_name(page.name.removesuffix(".zh.md") + ".md")


def structure(text):
    """What must be the same in both languages: everything but the prose."""
    prose = FENCE.sub("", text)  # a '#' inside a code block is no heading
    blocks = [directives.block(m) for m in directives.BLOCK.finditer(text)]
    refs = [directives.reference(m) for m in directives.INLINE.finditer(text)]
    return {
        "heading levels": [len(h) for h in HEADING.findall(prose)],
        "includes": INCLUDE.findall(text),
        "outputs and figures": [(b.kind, b.stem, b.n) for b in blocks],
        # the same results quoted and the same claims checked, in any order
        "values and claims": sorted((r.kind, r.stem, r.name) for r in refs),
        # how many, not their text: a formula's \text{...} is prose, and is translated
        "display formulas": len(DISPLAY_MATH.findall(text)),
    }


def test_every_english_page_has_a_chinese_page():
    assert [p.name for p in ENGLISH if not chinese_of(p).exists()] == []


def test_every_chinese_page_has_an_english_page():
    assert [p.name for p in CHINESE if not english_of(p).exists()] == []


@pytest.mark.parametrize("page", ENGLISH, ids=lambda p: p.relative_to(DOCS).as_posix())
def test_chinese_page_has_the_same_structure(page):
    zh = chinese_of(page)
    if not zh.exists():
        pytest.fail(f"no {zh.name}")
    assert structure(zh.read_text(encoding="utf-8")) == structure(page.read_text(encoding="utf-8"))


@pytest.mark.parametrize("page", CHINESE, ids=lambda p: p.relative_to(DOCS).as_posix())
def test_chinese_page_is_written_in_chinese(page):
    text = FENCE.sub("", page.read_text(encoding="utf-8"))
    assert len(HAN.findall(text)) >= 2, f"{page.name} has no Chinese prose"
    # A translated page, not a few Chinese words on an English page: at least 0.8 Han
    # characters per English word of 3+ letters outside code (current pages: 1.39 to 1.72).
    english = FENCE.sub("", english_of(page).read_text(encoding="utf-8"))
    words = len(ENGLISH_WORD.findall(english))
    han = len(HAN.findall(text))
    assert han >= 0.8 * words, f"{page.name}: {han} Han characters for {words} English words"


def markdown_cells(example):
    notebook = jupytext.read(example, fmt="py:percent")
    return [c["source"] for c in notebook["cells"] if c["cell_type"] == "markdown"]


def translation_blocks(example):
    path = example.with_name(example.stem + ".zh.md")
    if not path.exists():
        pytest.fail(f"no Chinese prose for {example.name}: write examples/{path.name}")
    return [b.strip() for b in path.read_text(encoding="utf-8").split(CELL_BREAK)]


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.stem)
def test_every_example_has_chinese_prose_for_each_markdown_cell(example):
    cells, blocks = markdown_cells(example), translation_blocks(example)
    assert len(blocks) == len(cells), f"{len(blocks)} blocks for {len(cells)} Markdown cells"
    assert all(HAN.search(block) for block in blocks), "a block with no Chinese in it"
    for n, (cell, block) in enumerate(zip(cells, blocks, strict=True), start=1):
        assert structure(block) == structure(cell), f"Markdown cell {n}"


def test_no_translation_without_its_example():
    stems = {p.stem for p in EXAMPLES}
    orphans = [p.name for p in (ROOT / "examples").glob("*.zh.md") if p.name[:-6] not in stems]
    assert orphans == []


def nav_titles(items):
    for item in items:
        if isinstance(item, dict):
            for title, value in item.items():
                yield title
                if isinstance(value, list):
                    yield from nav_titles(value)


def test_every_nav_title_has_a_chinese_title():
    config = site_config()
    i18n = next(p["i18n"] for p in config["plugins"] if isinstance(p, dict) and "i18n" in p)
    zh = next(lang for lang in i18n["languages"] if lang["locale"] == "zh")
    assert [t for t in nav_titles(config["nav"]) if t not in zh["nav_translations"]] == []


@pytest.mark.site
@pytest.mark.parametrize("word", ["动量", "学习率", "梯度", "缓冲区"])
def test_the_search_index_holds_chinese_words(word):
    """Chinese has no spaces: jieba splits it into words at build time, else no word is found."""
    index_path = ROOT / "build" / "site" / "search" / "search_index.json"
    if not index_path.exists():
        pytest.fail("no build/site/search/search_index.json: run `nox -s docs` first")
    index = json.loads(index_path.read_text(encoding="utf-8"))
    separator = re.compile(index["config"]["separator"])
    words = {
        word
        for doc in index["docs"]
        if doc["location"].startswith("zh/")
        for word in separator.split(re.sub(r"<[^>]+>", " ", doc["title"] + " " + doc["text"]))
    }
    assert word in words


CJK = "[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]"
VERBATIM = re.compile(r"<(pre|script|style|textarea)\b.*?</\1>", re.DOTALL | re.IGNORECASE)


@pytest.mark.site
def test_no_line_break_between_chinese_characters_in_the_built_pages():
    """A line break inside a Chinese sentence shows as a space in the browser."""
    site = ROOT / "build" / "site" / "zh"
    if not (site / "index.html").exists():
        pytest.fail("no build/site/zh: run `nox -s docs` first")
    found = []
    for page in sorted(site.rglob("*.html")):
        text = VERBATIM.sub("", page.read_text(encoding="utf-8"))
        found += [
            f"{page.relative_to(site)}: {m.group(0)!r}" for m in re.finditer(f"{CJK}\n{CJK}", text)
        ]
    assert found == []


def test_search_keeps_every_glossary_term_a_whole_word():
    """The glossary's Chinese terms are in the word list given to jieba (mkdocs.yml, search)."""
    glossary = (DOCS / "glossary.zh.md").read_text(encoding="utf-8")
    rows = [line.split("|")[1].strip() for line in glossary.splitlines() if line.startswith("| ")]
    # the first row is the header; a part in full-width brackets, like 前瞻 (梯度), is optional
    terms = {re.sub(r"\uff08.*?\uff09", "", cell) for cell in rows[1:] if HAN.search(cell)}
    listed = (DOCS / "assets" / "jieba_terms.txt").read_text(encoding="utf-8")
    words = {line.split()[0] for line in listed.splitlines() if line.strip()}
    assert len(terms) >= 15 and terms <= words


def test_the_build_joins_chinese_lines_outside_code_only():
    from conftest import load_script

    hooks = load_script("hooks/cjk_breaks.py")
    html = (
        "<p>动量\n系数。\n学习率 and\nmore</p><li>列表\n    续行</li>"
        "<pre><code>动量\n系数</code></pre>"
        "<script>const a = '动\n量';</script>"
    )
    assert hooks.on_post_page(html, None, None) == (
        "<p>动量系数。学习率 and\nmore</p><li>列表续行</li>"
        "<pre><code>动量\n系数</code></pre>"
        "<script>const a = '动\n量';</script>"
    )


RUN_IMAGE = re.compile(r'<img src="([^"#]*runs/[^"#]+\.svg)#only-\w+" alt="([^"]*)"')
FRAMES = re.compile(r'<script type="application/json" class="explorable-frames">(.*?)</script>')


@pytest.mark.site
def test_zh_pages_show_figures_drawn_in_chinese_with_chinese_alt_text():
    """Figure text on zh pages is Chinese (the runner redraws it, docrun.translate); en is not."""
    site = ROOT / "build" / "site"
    if not (site / "zh" / "index.html").exists():
        pytest.fail("no build/site/zh: run `nox -s docs` first")
    zh_images, en_images = [], []
    for page in sorted(site.rglob("*.html")):
        html = page.read_text(encoding="utf-8")
        found = RUN_IMAGE.findall(html)
        for frames in FRAMES.findall(html):  # an explorable's other frames, shown on demand
            found += [
                (f[t].split("#")[0], f["alt"])
                for f in json.loads(frames)
                for t in ("light", "dark")
            ]
        (zh_images if page.is_relative_to(site / "zh") else en_images).extend(found)
    assert len(zh_images) == len(en_images) > 200
    assert [src for src, _ in zh_images if not src.endswith(".zh.svg")] == []
    assert [src for src, _ in en_images if src.endswith(".zh.svg")] == []
    assert [alt for _, alt in zh_images if not HAN.search(alt)] == []


# What the MNIST examples draw instead on full MNIST (a reader with a network), or with the
# ConvNet's full profile (the default on a GPU): runs this build did not make.
OTHER_RUNS = {"offline subset": "MNIST", "short profile": "full profile"}


def zh_figure_texts():
    """The zh table, and every figure text the recorded runs showed."""
    table = yaml.safe_load((DOCS / "figure_text.zh.yml").read_text(encoding="utf-8"))["text"]
    seen = set()
    for record in (ROOT / "build" / "runs").glob("*/record.json"):
        seen |= set(json.loads(record.read_text(encoding="utf-8"))["figure_text"]["zh"])
    return table, seen


def drawn_by_other_runs(texts):
    variants = set(texts)
    for old, new in OTHER_RUNS.items():
        variants |= {text.replace(old, new) for text in variants}
    return variants - set(texts)


@pytest.mark.site
def test_zh_figure_texts_of_full_mnist_and_gpu_runs_have_translations_too():
    """A zh build on full MNIST or on a GPU must not stop on a text the CPU build never drew."""
    from docrun.translate import translate

    table, seen = zh_figure_texts()
    other = drawn_by_other_runs(seen)
    assert any(text.startswith("ConvNet, MNIST: full profile, ") for text in other)
    assert sorted(text for text in other if translate(text, table) is None) == []


@pytest.mark.site
def test_every_zh_figure_text_entry_is_used_by_some_figure():
    """No stale entries: each key of the zh table is a text some run's figure showed (or would
    show on full MNIST or a GPU)."""
    from docrun.translate import NUMBER

    table, seen = zh_figure_texts()
    seen |= drawn_by_other_runs(seen)
    used = seen | {NUMBER.sub("#", text) for text in seen}
    assert sorted(set(table) - used) == []
