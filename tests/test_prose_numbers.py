"""A number a run computes reaches a page through [[value: ...]], never typed by hand.

No number in the prose of a page (formulas, inline code and figures' alt text included) that has
three or more significant digits, or is written as a power of ten, may equal a number a run
printed, exported or read out on an explorable figure, unless a script was given that number (a
literal in its source: a setting, not a result). "Equal" means the printed number rounds to
the one in the prose.
"""

import functools
import re
from decimal import Decimal, InvalidOperation

import pytest
from conftest import ROOT, RUNS, printed, recorded

from docrun import directives
from docrun.sources import local_modules

SUPERSCRIPTS = str.maketrans("⁻⁰¹²³⁴⁵⁶⁷⁸⁹", "-0123456789")
# 1,234.5 or 0.806, optionally "× 10^{-3}" / "\times 10^{-3}" / "× 10⁻³" after it; or 1.0e-15
PROSE_NUMBER = re.compile(
    r"(?<![\w.,])(\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)"
    r"(?:\s*(?:×|\\times)\s*10\s*(?:\^\{?([-−–]?\d+)\}?|([⁻⁰¹²³⁴⁵⁶⁷⁸⁹]+))"
    r"|[eE]([-+]?\d+))?(?![\w])"
)
PRINTED_NUMBER = re.compile(r"(?<![\w.])\d+(?:\.\d+)?(?:[eE][-+]?\d+)?")
LITERAL = re.compile(r"(?<![\w.])\d[\d_]*(?:\.\d+)?(?:[eE][-+]?\d+)?")
FENCE = re.compile(r"^[ \t]*(`{3,}|~{3,}).*?^[ \t]*\1[ \t]*$", re.M | re.S)
NOT_PROSE = [
    FENCE,
    re.compile(r"^[ \t]*\[\[\w+:[^|\n]*\|?", re.M),  # a block directive, but its alt text
    directives.INLINE,
    re.compile(r"\]\([^)]*\)"),  # link targets
    re.compile(r"</?[A-Za-z][^<>\n]*>"),  # HTML tags and their attributes (not a < b > c)
    re.compile(r"\{[#.][^}]*\}"),  # attribute lists: {#id .class}
    # a version, which a timing may equal by chance: Python 3.11, torch 2.14.1
    re.compile(r"\b(?:Python|PyTorch|torch|CUDA|JAX|jax|Keras|keras|optax|Node)\s+\d+(?:\.\d+)+"),
]


def significant(text):
    """Significant digits of a decimal written as text: 0.0526 -> 3, 280,000 -> 2, 1342 -> 4."""
    digits = text.replace(",", "").replace(".", "").lstrip("0")
    return len(digits if "." in text else digits.rstrip("0")) or 1


def rounded(value, digits):
    """value to `digits` significant digits."""
    if value == 0:
        return value
    return (
        value.scaleb(-value.adjusted())
        .quantize(Decimal(1).scaleb(1 - digits))
        .scaleb(value.adjusted())
    )


def prose_numbers(text):
    """[(line number, the number as written, its value, significant digits)] of the checked
    numbers of a page's prose: three or more significant digits, or a power of ten."""
    for pattern in NOT_PROSE:  # blanked, not removed: line numbers stay right
        text = pattern.sub(lambda m: re.sub(r"[^\n]", " ", m.group(0)), text)
    found = []
    for match in PROSE_NUMBER.finditer(text):
        mantissa, exponent = match.group(1), match.group(2) or match.group(3) or match.group(4)
        digits = significant(mantissa)
        if exponent is None and digits < 3:
            continue
        power = re.sub("[−–]", "-", exponent.translate(SUPERSCRIPTS)) if exponent else "0"
        value = Decimal(mantissa.replace(",", "")).scaleb(int(power))
        line = text.count("\n", 0, match.start()) + 1
        found.append((line, match.group(0), value, digits))
    return found


def numbers_in(value):
    """Every number in a result (nested dicts and lists too)."""
    if isinstance(value, bool):
        return
    if isinstance(value, int | float):
        yield value
    elif isinstance(value, dict | list):
        for item in value.values() if isinstance(value, dict) else value:
            yield from numbers_in(item)


