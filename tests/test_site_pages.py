"""Every built page, in both languages, in one visit of a real browser (tests/site_browser.py):

- it loads only from this site, every formula typeset, every image loaded, no raw TeX in sight;
- axe-core finds no violation, with all its default rules in the light palette and the rules that
  depend on colour in the dark one;
- at a phone's width (360 CSS pixels) no page is wider than the screen, and nothing in the article
  reaches past its edge unless it sits in a box of its own that scrolls sideways (display
  formulas, code); a formula that scrolls shows that it does, no formula crosses the border of
  its box (a "Notation" admonition, an answer), no table is wider than the article (a wide one
  reads as a list), and no punctuation after an inline formula starts a line;
- each explorable figure, driven from the keyboard through every slider position, changes the
  frame shown, its alt text and its readout together; only the frame on screen and its
  neighbours are fetched, in the theme shown; screenshots go to build/screenshots/;
- an example page offers its script and notebook for download.
"""

import html
import json
import re

import pytest
from site_browser import built, site_pages

pytestmark = pytest.mark.site

PAGES = site_pages()
# The axe rules whose outcome depends on colours: all that the other palette can change. (A full
# second run would double the time, on pages of up to 20,000 elements of code and formulas.)
COLOUR_RULES = ["color-contrast", "link-in-text-block"]
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
const wider = document.documentElement.scrollWidth > width
  ? [`the page is ${document.documentElement.scrollWidth} px wide`] : [];
return [...wider, ...out.map(o => o.text)];
"""
# On a phone: a display formula that scrolls shows the shadow that says so (readable.css); a
# formula in a box (a "Notation" admonition, an answer, a fold) stays inside the box's border (a
# display formula scrolls there, readable.css); no line starts with the punctuation after an
# inline formula (hooks/katex.py keeps them together): the text that follows a formula, through
# closing tags, in its paragraph.
PHONE_MATH = """
const out = [];
for (const box of document.querySelectorAll("article div.arithmatex")) {
  if (box.scrollWidth > box.clientWidth + 1
      && !getComputedStyle(box).backgroundImage.includes("gradient")) {
    out.push(`a formula scrolls with no sign of it: ${box.textContent.slice(0, 40)}`);
  }
}
for (const table of document.querySelectorAll("article table")) {  // a list on a phone
  if (table.scrollWidth > table.closest("article").clientWidth + 1) {
    out.push(`a table scrolls sideways: ${table.textContent.trim().slice(0, 40)}`);
  }
}
for (const box of document.querySelectorAll("article :is(.admonition, details)")) {
  const edge = box.getBoundingClientRect(), style = getComputedStyle(box);
  const left = edge.left + parseFloat(style.borderLeftWidth);
  const right = edge.right - parseFloat(style.borderRightWidth);
  const scrolled = el => {  // inside something in the box that scrolls, as a wide table
    for (let up = el.parentElement; up !== box; up = up.parentElement) {
      if (getComputedStyle(up).overflowX !== "visible") return true;
    }
    return false;
  };
  for (const formula of box.querySelectorAll("div.arithmatex, span.arithmatex")) {
    const r = formula.getBoundingClientRect();
    if (r.width && (r.left < left - 0.5 || r.right > right + 0.5) && !scrolled(formula)) {
      out.push(`a formula crosses its box's border: ${formula.textContent.slice(0, 40)}`);
    }
  }
}
const punctuation = /^[.,;:!?\\u3001\\u3002\\uff0c\\uff1b\\uff1a\\uff01\\uff1f\\uff09)]/;
const blocks = "p, li, dd, dt, td, th, h1, h2, h3, h4, h5, h6, summary, figcaption, div";
for (const formula of document.querySelectorAll("article span.arithmatex")) {
  const walker = document.createTreeWalker(formula.closest(blocks), NodeFilter.SHOW_TEXT);
  walker.currentNode = formula;
  let next = walker.nextNode();
  while (next && formula.contains(next)) next = walker.nextNode();
  if (!next || !punctuation.test(next.data) || !formula.checkVisibility()) continue;
  const range = document.createRange();
  range.setStart(next, 0);
  range.setEnd(next, 1);
  const mark = range.getBoundingClientRect();
  const rects = [...formula.getClientRects()].filter(r => r.width > 0);
  const last = rects[rects.length - 1];
  if (last && mark.top + mark.height / 2 > last.bottom) {
    out.push(`"${next.data[0]}" starts a line after ${formula.textContent.slice(0, 40)}`);
  }
}
return out;
"""
# A block (or a table's row) that a fresh load lays out lazily (readable.css) keeps its height under
# the containment that content-visibility: auto brings (a code block's margins would no longer
# collapse through it, and it would jump when laid out for good).
CONTAINED = """
const root = document.documentElement, had = root.classList.contains("lazy-layout");
root.classList.add("lazy-layout");
const blocks = ".md-content__inner > *, .md-content__inner table[data-stack] tr:nth-child(n + 4)";
const lazy = [...document.querySelectorAll(blocks)].filter(block => {
  const inline = block.style.contentVisibility;
  block.style.contentVisibility = "";
  const auto = getComputedStyle(block).contentVisibility === "auto";
  block.style.contentVisibility = inline;
  return auto;
});
root.classList.remove("lazy-layout");  // measured as laid out for good, without the rule
const heights = () => lazy.map(b => b.getBoundingClientRect().height);
const free = heights();
lazy.forEach(b => { b.style.contain = "layout style paint"; });
const contained = heights();
lazy.forEach(b => { b.style.contain = ""; });
root.classList.toggle("lazy-layout", had);
return lazy.filter((b, i) => Math.abs(free[i] - contained[i]) > 0.5).map((b, i) =>
  `${[b.tagName.toLowerCase(), ...b.classList].join(".")}: containment changes its height`);
