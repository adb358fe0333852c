"""Moving around the built site in a real browser (tests/site_browser.py): a link loads the next
page typeset and laid out near the screen first, the language switcher leads to the same page in
the other language, and screenshots of a few pages in both palettes go to build/screenshots/
(for review)."""

import pytest
from conftest import ROOT, moved_sections
from site_browser import SITE, built, pages_in_nav_order

pytestmark = pytest.mark.site


@pytest.fixture(scope="module")
def targets():
    """Pages for the navigation checks: a Markdown page with formulas, and a notebook page."""
    assert (SITE / "index.html").exists(), "no build/site: run `nox -s docs` first"
    pages = pages_in_nav_order("en")
    markdown = [p for p in pages if not p.startswith("examples/") and "arithmatex" in built(p)]
    notebooks = [p for p in pages if p.startswith("examples/")]
    assert markdown, "no page in the nav has a formula: nothing to check"
    assert notebooks, "no notebook page in the nav"
    with_figure = [p for p in markdown if "run-figure" in built(p)]
    return {"markdown": markdown[0], "notebook": notebooks[0], "shot": (with_figure or markdown)[0]}


CLEAN = {"raw TeX": [], "KaTeX errors": [], "broken images": []}


@pytest.mark.parametrize("kind", ["markdown", "notebook"])
def test_a_link_loads_the_next_page_typeset_laid_out_near_the_screen_first(browser, targets, kind):
    """A link is a full page load (the theme's instant navigation is off: it restyled the whole
    page on every load, and laid a page it brought out whole at once)."""
    target = targets[kind]
    browser.open(target)
    formulas = browser.run("return document.querySelectorAll('article .katex').length")
    browser.open("")
    browser.run("window.__samePage = true")
    browser.click_link_to(target)
    browser.wait_until(f"return location.href === {browser.url(target)!r}")
    browser.wait_until("return 'laidOut' in document.documentElement.dataset")
    assert browser.run("return window.__samePage === undefined"), "instant navigation, not a load"
    assert browser.run("return document.documentElement.classList.contains('lazy-layout')")
    browser.settle()
    assert browser.run("return document.querySelectorAll('article .katex').length") == formulas
    assert browser.problems() == CLEAN
    browser.assert_only_local_requests()


@pytest.mark.parametrize("kind", ["markdown", "notebook"])
def test_language_switcher_leads_to_the_same_page_in_the_other_language(browser, targets, kind):
    target = targets[kind]
    browser.open("")
    browser.click_link_to(target)  # the switcher on a page reached by a link
    browser.wait_until(f"return location.href === {browser.url(target)!r}")
    browser.wait_until("return 'laidOut' in document.documentElement.dataset")
    hreflang = browser.run(
        """return [...document.querySelectorAll("link[rel=alternate][hreflang]")]
             .map(link => link.getAttribute("href"))"""
    )  # full addresses, which search engines (and Lighthouse's SEO audit) want
    assert hreflang == [browser.url(""), browser.url("zh/")], hreflang
    for language, path in [("zh", "zh/" + target), ("en", target)]:
        link = f".md-select__link[hreflang={language}]"
        assert browser.run(f"return document.querySelector('{link}').href") == browser.url(path)
        browser.run(f"document.querySelector('{link}').click()")
        browser.wait_until(f"return location.href === {browser.url(path)!r}")
        browser.wait_until("return document.readyState === 'complete'")
        assert browser.run("return document.documentElement.lang") == language
        browser.settle()
        assert browser.problems() == CLEAN
    browser.assert_only_local_requests()


def test_screenshots_in_light_and_dark_mode(browser, targets):
    """For review: the home page, a page with formulas and a figure (in English and Chinese) and
    a notebook page, each in the light and the dark palette."""
    pages = {
        "home": "",
        "content": targets["shot"],
        "content-zh": "zh/" + targets["shot"],
        "notebook": targets["notebook"],
    }
    shots = []
    for name, page in pages.items():
        browser.open(page)
        for scheme, mode in [("default", "light"), ("slate", "dark")]:
            browser.set_scheme(scheme)
            browser.run(
                """
                document.activeElement.blur();
                const figure = document.querySelector("article .run-figure, article figure");
                if (figure && arguments[0]) figure.scrollIntoView({block: "center"});
                """,
                name != "home",
            )
            shots.append(browser.screenshot(f"{name}-{mode}"))
        browser.set_scheme("default")
    assert all(p.stat().st_size > 10_000 for p in shots)
    browser.assert_only_local_requests()


# An address published before a topic became a folder (faq/#noise, nesterov/#noisy-gradients)
# must still land on its section (conftest.moved_sections).


@pytest.mark.parametrize("language", ["en", "zh"])
def test_an_old_address_lands_on_the_section_that_moved(browser, language):
    """In a real browser, one moved section per folder: the index's link to every moved
    section, which the script follows, is checked for all of them in tests/test_pages.py."""
    root = "" if language == "en" else "zh/"
    seen = set()
    for folder, page, anchor, _ in moved_sections():
        if folder in seen:
            continue
        seen.add(folder)
        browser.driver.get(browser.url(f"{root}{folder}/#{anchor}"))
        new = browser.url(f"{root}{folder}/{page}/#{anchor}")
        browser.wait_until(f"return location.href === {new!r}")
        browser.wait_until(f"return document.getElementById({anchor!r}) !== null")
    for exercises in sorted(ROOT.glob("docs/*/exercises.md")):  # a topic's last page
        folder = exercises.parent.name
        browser.driver.get(browser.url(f"{root}{folder}/#exercise-2"))
        new = browser.url(f"{root}{folder}/exercises/#exercise-2")
        browser.wait_until(f"return location.href === {new!r}")
