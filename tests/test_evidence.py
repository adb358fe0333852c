"""Evidence stays on the page but out of the sentences: in the Markdown one line per claim, on
the built page one folded line per section (hooks/evidence.py); every link real.

A claim's tests and script are named in one line after it, `<small>Evidence: … </small>` in
English and `<small>证据\uff1a…</small>` (a full-width colon) in Chinese, each a link to the
published source (`source/tests/FILE.html#NAME`, `source/snippets/FILE.html`). These tests check
that every such link names a test function or a script that exists, that no test name is left in
the running prose, and that a page and its translation cite the same tests.
"""

import re

import pytest
from conftest import ROOT, load_script

DOCS = ROOT / "docs"
PAGES = sorted(DOCS.rglob("*.md"))
ENGLISH = [p for p in PAGES if not p.name.endswith(".zh.md")]
EVIDENCE = re.compile(r"<small>(?:Evidence: |证据\uff1a)(.*?)</small>")
TEST_LINK = re.compile(r"\[([^\]]+)\]\((?:\.\./)*source/tests/(\w+)\.html#(\w+)\)")
SCRIPT_LINK = re.compile(r"\[([^\]]+)\]\((?:\.\./)*source/snippets/(\w+)\.html\)")
# what an Evidence line may hold besides its links
FILLER = re.compile(r"^(?:\s|·|,|、|scripts?|脚本)*$")  # links, and what separates them
FENCE = re.compile(r"^\s*(```+|~~~+).*?^\s*\1\s*$", re.MULTILINE | re.DOTALL)
INCLUDE = re.compile(r"^\s*--8<--.*$", re.MULTILINE)
# a test's name, not part of a path (tests/test_x.py) or of an address (#test_x)
BARE_TEST_NAME = re.compile(r"(?<![\w/#.-])test_\w+(?!\w|\.py|\.html)")


def evidence_lines(text):
    return EVIDENCE.findall(text)


def problems_in_evidence(line):
    """What is wrong with one Evidence line: links to nothing, or text that is not a link."""
    found = []
    for label, file, name in TEST_LINK.findall(line):
        path = ROOT / "tests" / f"{file}.py"
        if not path.exists():
            found.append(f"no tests/{file}.py")
        elif not re.search(rf"^\s*(?:async\s+)?def {name}\(", path.read_text(), re.MULTILINE):
            found.append(f"no def {name} in tests/{file}.py")
        if label != name:
            found.append(f"link text {label!r} is not the test's name {name!r}")
    for label, file in SCRIPT_LINK.findall(line):
        if not list((ROOT / "snippets").rglob(f"{file}.py")):
            found.append(f"no snippets/*/{file}.py")
        if label != f"{file}.py":
            found.append(f"link text {label!r} is not {file}.py")
    rest = SCRIPT_LINK.sub("", TEST_LINK.sub("", line))
    if not FILLER.match(rest):
        found.append(f"not a link: {rest.strip()!r}")
    if not TEST_LINK.search(line) and not SCRIPT_LINK.search(line):
        found.append("an Evidence line with no link")
    return found


def bare_test_names(text):
    """Test names a reader meets in the prose: outside code blocks, includes and Evidence."""
    prose = EVIDENCE.sub("", INCLUDE.sub("", FENCE.sub("", text)))
    return BARE_TEST_NAME.findall(prose)


def cited_tests(text):
    return {
        (file, name) for line in evidence_lines(text) for _, file, name in TEST_LINK.findall(line)
    }


def test_the_rules_catch_a_missing_test_a_loose_word_and_a_name_in_a_sentence():
    name = "test_sparse_gradient_keeps_moving"
    good = f"[{name}](source/tests/test_faq.html#{name})"
    script = "script [faq_sparse.py](source/snippets/faq_sparse.html)"
    assert problems_in_evidence(f"{good} · {script}") == []
    assert problems_in_evidence(good.replace("keeps_moving", "keeps_still")) != []
    assert problems_in_evidence(script.replace("faq_sparse", "faq_nothing")) != []
    assert problems_in_evidence(f"{good} and more") != []
    assert bare_test_names("Checked (`test_sparse_gradient_keeps_moving`).") == [
        "test_sparse_gradient_keeps_moving"
    ]
    assert bare_test_names("Asserted by `tests/test_faq.py::test_a`.") == ["test_a"]
    assert bare_test_names(f"<small>Evidence: {good}</small> in `tests/test_faq.py`") == []


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.relative_to(DOCS).as_posix())
def test_every_evidence_link_names_a_test_or_script_that_exists(page):
    text = page.read_text(encoding="utf-8")
    found = [
        f"{p} (in: {line[:80]}…)"
        for line in evidence_lines(text)
        for p in problems_in_evidence(line)
    ]
    assert found == []


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.relative_to(DOCS).as_posix())
def test_no_test_name_in_the_running_prose(page):
    assert bare_test_names(page.read_text(encoding="utf-8")) == []


@pytest.mark.parametrize("page", ENGLISH, ids=lambda p: p.relative_to(DOCS).as_posix())
def test_english_and_chinese_cite_the_same_tests_in_as_many_evidence_lines(page):
    zh = page.with_name(page.stem + ".zh.md")
    en_text, zh_text = page.read_text(encoding="utf-8"), zh.read_text(encoding="utf-8")
    assert cited_tests(zh_text) == cited_tests(en_text)
    assert len(evidence_lines(zh_text)) == len(evidence_lines(en_text))


def test_a_sections_evidence_is_gathered_into_one_folded_line_with_each_link_once():
    fold = load_script("hooks/evidence.py").folded
    t1, t2 = '<a href="../source/tests/t.html#a">a</a>', '<a href="../source/tests/t.html#b">b</a>'
    script = '<a href="../source/snippets/s.html">s.py</a>'
    section = (
        '<h2 id="x">X</h2>\n<p>Claim one. <small>Evidence: '
        + t1
        + " · script "
        + script
        + "</small></p>\n<p><small>Evidence: "
        + t1
        + " · "
        + t2
        + "</small></p>\n"
        + '<details class="question"><p>Q <small>Evidence: '
        + t2
        + "</small></p></details>\n"
    )
    html = fold(section, "en")
    assert "<p>Claim one.</p>" in html and "<p></p>" not in html
    assert html.count("<small>Evidence") == 1  # the one inside the collapsed question stays
    folded = html.split('<details class="evidence">')[1]
    assert folded.startswith("<summary>Evidence: 2 tests, 1 script</summary>")
    assert folded.count(t1) == folded.count(t2) == folded.count(script) == 1
    assert (
        fold('<h2 id="y">Y</h2>\n<p>No evidence.</p>\n', "zh")
        == '<h2 id="y">Y</h2>\n<p>No evidence.</p>\n'
    )
    assert "证据：1 个测试，0 个脚本" in fold("<p><small>证据：" + t1 + "</small></p>", "zh")
