"""Every built page, in both languages, passes axe-core in both palettes and fits a phone.

axe-core is the npm package pinned in package.json (`npm ci` installs it into node_modules); it
runs inside the page in the same headless Chromium as tests/test_browser.py, with its default
rules (WCAG 2.x A and AA, and best practices). At a phone's width (360 CSS pixels, as a phone
reports it) no page is wider than the screen, and nothing in the article reaches past its edge
unless it sits in a box of its own that scrolls sideways (display formulas, tables, code).
"""

import time

import pytest
import test_browser
from conftest import ROOT
from test_browser import PAGES, need

# The served site and the browser of tests/test_browser.py (this module gets its own of each).
site, browser = test_browser.site, test_browser.browser

pytestmark = pytest.mark.site

AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
PHONE = {"width": 360, "height": 740, "deviceScaleFactor": 2, "mobile": True}


@pytest.fixture(scope="module")
def axe_source():
    need(AXE.is_file(), "axe-core is missing from node_modules: run `npm ci` (see package.json)")
    return AXE.read_text(encoding="utf-8")


def settle_palette(browser):
    """Wait until the palette's colour transitions have finished: axe reads computed colours."""
    browser.wait_until(
        "return document.getAnimations().every(a => a.playState !== 'running')", timeout=5
    )


def axe_violations(browser, axe_source, rules=None):
    """axe's violations on the current page: {rule: (impact, number of nodes, first targets)}.
    All of axe's default rules, or only those named."""
    if not browser.run("return typeof window.axe === 'object'"):
        browser.run(axe_source)
    options = {"resultTypes": ["violations"]} | ({"runOnly": rules} if rules else {})
    result = browser.driver.execute_async_script(
        """
        const done = arguments[arguments.length - 1];
        axe.run(document, arguments[0])
          .then(r => done(r.violations.map(v => [
            v.id, v.impact, v.nodes.length, v.nodes.slice(0, 3).map(n => n.target.join(" "))])))
          .catch(e => done(String(e)));
        """,
        options,
    )
    assert isinstance(result, list), f"axe failed: {result}"
    return {rule: (impact, n, targets) for rule, impact, n, targets in result}


# The rules whose outcome depends on colours: all that the other palette can change. (A full
# second run would double the time, on pages of up to 20,000 elements of code and formulas.)
COLOUR_RULES = ["color-contrast", "link-in-text-block"]


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p or "home")
def test_axe_finds_no_violation_in_the_light_and_the_dark_palette(browser, axe_source, page):
    browser.driver.set_script_timeout(60)
    browser.open(page)
    found = {}
    for n, scheme in enumerate(sorted(("default", "slate"), key=lambda s: s != browser.scheme())):
        browser.set_scheme(scheme)
        settle_palette(browser)
        found[scheme] = axe_violations(browser, axe_source, None if n == 0 else COLOUR_RULES)
    assert found == {"default": {}, "slate": {}}


# Elements of the article that reach past the viewport's edges and are not inside a box that
# scrolls sideways and itself fits: what a reader on a phone would find cut off or overflowing.
# (KaTeX clips parts of its own drawing on purpose: the MathML copy for screen readers, the tails
# of stretchy SVG glyphs.)
OVERFLOWING = """
const width = document.documentElement.clientWidth;
const fits = r => r.left >= -0.5 && r.right <= width + 0.5;
const holds = box => {
  const overflow = getComputedStyle(box).overflowX;
  return ["auto", "scroll"].includes(overflow)
    || (["hidden", "clip"].includes(overflow) && box.closest(".katex"));
};
const out = [];
for (const el of document.querySelectorAll("article *")) {
  const r = el.getBoundingClientRect();
  if (r.width === 0 || r.height === 0 || fits(r)) continue;
  let box = el.parentElement;
  while (box && box !== document.body && !(holds(box) && fits(box.getBoundingClientRect()))) {
    box = box.parentElement;
  }
  if (box && box !== document.body) continue;
  if (out.some(o => o.el.contains(el))) continue;  // report the outermost only
  out.push({el, text: `${el.tagName.toLowerCase()}.${[...el.classList].join(".")}`
    + ` [${Math.round(r.left)}, ${Math.round(r.right)}]`});
}
return {
  documentWidth: document.documentElement.scrollWidth,
  viewport: width,
  overflowing: out.map(o => o.text),
};
"""


@pytest.fixture
def phone(browser):
    """The browser as a 360-pixel-wide phone, for one test; the desktop window afterwards."""
    browser.driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", PHONE)
    try:
        yield browser
    finally:
        browser.driver.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})


def test_no_page_is_wider_than_a_phone_and_nothing_is_cut_off(phone):
    problems = {}
    for page in PAGES:
        phone.open(page)
        time.sleep(0.1)  # layout after the fonts and formulas
        found = phone.run(OVERFLOWING)
        if found["documentWidth"] > found["viewport"] or found["overflowing"]:
            problems[page or "home"] = found
    assert problems == {}


def test_the_checks_see_a_violation_and_an_overflow(phone, axe_source):
    """The two checks above can fail: low-contrast text is an axe violation, and a too-wide box
    overflows unless it sits in a box that scrolls."""
    phone.open("")
    phone.run(
        """
        const article = document.querySelector("article");
        article.insertAdjacentHTML("beforeend",
          '<p id="faint" style="color: #bbb; background: #fff">faint text</p>'
          + '<div id="wide" style="width: 600px">a wide box</div>'
          + '<div style="overflow-x: auto"><div id="scrolled" style="width: 600px">x</div></div>');
        """
    )
    assert "color-contrast" in axe_violations(phone, axe_source, ["color-contrast"])
    overflowing = phone.run(OVERFLOWING)["overflowing"]
    assert [o.split(" [")[0] for o in overflowing] == ["div."], overflowing  # #wide, not #scrolled
