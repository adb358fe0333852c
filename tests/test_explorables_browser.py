# ruff: noqa: F811  (the browser fixture is imported from test_browser and used by name)
"""Explorable figures in a real browser, in both languages and themes: each slider, driven from
the keyboard through every position, changes the frame shown, its alt text and the readout
together; only the frame on screen (and its neighbours, in the theme on screen) is fetched; no
request leaves the site. Screenshots of each explorable go to build/screenshots/."""

import html
import json
import re
import time

import pytest
from test_browser import PAGES, browser, built, site  # noqa: F401  (fixtures used by name)

pytestmark = pytest.mark.site

EXPLORABLE_PAGES = [p for p in PAGES if 'class="explorable"' in built(p)]


def state(browser, index):
    """What the reader sees of the index-th explorable on the page."""
    return browser.run(
        """
        const fig = document.querySelectorAll("figure.explorable")[arguments[0]];
        const imgs = [...fig.querySelectorAll("img")];
        return {
          values: [...fig.querySelectorAll("input[type=range]")].map(
            i => [i.dataset.param, JSON.parse(i.dataset.values)[Number(i.value)],
                  i.getAttribute("aria-valuetext"), i.nextElementSibling.textContent]),
          srcs: imgs.map(
            i => i.dataset.frame ? new URL(i.dataset.frame, location.href).href : i.src),
          alts: imgs.map(i => i.alt),
          shown: imgs.filter(i => i.checkVisibility()).map(i => i.src),
          readout: fig.querySelector(".explorable-readout").textContent,
          frames: JSON.parse(fig.querySelector("script.explorable-frames").textContent).map(
            f => ({...f, light: new URL(f.light, location.href).href,
                   dark: new URL(f.dark, location.href).href})),
        };
        """,
        index,
    )


def check_consistent(seen):
    chosen = {name: value for name, value, _, _ in seen["values"]}
    for name, value, valuetext, output in seen["values"]:
        assert valuetext == value and output == value, (name, value, valuetext, output)
    (frame,) = [f for f in seen["frames"] if f["params"] == chosen]
    assert sorted(seen["srcs"]) == sorted([frame["light"], frame["dark"]])
    assert seen["alts"] == [frame["alt"], frame["alt"]] and seen["readout"] == frame["readout"]
    assert len(seen["shown"]) == 1  # one theme's variant on screen
    return frame


@pytest.mark.parametrize("page", EXPLORABLE_PAGES, ids=lambda p: p)
def test_every_slider_position_shows_its_frame_alt_and_readout(browser, page):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    browser.open(page)
    figures = browser.driver.find_elements(By.CSS_SELECTOR, "figure.explorable")
    for index, figure in enumerate(figures):
        first = state(browser, index)
        check_consistent(first)
        for s, slider in enumerate(figure.find_elements(By.CSS_SELECTOR, "input[type=range]")):
            slider.send_keys(Keys.HOME)
            positions = int(slider.get_attribute("max")) + 1
            frames = {check_consistent(state(browser, index))["light"]}
            for _ in range(positions - 1):
                slider.send_keys(Keys.ARROW_RIGHT)
                seen = state(browser, index)
                frames.add(check_consistent(seen)["light"])
            assert len(frames) == positions, f"slider {s}: {len(frames)} frames for {positions}"
        scheme = browser.scheme()  # the other theme shows the frame chosen meanwhile
        browser.set_scheme("slate" if scheme == "default" else "default")
        seen = state(browser, index)
        assert seen["shown"] == [check_consistent(seen)["dark" if scheme == "default" else "light"]]
        browser.set_scheme(scheme)
    browser.assert_only_local_requests()


def stem_of(page, index):
    srcs = re.findall(
        r'<figure class="explorable">.*?<img src="[^"]*?runs/([\w-]+)/', built(page), re.S
    )
    return srcs[index]


@pytest.mark.parametrize("page", EXPLORABLE_PAGES, ids=lambda p: p)
def test_only_the_frame_on_screen_and_its_neighbours_are_fetched_in_the_theme_shown(browser, page):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    for scheme, other in (("default", "dark"), ("slate", "light")):
        browser.driver.get(browser.url(page))  # as a reader opens it: lazy images stay lazy
        browser.wait_until("return document.readyState === 'complete'")
        browser.set_scheme(scheme)
        browser.network()  # forget what the page load fetched
        figures = browser.driver.find_elements(By.CSS_SELECTOR, "figure.explorable")
        for index, figure in enumerate(figures):
            browser.run("arguments[0].scrollIntoView({block: 'center'})", figure)
            figure.find_elements(By.CSS_SELECTOR, "input[type=range]")[0].send_keys(Keys.HOME)
            time.sleep(1)  # the new frame and its neighbours arrive
            name = "light" if scheme == "default" else "dark"
            browser.screenshot(f"explore-{stem_of(page, index)}-{name}")
        urls, bad = browser.network()
        frames = [u for u in urls if "/runs/" in u and u.endswith(".svg")]
        assert bad == [] and frames, frames
        assert not [u for u in frames if u.endswith(f"-{other}.svg")], f"{other} frames fetched"
        # per explorable: the new frame and at most its neighbours, one step along each slider
        # (scrolling also brings the page's ordinary lazy figures in: they are not counted)
        runs = {
            img.get_attribute("src").rsplit("/", 1)[0] + "/"
            for img in browser.driver.find_elements(By.CSS_SELECTOR, "figure.explorable img")
        }
        explored = {u for u in frames if u.rsplit("/", 1)[0] + "/" in runs}
        sliders = len(browser.driver.find_elements(By.CSS_SELECTOR, "figure.explorable input"))
        assert explored and len(explored) <= len(figures) + 2 * sliders, explored


def test_without_javascript_the_middle_frame_is_in_the_html():
    assert EXPLORABLE_PAGES, "no page shows an explorable figure"
    for page in EXPLORABLE_PAGES:
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
