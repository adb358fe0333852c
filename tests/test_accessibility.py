"""Readable by everyone, checked on the built pages: what axe-core (tests/test_site_pages.py)
does not.

axe checks that images have alt text, but not that it says something; that headings do not skip a
level, but not that the article has exactly one title, first; that the page declares a valid
language, but not that it is the language the page is written in.
"""

import re
from html.parser import HTMLParser

import pytest
from conftest import ROOT

pytestmark = pytest.mark.site

SITE = ROOT / "build" / "site"
PAGES = sorted(SITE.rglob("index.html")) if (SITE / "index.html").exists() else []
# Alt text that names no content: the runner's fallback, or a file name.
EMPTY_ALT = re.compile(r"^(a figure|figure|image|img|plot|chart|graph|)$|\.(png|svg|jpe?g)$", re.I)


class Outline(HTMLParser):
    """The page's language, the images' alt texts and the headings inside the article."""

    def __init__(self):
        super().__init__()
        self.lang, self.alts, self.headings, self.depth = None, [], [], 0

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "html":
            self.lang = attrs.get("lang")
        elif tag == "img":
            self.alts.append((attrs.get("src", ""), (attrs.get("alt") or "").strip()))
        elif tag == "article":
            self.depth += 1
        elif self.depth and re.fullmatch(r"h[1-6]", tag):
            self.headings.append(int(tag[1]))

    def handle_endtag(self, tag):
        if tag == "article":
            self.depth -= 1


def outline(page):
    parser = Outline()
    parser.feed(page.read_text(encoding="utf-8"))
    return parser


def page_id(page):
    return page.parent.relative_to(SITE).as_posix().replace(".", "home")


def test_the_site_is_built():
    if not PAGES:
        pytest.fail("no built site in build/site: run `nox -s docs` first")


@pytest.mark.parametrize("page", PAGES, ids=page_id)
def test_every_image_has_alt_text_that_says_something(page):
    assert [src for src, alt in outline(page).alts if EMPTY_ALT.search(alt)] == []


@pytest.mark.parametrize("page", PAGES, ids=page_id)
def test_one_title_and_it_comes_first(page):
    levels = outline(page).headings
    assert levels[:1] == [1], f"the first heading is h{levels[0] if levels else '-'}, not h1"
    assert levels.count(1) == 1, "more than one h1"


@pytest.mark.parametrize("page", PAGES, ids=page_id)
def test_page_declares_its_language(page):
    language = "zh" if page.relative_to(SITE).parts[0] == "zh" else "en"
    assert outline(page).lang == language
