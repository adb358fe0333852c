"""hooks/katex.py: formulas typeset at build time; punctuation after an inline formula is kept on
the formula's line (span.with-punctuation), while a long formula may still break between its
boxes (span.may-wrap around all but the last; readable.css). The browser check that no line
starts with such punctuation is in tests/test_site_pages.py."""

import importlib.util
from html.parser import HTMLParser
from types import SimpleNamespace

import pytest
from conftest import ROOT

spec = importlib.util.spec_from_file_location("katex_hook", ROOT / "hooks" / "katex.py")
katex = importlib.util.module_from_spec(spec)
spec.loader.exec_module(katex)

PAGE = SimpleNamespace(file=SimpleNamespace(src_uri="test.md"))


class Children(HTMLParser):
    """The classes of the children of the first element of class CLS in an HTML fragment, each as
    (class, [its children, the same way])."""

    def __init__(self, html, cls):
        super().__init__()
        self.root, self.stack = ("", []), []
        self.feed(html)
        self.found = self.find(self.root, cls)

    def handle_starttag(self, tag, attrs):
        node = (dict(attrs).get("class") or tag, [])
        (self.stack[-1] if self.stack else self.root)[1].append(node)
        self.stack.append(node)

    def handle_endtag(self, tag):
        self.stack.pop()

    def find(self, node, cls):
        if node[0] == cls:
            return node[1]
        return next((f for n in node[1] if (f := self.find(n, cls)) is not None), None)


@pytest.fixture(scope="module", autouse=True)
def v8():
    yield
    katex.Katex.close()


def typeset(markdown_html):
    return katex.typeset_formulas(markdown_html, PAGE)


def inline(tex):
    return f'<span class="arithmatex">\\({tex}\\)</span>'


def test_a_long_formula_and_its_punctuation_stay_together_but_the_formula_may_break():
    tex = r"v_{k+1} = \gamma v_k + \eta\, g_k"  # longer than the 30 characters once kept whole
    out = typeset(f"<p>写作 {inline(tex)}，然后</p>")
    assert out.startswith('<p>写作 <span class="with-punctuation"><span class="arithmatex">')
    assert out.endswith("</span>，</span>然后</p>")
    # the boxes before the last may wrap (span.may-wrap); the last one follows, outside it
    boxes = Children(out, "katex-html").found
    assert [cls for cls, _ in boxes] == ["may-wrap", "katex-base"]
    assert [cls for cls, _ in boxes[0][1]] == ["katex-base", "katex-base"]


def test_a_formula_of_one_box_is_kept_whole_with_its_punctuation():
    out = typeset("<p>" + inline(r"\eta") + ".</p>")
    assert out.startswith('<p><span class="with-punctuation"><span class="arithmatex">')
    assert out.endswith("</span>.</span></p>") and "may-wrap" not in out


@pytest.mark.parametrize("after", ["，", "。", "、", "；", "：", "）", ",", ".", ";", ":", ")"])
def test_every_closing_punctuation_is_kept(after):
    assert typeset(f"<p>{inline('x + y')}{after} z</p>").count('class="with-punctuation"') == 1


def test_no_punctuation_no_display_formula_no_wrapping():
    out = typeset(
        f"<p>{inline('a = b')} and {inline('c')}（d）</p>"
        '<div class="arithmatex">\\[a = b + c\\]</div>.'
    )
    assert "with-punctuation" not in out and "may-wrap" not in out
    assert '<div class="arithmatex"><span class="katex-display">' in out


def test_last_box_kept_leaves_html_without_katex_boxes_alone():
    assert katex.last_box_kept("<span>no formula</span>") == "<span>no formula</span>"
    empty = '<span class="katex"><span class="katex-html" aria-hidden="true"></span></span>'
    assert katex.last_box_kept(empty) == empty
