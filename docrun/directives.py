"""The directives a page uses to show a run, in one place: the plugin expands them, the tests
read pages with them.

On a line of its own, at any indent (inside an admonition, say):
    [[output: STEM]]                 what the script STEM printed
    [[figure: STEM N | alt text]]    its N-th figure, in a light and a dark variant
    [[explore: STEM | alt {name}]]   its labelled frames as one figure with sliders
    [[notebook: STEM]]               the executed example STEM, prose in the page's language
Anywhere in a line of prose (or of a formula, or of alt text):
    [[value: STEM.NAME | FORMAT]]    the named result NAME of STEM's run, formatted
    [[claim: STEM.NAME]]             nothing; the build stops if that result is not true

NAME is a result's name, then `.key` or `.index` to reach inside a dict or list. FORMAT is a
Python format spec (`.3f`, `,`, `.1%`, `d`), or one for powers of ten: `.1sci` writes
1.0 × 10⁻¹⁵ in prose, `.1tex` writes 1.0 \\times 10^{-15} in a formula. A number needs a format:
how many digits a page shows is the page's decision.
"""

import math
import re
from dataclasses import dataclass

from docrun.record import RESULT_NAME

# To the last ]] of the line: alt text may quote values ([[value: ...]]) itself.
BLOCK = re.compile(r"^([ \t]*)\[\[(output|figure|explore|notebook):(.*)\]\][ \t]*$", re.M)
# With the space before it: a claim takes that space along (a value puts it back).
INLINE = re.compile(r"(?P<space>[ \t]?)\[\[(?P<kind>value|claim):(?P<argument>.*?)\]\]")
# Any directive, and the script it names: for checks over every page.
ANY = re.compile(r"\[\[(output|figure|explore|notebook|value|claim):\s*([\w-]+)")
NAME = re.compile(rf"^[A-Za-z_][\w-]*(\.{RESULT_NAME.pattern})*$", re.ASCII)
SUPERSCRIPT = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")
DIGITS = re.compile(r"^[0-9]+$")


class DirectiveError(ValueError):
    """A directive that is malformed, or names what the run does not have: one line."""


@dataclass
class Block:
    indent: str
    kind: str  # output, figure, explore or notebook
    stem: str
    n: int | None  # figure: which one
    text: str  # figure: alt text; explore: alt template


def block(match):
    """The Block of a BLOCK match."""
    indent, kind, argument = match.group(1), match.group(2), match.group(3).strip()
    target, _, text = (s.strip() for s in argument.partition("|"))
    stem, _, n = target.partition(" ")
    if kind == "figure" and not (text and DIGITS.match(n.strip())):
        raise DirectiveError("write [[figure: STEM N | alt text]]")
    if kind == "explore" and not text:
        raise DirectiveError("write [[explore: STEM | alt text with {parameter}]]")
    number = n.strip()
    return Block(indent, kind, stem.strip(), int(number) if DIGITS.match(number) else None, text)


@dataclass
class Reference:
    kind: str  # value or claim
    stem: str
    name: str  # NAME, dotted
    spec: str  # FORMAT ("" for a claim)


def reference(match):
    """The Reference of an INLINE match."""
    kind, argument = match.group("kind"), match.group("argument")
    target, bar, spec = (s.strip() for s in argument.partition("|"))
    stem, _, name = target.partition(".")
    if not NAME.match(target) or not name or (kind == "claim" and bar):
        usage = "STEM.NAME | FORMAT" if kind == "value" else "STEM.NAME"
        raise DirectiveError(f"write [[{kind}: {usage}]], not [[{kind}:{argument}]]")
    return Reference(kind, stem, name, spec)


def lookup(results, name):
    """The result NAME (dotted: into dicts by key, into lists by index)."""
    value = results
    for i, part in enumerate(name.split(".")):
        if isinstance(value, dict) and part in value:
            value = value[part]
        elif isinstance(value, list) and DIGITS.match(part) and int(part) < len(value):
            value = value[int(part)]
        else:
            where = ".".join(name.split(".")[:i]) or "its results"
            known = ", ".join(sorted(map(str, value))) if isinstance(value, dict) else ""
            raise DirectiveError(f"no result {name!r} ({where} has {known or 'no ' + repr(part)})")
    return value


def format_value(value, spec):
    """value as the page writes it: FORMAT above."""
    if isinstance(value, bool) or value is None or isinstance(value, dict | list):
        raise DirectiveError(f"{value!r} is not a number or a word to quote")
    if isinstance(value, float) and not math.isfinite(value):
        raise DirectiveError(f"{value!r} is no number to quote (did the run diverge?)")
    if isinstance(value, float) and not spec:
        raise DirectiveError(f"{value!r} needs a format (how many digits the page shows)")
    try:
        for suffix, power in (("sci", "{m} × 10{e}"), ("tex", "{m} \\times 10^{{{e}}}")):
            if spec.endswith(suffix):
                if not isinstance(value, int | float) or value == 0:
                    raise DirectiveError(f"{value!r} has no power of ten")
                mantissa, exponent = format(value, spec[: -len(suffix)] + "e").split("e")
                exponent = str(int(exponent))
                if suffix == "sci":
                    exponent = exponent.translate(SUPERSCRIPT)
                return power.format(m=mantissa, e=exponent)
        return format(value, spec)
    except ValueError as err:
        raise DirectiveError(f"format {spec!r} for {value!r}: {err}") from None


def sentence_around(line, start, end):
    """The sentence of line that holds the span start:end, without directives."""
    before = re.split(r"(?<=[.!?])\s+|(?<=[。！？；])", line[:start])[-1]
    after = re.split(r"(?<=[.!?])\s|(?<=[。！？；])", line[end:], maxsplit=1)[0]
    text = " ".join(INLINE.sub("", before + after).split())
    return re.sub(r"\s+(?=[.,;:!?])", "", text)
