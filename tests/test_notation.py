"""One notation across the site: the glossary's symbol table, and a notation box on every page.

The glossary (docs/glossary.md, docs/glossary.zh.md) holds the table of symbols, each with one
meaning, and a table of the letters that sources use instead ("Letters in the sources"). Every
content page opens with a box, `!!! note "Notation"` (zh `!!! note "记号"`), whose first paragraph
names the symbols the page uses, as `$symbol$ meaning` entries separated by " · ", with the
glossary's meaning word for word. Where the page quotes a source in the source's own letters, the
box holds a table `| Its letters | Source | On this site |` (zh `| 字母 | 来源 | 本站 |`) that maps
them. Every Greek letter in the page's formulas is either a symbol the box names or a mapped letter.
"""

import re

import pytest
from conftest import ROOT

DOCS = ROOT / "docs"
LANGUAGES = {"en": ("", "Notation"), "zh": (".zh", "记号")}
# Pages without a notation box: the glossary holds the table, the home page is a way in (its
# symbols are those of the pages it links), the exercises and evidence pages list other pages'.
NOT_CONTENT = {"index", "glossary", "exercises", "check_it_yourself", "evidence"}
FENCE = re.compile(r"^\s*(```+|~~~+).*?^\s*\1\s*$", re.MULTILINE | re.DOTALL)
INLINE_CODE = re.compile(r"`[^`\n]+`")
MATH = re.compile(r"\$\$(.+?)\$\$|\$([^$\n]+)\$", re.DOTALL)
GREEK = re.compile(
    r"\\(alpha|beta|gamma|delta|epsilon|varepsilon|zeta|eta|theta|vartheta|iota|kappa|lambda|mu"
    r"|nu|xi|rho|sigma|tau|upsilon|phi|varphi|chi|psi|omega|Gamma|Delta|Theta|Lambda|Xi|Sigma"
    r"|Phi|Psi|Omega)(?![A-Za-z])"
)
ENTRY = re.compile(r"^\$([^$]+)\$\s+(.+?)\s*$")


def path(stem, lang):
    return DOCS / f"{stem}{LANGUAGES[lang][0]}.md"


def table_rows(lines):
    """The cells of each row of the Markdown table that starts at lines[0], header excluded."""
    return [
        [c.strip() for c in line.strip().strip("|").split("|")]
        for line in lines[2:]
        if line.startswith("|")
    ]


def tables(text):
    """Every Markdown table in text, as its rows of cells (header excluded)."""
    lines, found = text.splitlines(), []
    for n, line in enumerate(lines):
        stripped = line.strip()
        if stripped.startswith("|") and (n == 0 or not lines[n - 1].strip().startswith("|")):
            block = []
            for row in lines[n:]:
                if not row.strip().startswith("|"):
                    break
                block.append(row.strip())
            found.append(table_rows(block))
    return found


def unknown_letters(cell, meanings):
    """Greek letters of a mapping's "on this site" cell that no symbol of the table has."""
    ours = {letter for symbol in meanings for letter in GREEK.findall(symbol)}
    return set(GREEK.findall(cell)) - ours


def entries(cell):
    """A mapping cell's entries: each formula or code name, in order."""
    return re.findall(r"\$[^$]+\$|`[^`]+`", cell)


def glossary(lang):
    """(symbol -> meaning, mapping rows) of the glossary in this language."""
    text = path("glossary", lang).read_text(encoding="utf-8")
    symbols_table, mapping_table = tables(text)[:2]
    return {row[0].strip("$"): row[1] for row in symbols_table}, mapping_table


def box(stem, lang):
    """(the box's lines, the page's text without the box); fails if there is not exactly one."""
    title = LANGUAGES[lang][1]
    text = path(stem, lang).read_text(encoding="utf-8")
    opening = f'!!! note "{title}"'
    lines = text.splitlines()
    starts = [n for n, line in enumerate(lines) if line.strip() == opening]
    assert len(starts) == 1, f"{path(stem, lang).name}: {len(starts)} boxes {opening!r}"
    end = starts[0] + 1
    while end < len(lines) and (not lines[end].strip() or lines[end].startswith("    ")):
        end += 1
    body = [line[4:] for line in lines[starts[0] + 1 : end]]
    rest = "\n".join(lines[: starts[0]] + lines[end:])
    return body, rest


