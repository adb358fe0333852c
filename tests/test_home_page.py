"""The home page's first screen, in a real browser: its picture, in both languages and both themes.

The first image of the page is the valley picture drawn by snippets/home/home_valley.py, in the
variant of the theme shown (light or dark), loaded, and whole on the first screen (1280 x 900) with
the intuition under it; its slider shows another momentum coefficient's frame. Screenshots of each
go to build/screenshots/home-page-LANG-THEME.png.

Needs build/site and Chromium with its driver (see tests/site_browser.py).
"""

import pytest
from conftest import recorded
from site_browser import Browser

pytestmark = pytest.mark.site

FIRST_PICTURE = """
const article = document.querySelector("article");
const visible = [...article.querySelectorAll("img")].filter(img => img.checkVisibility());
const img = visible[0];
if (!img) return null;
const box = img.getBoundingClientRect();
const next = img.closest("figure").nextElementSibling;
return {
  src: img.getAttribute("src"),
  loaded: img.complete && img.naturalWidth > 0,
  top: box.top, bottom: box.bottom, height: box.height,
  screen: window.innerHeight,
  variants: article.querySelectorAll("figure")[0].querySelectorAll("img").length,
  firstFigureHoldsIt: article.querySelector("figure") === img.closest("figure"),
  intuition: next && next.tagName === "P" ? next.textContent.trim().length : 0,
};
"""


@pytest.mark.parametrize("language", ["en", "zh"])
@pytest.mark.parametrize(("scheme", "theme"), [("default", "light"), ("slate", "dark")])
def test_home_page_opens_on_the_valley_picture(browser: Browser, language, scheme, theme):
    browser.open("" if language == "en" else "zh/")
    browser.set_scheme(scheme)
    browser.run("window.scrollTo(0, 0); document.activeElement.blur();")
    shown = browser.run(FIRST_PICTURE)
    assert shown is not None, "no visible image on the home page"
    assert "home_valley" in shown["src"] and shown["src"].endswith(f"#only-{theme}")
    assert shown["loaded"] and shown["firstFigureHoldsIt"] and shown["variants"] == 2
    assert shown["top"] >= 0 and shown["bottom"] <= shown["screen"] and shown["height"] > 200
    assert shown["intuition"] > 100  # the paragraph that explains the picture follows it
    path = browser.screenshot(f"home-page-{language}-{theme}")
    assert path.stat().st_size > 10_000
    browser.set_scheme("default")


@pytest.mark.parametrize("language", ["en", "zh"])
def test_the_slider_redraws_the_picture_for_another_momentum(browser: Browser, language):
    browser.open("" if language == "en" else "zh/")
    first = browser.run(FIRST_PICTURE)
    readout = "return document.querySelector('article .explorable-readout').textContent"
    before = browser.run(readout)
    rates = dict(
        zip(*(recorded("home_valley").results[k] for k in ("momenta", "rates")), strict=True)
    )
    assert f"{rates[0.65]:.3f}" in before and "0.65" in before  # the middle frame, the fastest
    browser.run(
        """
        const slider = document.querySelector("article figure input[type=range]");
        slider.value = slider.max;
        slider.dispatchEvent(new Event("input", {bubbles: true}));
        """
    )
    after = browser.run(FIRST_PICTURE)
    assert after["src"] != first["src"] and "home_valley" in after["src"]
    assert "0.95" in browser.run(readout) and f"{rates[0.95]:.3f}" in browser.run(readout)