def as_decimal(text):
    try:
        value = Decimal(text.replace("_", ""))
    except InvalidOperation:
        return None
    return value if value.is_finite() else None


@functools.cache
def given():
    """Every number a script was given as a literal: a setting, such as Adam's 0.999, that a page
    may write and one script may print while another was given it."""
    sources = {p for script in RUNS.scripts() for p in (script, *local_modules(script))}
    return {as_decimal(m) for p in sources for m in LITERAL.findall(p.read_text("utf-8"))}


@functools.cache
def computed():
    """{value: (as printed, script)} of every number a run printed, exported or read out on an
    explorable figure, that is not a setting (given())."""
    found = {}
    for script in RUNS.scripts():
        record = recorded(script.stem)
        labels = " ".join(f["label"] or "" for f in record.figures)  # explorables' readouts
        texts = PRINTED_NUMBER.findall(printed(script.stem) + " " + labels)
        texts += [repr(v) for v in numbers_in(record.results)]
        for text in texts:
            value = as_decimal(text)
            if value is not None and value not in given() and value != 0:
                found.setdefault(abs(value), (text, record.script))
    return found


def copies(text):
    """The prose numbers of a page that are copies of computed numbers: (line, as written,
    as printed, script)."""
    found = []
    for line, written, value, digits in prose_numbers(text):
        if value in given():  # a setting, written as a script has it
            continue
        for number, (as_printed, script) in computed().items():
            # one significant digit (1e-3, 5 × 10⁻⁵) matches only exactly: rounding makes a
            # single digit out of nearly any number
            close = rounded(number, digits) == value and (digits > 1 or number == value)
            if close and len(number.normalize().as_tuple().digits) >= digits:
                found.append((line, written, as_printed, script))
                break
    return found


def markdown_cells(example):
    """The Markdown cells of a percent-format example, as the page shows them."""
    text = example.read_text(encoding="utf-8")
    cells = re.findall(r"^# %% \[markdown\]\n((?:#.*\n?)*)", text, re.M)
    return "\n".join(re.sub(r"^# ?", "", cell, flags=re.M) for cell in cells)


PAGES = {
    **{p: functools.partial(p.read_text, "utf-8") for p in sorted((ROOT / "docs").rglob("*.md"))},
    **{
        p: functools.partial(p.read_text, "utf-8")
        for p in sorted((ROOT / "examples").glob("*.zh.md"))
    },
    **{p: functools.partial(markdown_cells, p) for p in sorted((ROOT / "examples").glob("*.py"))},
}


def test_the_rule_finds_copies_and_leaves_settings_and_rounder_numbers_alone():
    text = "Gap 1.0 × 10⁻¹⁵, also \\(1.04 \\times 10^{-15}\\); rate 0.806, 0.81; 1964; lr 0.05.\n"
    found = prose_numbers(text)
    assert [(w, d) for _, w, _, d in found] == [
        ("1.0 × 10⁻¹⁵", 2),
        ("1.04 \\times 10^{-15}", 3),
        ("0.806", 3),
        ("1964", 4),
    ]
    assert rounded(Decimal("0.80573"), 3) == Decimal("0.806")
    assert rounded(Decimal("1.0412e-15"), 2) == Decimal("1.0e-15")
    assert significant("280,000") == 2 and significant("0.0526") == 3
    assert prose_numbers("[[value: s.gap | .3f]] and `x`\n```text\n0.806\n```\n") == []
    assert prose_numbers("with Python 3.11 or newer, torch 2.14.1") == []


@pytest.mark.parametrize("page", PAGES, ids=lambda p: str(p.relative_to(ROOT)))
def test_no_computed_number_is_typed_into_a_page(page):
    found = copies(PAGES[page]())
    assert not found, "\n".join(
        f"{page.name}:{line}: {written} is {printed_as} as printed by {script}: quote it with "
        f"[[value: ...]]"
        for line, written, printed_as, script in found
    )