def named(body):
    """The box's first paragraph, as (symbol, meaning) pairs."""
    paragraph = []
    for line in body:
        if paragraph and not line.strip():
            break
        if line.strip():
            paragraph.append(line.strip())
    text = " ".join(paragraph)
    pairs = []
    for item in text.split(" · "):
        match = ENTRY.match(item.strip())
        assert match, f"not a `$symbol$ meaning` entry: {item!r}"
        pairs.append((match.group(1), match.group(2).rstrip(".。")))
    return pairs


def mappings(body):
    """The rows of the box's mapping table: (letters, source, on this site)."""
    found = tables("\n".join(body))
    return [row for table in found for row in table]


def greek(text):
    prose = INLINE_CODE.sub(" ", FENCE.sub(" ", text))
    return {
        letter for m in MATH.finditer(prose) for letter in GREEK.findall(m.group(1) or m.group(2))
    }


def has_formulas(page):
    return bool(greek(page.read_text(encoding="utf-8")))


# A content page is one whose formulas hold a Greek letter: it says what its letters mean.
CONTENT = sorted(
    stem
    for p in DOCS.rglob("*.md")
    if (stem := p.relative_to(DOCS).with_suffix("").as_posix())  # faq/basics, nesterov/index
    and not p.name.endswith(".zh.md")
    and stem not in NOT_CONTENT
    and has_formulas(p)
)


def test_the_glossary_tables_are_the_same_in_both_languages():
    (en, en_map), (zh, zh_map) = glossary("en"), glossary("zh")
    assert list(en) == list(zh)
    assert len(en) >= 20 and {"\\theta_k", "g_k", "\\eta", "\\gamma", "v_k", "\\beta"} <= set(en)
    assert [(r[0], r[2]) for r in en_map] == [(r[0], r[2]) for r in zh_map]


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_symbol_has_one_meaning(lang):
    meanings, _ = glossary(lang)
    text = path("glossary", lang).read_text(encoding="utf-8")
    rows = [row[0] for row in tables(text)[0]]
    assert len(rows) == len(set(rows)) == len(meanings)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_sources_letters_map_onto_the_table(lang):
    meanings, mapping = glossary(lang)
    for letters, source, ours in mapping:
        assert len(entries(letters)) == len(entries(ours)), source
        assert unknown_letters(ours, meanings) == set(), source


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("stem", CONTENT)
def test_every_content_page_has_a_box_with_the_glossary_meanings(stem, lang):
    meanings, _ = glossary(lang)
    body, _ = box(stem, lang)
    pairs = named(body)
    assert pairs, f"{stem}: the box names no symbol"
    wrong = [(s, m, meanings.get(s)) for s, m in pairs if meanings.get(s) != m]
    assert wrong == [], f"{stem}: (symbol, box's meaning, glossary's meaning)"
    for letters, source, ours in mappings(body):
        assert len(entries(letters)) == len(entries(ours)), f"{stem}: {source}"
        assert unknown_letters(ours, meanings) == set(), f"{stem}: {source}"


@pytest.mark.parametrize("stem", CONTENT)
def test_english_and_chinese_boxes_name_the_same_symbols(stem):
    en, _ = box(stem, "en")
    zh, _ = box(stem, "zh")
    assert [s for s, _ in named(en)] == [s for s, _ in named(zh)]
    assert [(r[0], r[2]) for r in mappings(en)] == [(r[0], r[2]) for r in mappings(zh)]


# Pages whose subject is other sources' formulas, shown in those sources' own letters (each
# mapped in the page's box); every other page writes only the site's letters.
QUOTING = {"errata", "update_rule"}


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("stem", CONTENT)
def test_every_greek_letter_in_a_formula_is_one_the_box_names(stem, lang):
    body, rest = box(stem, lang)
    declared = {letter for s, _ in named(body) for letter in GREEK.findall(s)}
    if stem.split("/")[0] in QUOTING:  # a topic folder quotes as its pages did together
        declared |= {letter for row in mappings(body) for letter in GREEK.findall(row[0])}
    assert greek(rest) - declared == set(), "a source's letter outside the mapping table"


