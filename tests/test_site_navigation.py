"""Moving around the built site in a real browser (tests/site_browser.py): instant navigation
shows the next page typeset, the language switcher leads to the same page in the other language,
and screenshots of a few pages in both palettes go to build/screenshots/ (for review)."""

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
def test_instant_navigation_shows_the_next_page_typeset(browser, targets, kind):
    target = targets[kind]
    browser.open(target)
    formulas = browser.run("return document.querySelectorAll('article .katex').length")
    browser.open("")
    browser.run(
        """
        window.__sameDocument = true;
        window.__documents = 0;
        document$.subscribe(() => { window.__documents += 1; });
        """
    )  # document$ replays the current page to a new subscriber: 1 now, 2 after navigating
    browser.click_link_to(target)
    browser.wait_until("return window.__documents >= 2")
    assert browser.driver.current_url == browser.url(target)
    assert browser.run("return window.__sameDocument === true"), "a full reload, not instant"
    browser.settle()
    assert browser.run("return document.querySelectorAll('article .katex').length") == formulas
    assert browser.problems() == CLEAN
    browser.assert_only_local_requests()


@pytest.mark.parametrize("kind", ["markdown", "notebook"])
def test_language_switcher_leads_to_the_same_page_in_the_other_language(browser, targets, kind):
    target = targets[kind]
    browser.open("")
    browser.click_link_to(target)  # instant navigation: the header, with the switcher, stays
    browser.wait_until(f"return location.href === {browser.url(target)!r}")
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