"""
EXPLORABLE_STATE = """
const fig = document.querySelectorAll("figure.explorable")[arguments[0]];
const imgs = [...fig.querySelectorAll("img")];
return {
  values: [...fig.querySelectorAll("input[type=range]")].map(
    i => [i.dataset.param, JSON.parse(i.dataset.values)[Number(i.value)],
          i.getAttribute("aria-valuetext"), i.nextElementSibling.textContent]),
  srcs: imgs.map(i => i.dataset.frame ? new URL(i.dataset.frame, location.href).href : i.src),
  alts: imgs.map(i => i.alt),
  shown: imgs.filter(i => i.checkVisibility()).map(i => i.src),
  readout: fig.querySelector(".explorable-readout").textContent,
};
"""
# The frames an explorable can show, as the page lists them (read once per figure).
EXPLORABLE_FRAMES = """
const fig = document.querySelectorAll("figure.explorable")[arguments[0]];
return JSON.parse(fig.querySelector("script.explorable-frames").textContent).map(
  f => ({...f, light: new URL(f.light, location.href).href,
         dark: new URL(f.dark, location.href).href}));
"""
SHOWN_LOADED = """
return [...document.querySelectorAll("figure.explorable")[arguments[0]].querySelectorAll("img")]
  .filter(img => img.checkVisibility()).every(img => img.complete && img.naturalWidth > 0);