def test_the_rules_read_a_box():
    body = [
        "$\\eta$ learning rate · $\\gamma$ momentum coefficient.",
        "",
        "| Its letters | Source | On this site |",
        "|---|---|---|",
        "| $\\mu$, $\\varepsilon$ | Sutskever | $\\gamma$, $\\eta$ |",
    ]
    assert named(body) == [("\\eta", "learning rate"), ("\\gamma", "momentum coefficient")]
    assert mappings(body) == [["$\\mu$, $\\varepsilon$", "Sutskever", "$\\gamma$, $\\eta$"]]
    assert greek("$a \\mu_k$ and `$\\rho$` and $$\\varepsilon\\pi$$") == {"mu", "varepsilon"}


# --- one velocity: the step taken, v_{k+1} = gamma v_k - eta g_k, theta_{k+1} = theta_k + v_{k+1}
SPACING = re.compile(r"\s+|\\[,;!]|\\q?quad")
# Each rule is a way of writing v that another definition would use: v without eta (PyTorch's
# buffer, which is b), or v pointing uphill (theta - v). Quoted sources use v, v_t: not matched.
OTHER_VELOCITIES = {
    "v's recursion adds the gradient (uphill, or PyTorch's buffer b)": re.compile(
        r"v_\{k\+1\}=\\gammav_k\+"
    ),
    "the parameters move by +v, not -v or -eta v": re.compile(
        r"(\\theta|x)_\{k\+1\}=(\\theta|x)_k-(\\eta)?v_\{k\+1\}"
    ),
    "v is minus eta times the buffer": re.compile(r"v_(k|\{k\})=\\eta"),
}
ALL_PAGES = sorted(p.relative_to(DOCS).as_posix() for p in DOCS.rglob("*.md"))


def velocity_slips(text):
    """The formulas of text that write v by another definition than the glossary's."""
    prose = INLINE_CODE.sub(" ", FENCE.sub(" ", text))
    formulas = [SPACING.sub("", m.group(1) or m.group(2)) for m in MATH.finditer(prose)]
    return [(why, f) for f in formulas for why, rule in OTHER_VELOCITIES.items() if rule.search(f)]


@pytest.mark.parametrize("page", ALL_PAGES)
def test_every_formula_writes_the_velocity_as_the_glossary_does(page):
    assert velocity_slips((DOCS / page).read_text(encoding="utf-8")) == []


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_glossary_defines_the_velocity_and_the_buffer(lang):
    text = path("glossary", lang).read_text(encoding="utf-8")
    formulas = {SPACING.sub("", m.group(1) or m.group(2)) for m in MATH.finditer(text)}
    assert "v_{k+1}=\\gammav_k-\\etag_k,\\theta_{k+1}=\\theta_k+v_{k+1}." in formulas
    assert "b_{k+1}=\\gammab_k+g_k,\\theta_{k+1}=\\theta_k-\\etab_{k+1}," in formulas
    assert "v_k=-\\etab_k" in formulas


def test_the_velocity_rules_catch_the_other_definitions():
    buffer_as_v = "$v_{k+1} = \\gamma\\, v_k + g_k$, $\\theta_{k+1} = \\theta_k - \\eta\\, v_{k+1}$"
    uphill = "$$v_{k+1} = \\gamma v_k + \\eta g_k, \\qquad x_{k+1} = x_k - v_{k+1}$$"
    uphill += " and $v_k = \\eta b_k$"
    assert len(velocity_slips(buffer_as_v)) == 2
    assert len(velocity_slips(uphill)) == 3
    quoted = "$v_t \\leftarrow \\beta v_{t-1} + g_t$, $v = \\mu v + \\text{lr}\\, g$"
    quoted += ", `$v_{k+1} = \\gamma v_k + g$`"  # in code, not a formula
    ours = "$v_{k+1} = \\gamma v_k - \\eta \\nabla f(\\theta_k + \\gamma v_k)$"
    ours += ", $\\theta_{k+1} = \\theta_k + v_{k+1}$"
    assert velocity_slips(quoted) == velocity_slips(ours) == []
