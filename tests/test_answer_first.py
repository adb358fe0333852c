"""The answer first: on the pages a practitioner consults (FAQ, cheat sheet, at scale, today's
optimizers), every section opens with its answer, a short paragraph, a list of rules or a tip box,
and only then code, figures, outputs and the evidence. The Exercises section opens with questions.
"""

import re

import pytest
from conftest import ROOT

# Every page of these topics (each a folder of pages), and the porting and cheat-sheet pages.
TOPICS = sorted(
    p.relative_to(ROOT / "docs").with_suffix("").as_posix()
    for topic in ("faq", "at_scale", "optimizers")
    for p in (ROOT / "docs" / topic).glob("*.md")
    if not p.name.endswith(".zh.md")
)
PAGES = (*TOPICS, "cheat_sheet", "porting")
LANGUAGES = {"en": "", "zh": ".zh"}
# At most four lines of about 100 characters, or about 200 Chinese characters (a Chinese
# character carries about two Latin letters' worth of the line and of the meaning).
LONGEST = {"en": 420, "zh": 210}
QUOTED = re.compile(r"\[\[(?:value|claim):[^\]]*?\]\]")
NOT_AN_ANSWER = re.compile(r"\s*(```|~~~|\[\[|\||<|\$\$|--8<--)")
RULES = re.compile(r"\s*(- |\d+\. |!!! )")


def visible(markdown):
    """What a reader sees, near enough: a quoted number as five characters, a link as its text."""
    text = QUOTED.sub("0.000", markdown)
    return " ".join(re.sub(r"\]\([^)]*\)", "]", text).split())


def openings(stem, suffix):
    """(heading, first block) of each section that has text of its own."""
    text = (ROOT / "docs" / f"{stem}{suffix}.md").read_text(encoding="utf-8")
    parts = re.split(r"(?m)^(#{2,3} .*)$", text)
    for heading, body in zip(parts[1::2], parts[2::2], strict=True):
        blocks = [b for b in re.split(r"\n\s*\n", body) if b.strip()]
        if blocks and "{#exercises}" not in heading:
            yield heading, blocks[0]


def test_the_rule_tells_an_answer_from_code_and_a_long_paragraph():
    assert NOT_AN_ANSWER.match('```python\n--8<-- "snippets/a.py"\n```')
    assert NOT_AN_ANSWER.match("[[output: a]]") and not NOT_AN_ANSWER.match("No. The step ...")
    assert RULES.match("- Start at 0.9.") and RULES.match('!!! tip "Choosing"')
    assert visible("A [link](faq.md#x) and [[value: a.b | .2f]].") == "A [link] and 0.000."


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("stem", PAGES)
def test_every_section_opens_with_a_short_answer(stem, lang):
    late = [h for h, first in openings(stem, LANGUAGES[lang]) if NOT_AN_ANSWER.match(first)]
    long = [
        (h, len(visible(first)))
        for h, first in openings(stem, LANGUAGES[lang])
        if not RULES.match(first) and len(visible(first)) > LONGEST[lang]
    ]
    assert late == [], "sections that open with code, a figure or a table"
    assert long == [], "sections whose first paragraph is longer than an answer"