"""


def frame_problems(seen, frames):
    """What does not agree in what the reader sees of an explorable, among its frames:
    ([problems], the frame shown)."""
    chosen = {name: value for name, value, _, _ in seen["values"]}
    problems = [
        f"slider {name} at {value} says {valuetext!r} / {output!r}"
        for name, value, valuetext, output in seen["values"]
        if not valuetext == output == value
    ]
    matching = [f for f in frames if f["params"] == chosen]
    if len(matching) != 1:
        return [*problems, f"{len(matching)} frames for {chosen}"], None
    (frame,) = matching
    if sorted(seen["srcs"]) != sorted([frame["light"], frame["dark"]]):
        problems.append(f"{chosen}: shows {seen['srcs']}")
    if seen["alts"] != [frame["alt"]] * 2 or seen["readout"] != frame["readout"]:
        problems.append(f"{chosen}: alt or readout not the frame's")
    if len(seen["shown"]) != 1:
        problems.append(f"{chosen}: {len(seen['shown'])} variants on screen")
    return problems, frame


def explorable_fetches(browser, page):
    """On the page as a reader opens it (lazy images stay lazy), each explorable scrolled to and
    moved, first in the light theme, then in the dark one: only its frames in the theme shown are
    fetched, at most the frame on screen, the new one and their neighbours one step along each
    slider (scrolling also brings the page's ordinary lazy figures in: they are not counted)."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    problems = []
    browser.driver.get(browser.url(page))
    browser.wait_until("return document.readyState === 'complete'")
    for scheme, theme, other in (("default", "light", "dark"), ("slate", "dark", "light")):
        browser.set_scheme(scheme)
        browser.network()  # forget what came before
        figures = browser.driver.find_elements(By.CSS_SELECTOR, "figure.explorable")
        for index, figure in enumerate(figures):
            browser.run("arguments[0].scrollIntoView({block: 'center'})", figure)
            key = Keys.HOME if theme == "light" else Keys.END  # a frame not yet fetched
            figure.find_elements(By.CSS_SELECTOR, "input[type=range]")[0].send_keys(key)
            browser.wait_until(SHOWN_LOADED, index)
            stem = re.search(r"runs/([\w-]+)/", browser.run(EXPLORABLE_STATE, index)["srcs"][0])
            language = "zh-" if page.startswith("zh/") else ""
            browser.screenshot(f"explore-{stem.group(1)}-{language}{theme}")
        urls, bad = browser.network()
        runs = {
            img.get_attribute("src").rsplit("/", 1)[0] + "/"
            for img in browser.driver.find_elements(By.CSS_SELECTOR, "figure.explorable img")
        }
        explored = {u for u in urls if u.endswith(".svg") and u.rsplit("/", 1)[0] + "/" in runs}
        sliders = len(browser.driver.find_elements(By.CSS_SELECTOR, "figure.explorable input"))
        if bad:
            problems.append(f"{theme}: failed requests {bad}")
        if not explored or len(explored) > 2 * len(figures) + 2 * sliders:
            problems.append(f"{theme}: fetched {len(explored)} frames: {sorted(explored)}")
        problems += [f"{theme}: fetched {u}" for u in explored if u.endswith(f"-{other}.svg")]
    browser.set_scheme("default")
    return problems


def explorable_sliders(browser):
    """Every position of every slider, from the keyboard: the frame, its alt text and readout
    change together, a new frame each step; then the other theme shows the frame chosen."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    problems = []
    figures = browser.driver.find_elements(By.CSS_SELECTOR, "figure.explorable")
    for index, figure in enumerate(figures):
        frames = browser.run(EXPLORABLE_FRAMES, index)
        for s, slider in enumerate(figure.find_elements(By.CSS_SELECTOR, "input[type=range]")):
            slider.send_keys(Keys.HOME)
            positions = int(slider.get_attribute("max")) + 1
            seen = set()
            for step in range(positions):
                if step:
                    slider.send_keys(Keys.ARROW_RIGHT)
                found, frame = frame_problems(browser.run(EXPLORABLE_STATE, index), frames)
                problems += [f"figure {index}, slider {s}: {p}" for p in found]
                seen.add(frame and frame["light"])
            if len(seen) != positions:  # a new frame at every stop
                problems.append(
                    f"figure {index}, slider {s}: {len(seen)} frames, {positions} steps"
                )
        browser.set_scheme("slate")  # the other theme shows the frame chosen meanwhile
        state = browser.run(EXPLORABLE_STATE, index)
        found, frame = frame_problems(state, frames)
        if found or state["shown"] != [frame["dark"]]:
            problems.append(f"figure {index}, dark theme: {found or state['shown']}")
        browser.set_scheme("default")
    return problems


def downloads(browser, page):
    """The page's download links, fetched: [[name, status]]."""
    return browser.driver.execute_async_script(
        """
        const done = arguments[arguments.length - 1];
        const links = [...document.querySelectorAll("a[download]")];
        Promise.all(links.map(a => fetch(a.href).then(r => [a.textContent, r.status])))
          .then(done);
        """
    )


def visit(browser, page):
    """Everything the browser checks on one page: {check: what it found wrong}."""
    browser.as_phone(False)  # whatever an earlier check left: a desktop, the palette unchosen
    browser.run("try { localStorage.clear(); } catch (e) {}")  # about:blank has no storage
    explorable = 'class="explorable"' in built(page)
    found = {"explorable fetches": explorable_fetches(browser, page) if explorable else []}
    browser.open(page)  # every image loaded now
    found.update(browser.problems())
    found["explorable sliders"] = explorable_sliders(browser) if explorable else []
    if "/examples/" in f"/{page}":
        stem = page.rstrip("/").rsplit("/", 1)[-1]
        expected = [[f"{stem}.ipynb", 200], [f"{stem}.py", 200]]
        got = sorted(downloads(browser, page))
        found["downloads"] = [] if got == expected else [f"{got}, not {expected}"]
    found["axe, light palette"] = browser.axe()
    browser.set_scheme("slate")
    found["axe, dark palette"] = browser.axe(COLOUR_RULES)
    browser.set_scheme("default")
    browser.as_phone()  # and loaded as a phone loads it: the theme lays code out at load
    try:
        browser.open(page)
        found["cut off on a phone"] = browser.run(OVERFLOWING)
        found["formulas on a phone"] = browser.run(PHONE_MATH)
        found["wide figures on a phone"] = browser.run(WIDE_FIGURES)
        found["lazy layout on a phone"] = browser.run(CONTAINED)
    finally:
        browser.as_phone(False)
    found.update(browser.request_problems())
    return found


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p or "home")
def test_every_page_passes_every_browser_check(browser, page):
    found = visit(browser, page)
    assert {check: what for check, what in found.items() if what} == {}


# A figure with a layout for phones (docrun.narrow) shows it on a phone: its wide layout's text
# would be under 9 CSS px there. Images not loaded yet (lazy, far below) have no currentSrc.
WIDE_FIGURES = """
return [...document.querySelectorAll("article picture > img")]
  .filter((img) => img.currentSrc && !img.currentSrc.includes("-narrow-"))
  .map((img) => img.currentSrc.split("/").pop());
"""


def test_a_phone_gets_the_narrow_figure_and_a_desktop_the_wide_one(browser):
    """Also in an explorable: a step of its slider shows the next frame's narrow layout."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    shown = "return document.querySelector('article picture > img').currentSrc"
    browser.open("update_rule/")
    browser.wait_until(f"{shown}.endsWith('update_rule_overshoot-1-light.svg#only-light')")
    browser.as_phone()
    try:
        browser.open("update_rule/")
        browser.run("document.querySelector('article picture').scrollIntoView()")
        browser.wait_until(f"{shown}.endsWith('update_rule_overshoot-1-narrow-light.svg')")
        assert browser.run(WIDE_FIGURES) == []
        browser.open("terminal_velocity/")
        figure = browser.driver.find_element(By.CSS_SELECTOR, "figure.explorable")
        browser.run("arguments[0].scrollIntoView()", figure)
        frames = browser.run(EXPLORABLE_FRAMES, 0)
        slider = figure.find_element(By.CSS_SELECTOR, "input[type=range]")
        slider.send_keys(Keys.HOME)  # one parameter: its first value picks the frame
        value = json.loads(slider.get_attribute("data-values"))[0]
        first = next(f for f in frames if f["params"][slider.get_attribute("data-param")] == value)
        browser.wait_until(
            "return arguments[0].querySelector('picture > img').currentSrc"
            f".endsWith({first['narrow-light'].rsplit('/', 1)[1]!r})",
            figure,
        )
    finally:
        browser.as_phone(False)


# On a fresh load at the top of a page, the article is laid out at first only near the screen
# (readable.css), then, while the browser is idle, block by block (overrides/main.html); a reload
# or an address with #section is laid out whole from the start. Read once the page says it is done:
# which blocks the idle layout reached, and the wide formulas' focus.
LAYOUT = """
const article = document.querySelector(".md-content__inner");
const blocks = [...article.querySelectorAll(
  ":scope > :not(h1, h2, h3, h4, h5, h6), table[data-stack] tr:nth-child(n + 4)")];
return {
  lazy: document.documentElement.classList.contains("lazy-layout"),
  styles: [...new Set(blocks.map(b => b.style.contentVisibility))],
  wide: [...article.querySelectorAll("div.arithmatex")]
    .filter(f => f.scrollWidth > f.clientWidth).map(f => f.tabIndex),
  last: [...article.querySelectorAll("h2[id]")].pop().id,
};
"""
# The lazy layout's rule: a block starts as content-visibility: auto, but not one whose height
# that would change (a code block's, an output's; the browser check below holds every page to it).
FIRST_STYLE = """
const article = document.querySelector(".md-content__inner");
const root = document.documentElement, had = root.classList.contains("lazy-layout");
root.classList.add("lazy-layout");
const style = html => {
  article.insertAdjacentHTML("beforeend", html);
  const value = getComputedStyle(article.lastElementChild).contentVisibility;
  article.lastElementChild.remove();
  return value;
};
const found = [style("<p>text</p>"), style('<div class="highlight"><pre>x</pre></div>')];
// the rows after the third of a table that is a list on a phone
const row = "<tr><td>x</td></tr>";
article.insertAdjacentHTML("beforeend", `<table data-stack><tbody>${row.repeat(4)}`);
const rows = [...article.lastElementChild.querySelectorAll("tr")];
found.push(rows.map(row => getComputedStyle(row).contentVisibility).join(" "));
article.lastElementChild.remove();
root.classList.toggle("lazy-layout", had);
return found;
"""


@pytest.mark.parametrize("page", ["optimizers/schedule_free/", "glossary/"])
def test_a_fresh_load_is_laid_out_near_the_screen_first_a_reload_or_a_section_whole(browser, page):
    """On a phone: opened at the top, every block (and every row of a table that is a list) ends
    up laid out, and each formula that scrolls sideways takes keyboard focus; reloaded, or opened
    at a section, nothing is left to lay out and the section's heading is at the top of the screen.
    The page of most elements, and the page of long tables."""
    browser.as_phone()
    try:
        browser.driver.get("about:blank")
        browser.open(page)
        fresh = browser.run(LAYOUT)
        first = browser.run(FIRST_STYLE)
        browser.driver.refresh()
        browser.wait_until("return 'laidOut' in document.documentElement.dataset")
        reloaded = browser.run(LAYOUT)
        browser.driver.get("about:blank")  # a new load, not a step within the page
        browser.open(f"{page}#{fresh['last']}")
        section = browser.run(LAYOUT)
        heading = browser.run(
            "return document.getElementById(arguments[0]).getBoundingClientRect().top",
            fresh["last"],
        )
    finally:
        browser.as_phone(False)
    assert first == ["auto", "visible", "visible visible visible auto"]
    # every block laid out for good; the class stays (taking it away would restyle the page)
    assert fresh["lazy"] is True and fresh["styles"] == ["visible"], fresh
    assert fresh["wide"] and set(fresh["wide"]) == {0}, fresh["wide"]  # a phone has wide formulas
    assert reloaded["styles"] == [""] and section["styles"] == [""], (reloaded, section)
    assert reloaded["lazy"] is False and section["lazy"] is False, (reloaded, section)
    assert set(section["wide"]) == {0}, section["wide"]
    assert 0 <= heading <= 100, heading  # below the theme's header, 48 px at 360 px


def test_the_site_is_built():
    assert "zh/" in PAGES and len(PAGES) >= 4, "no build/site: run `nox -s docs` first"
    assert any('class="explorable"' in built(p) for p in PAGES), "no explorable figure"


def test_the_checks_see_a_violation_and_an_overflow(browser):
    """The checks can fail: low-contrast text is an axe violation, and a too-wide box
    overflows unless it sits in a box that scrolls."""
    browser.open("")
    browser.run(
        """
        const article = document.querySelector("article");
        article.insertAdjacentHTML("beforeend",
          '<p id="faint" style="color: #bbb; background: #fff">faint text</p>'
          + '<div id="wide" style="width: 600px">a wide box</div>'
          + '<div style="overflow-x: auto"><div id="scrolled" style="width: 600px">x</div></div>');
        """
    )
    assert "color-contrast" in browser.axe(["color-contrast"])
    browser.as_phone()
    try:
        overflowing = browser.run(OVERFLOWING)
    finally:
        browser.as_phone(False)
    assert [o.split(" [")[0] for o in overflowing] == [  # #wide only
        "the page is 616 px wide",
        "div.",
    ], overflowing


def test_the_phone_checks_see_a_formula_past_its_box_and_punctuation_starting_a_line(browser):
    """The formula checks can fail: a formula wider than its box's border, and punctuation that a
    line break puts at the start of the next line after a formula."""
    page = next(p for p in PAGES if '<span class="arithmatex">' in built(p))
    browser.as_phone()
    try:
        browser.open(page)
        browser.run(
            """
            const formula = document.querySelector("article span.arithmatex");
            document.querySelector("article").insertAdjacentHTML("beforeend",
              '<div class="admonition note"><p class="admonition-title">Notation</p>'
              + '<div class="arithmatex" id="past" style="margin: 0 -3rem"></div></div>'
              + '<p id="broken"></p>');
            document.getElementById("past").append(formula.cloneNode(true));
            document.getElementById("broken").append(
              formula.cloneNode(true), document.createElement("br"), "\uff0c then text");
            """
        )
        found = browser.run(PHONE_MATH)
    finally:
        browser.as_phone(False)
    assert len(found) == 2, found
    assert found[0].startswith("a formula crosses its box's border: "), found
    assert found[1].startswith('"\uff0c" starts a line after '), found


def test_the_lazy_layout_check_sees_a_block_whose_height_containment_changes(browser):
    """A wrapper whose paragraph's margins collapse through it is taller under containment."""
    browser.open("")
    browser.run(
        """document.querySelector(".md-content__inner").insertAdjacentHTML("beforeend",
             '<div class="wrapper"><p>a paragraph</p></div>');"""
    )
    assert browser.run(CONTAINED) == ["div.wrapper: containment changes its height"]


def test_without_javascript_the_middle_frame_is_in_the_html():
    pages = [p for p in PAGES if 'class="explorable"' in built(p)]
    assert pages, "no page shows an explorable figure"
    for page in pages:
        for figure in re.findall(r'<figure class="explorable">.*?</figure>', built(page), re.S):
            frames = re.search(r'class="explorable-frames">(.*?)</script>', figure, re.S)
            frames = json.loads(frames.group(1))
            sliders = re.findall(r'data-param="(\w+)" data-values=\'([^\']+)\'', figure)
            middle = {}
            for name, values in sliders:
                values = json.loads(html.unescape(values))
                middle[name] = values[len(values) // 2]
            (frame,) = [f for f in frames if f["params"] == middle]
            (light,) = re.findall(r'<img src="([^"]+#only-light)"', figure)
            assert frame["light"] == light
