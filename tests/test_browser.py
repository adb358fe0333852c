"""The built site, checked in a real browser (headless Chromium), served under a sub-path.

Every page loads with no request to any host but the site's own, every formula typeset, every
image loaded. Instant navigation typesets the next page; the language switcher leads to the same
page in the other language; search finds a Chinese word. Screenshots of the home page and a
content page in light and dark mode, and the hosts the browser asked for, go to build/screenshots.

Needs build/site (`nox -s docs`) and Chromium with its driver; `nox -s tests` builds first. Without
Chromium the tests skip, except on CI (CI=true), where they must run.
"""

import html
import json
import os
import re
import shutil
import subprocess
import sys
import threading
import time
from collections import Counter
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

import pytest
from conftest import ROOT

pytestmark = pytest.mark.site

SITE = ROOT / "build" / "site"
SHOTS = ROOT / "build" / "screenshots"
PREFIX = "/momentum/"  # served below a sub-path, like a GitHub Pages project site
LOCAL_HOSTS = {"127.0.0.1"}
INSTALL = "install Chromium and its driver, e.g. `apt-get install chromium chromium-driver`"
ON_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
    "--window-size=1280,900",
    "--lang=en-US",
    # A mouse, as on the desktop the window size stands for: headless Chromium reports none, and
    # pages then behave as on a touch screen (Material leaves wide code blocks unfocusable).
    "--blink-settings=primaryHoverType=2,availableHoverTypes=2,primaryPointerType=4,availablePointerTypes=4",
    # Nothing may leave the machine even if a page asked: other hosts do not resolve. The
    # request is still seen (and fails the test), as it is made before name resolution.
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
]
# Raw TeX left in the visible text of a page (code, typeset formulas and scripts removed).
RAW_TEX = re.compile(
    r"\\[()\[\]]|\$\$|\$[^$\s][^$\n]*\$"
    r"|\\(?:frac|tfrac|dfrac|sqrt|sum|prod|nabla|cdot|left|right|begin|end|mathbf|mathrm|"
    r"alpha|beta|gamma|eta|mu|lambda|kappa|theta|rho|sigma|lVert|rVert)\b"
)
HOSTS = Counter()  # every host the browser asked for, over the whole module


def need(condition, message):
    """Skip on a user's machine; fail on CI, where the browser check must run."""
    if not condition:
        (pytest.fail if ON_CI else pytest.skip)(message)


def site_pages():
    """URL paths below the site root of every built page: '', 'update_rule/', 'zh/', ..."""
    pages = [p.parent.relative_to(SITE).as_posix() for p in SITE.rglob("index.html")]
    return sorted(("" if p == "." else p + "/") for p in pages)


def built(path):
    return (SITE / path / "index.html").read_text(encoding="utf-8")


def pages_in_nav_order(language):
    """Built pages of one language, in nav order (from the home page's navigation)."""
    home = built("zh/" if language == "zh" else "")
    links = re.findall(r'<a href="([^"#]*)" class="md-nav__link', home)
    out = []
    for href in links:
        path = href.removeprefix("./")
        if path in ("", ".") or path.startswith("../"):
            continue
        path = ("zh/" if language == "zh" else "") + path
        if path not in out and (SITE / path / "index.html").exists():
            out.append(path)
    return out


class Handler(SimpleHTTPRequestHandler):
    """Serves build/site under PREFIX only: a link that escapes the sub-path gets a 404.

    It stands in for the host in site_url: the sitemaps it serves name its own address instead.
    (Material's instant navigation follows only the links that the sitemap lists.)
    """

    def translate_path(self, path):
        if not path.startswith(PREFIX):
            return str(SITE / "__outside_the_site__")
        return super().translate_path("/" + path[len(PREFIX) :])

    def do_GET(self):
        if not (self.path.startswith(PREFIX) and self.path.endswith("/sitemap.xml")):
            return super().do_GET()
        path = SITE / self.path[len(PREFIX) :]
        if not path.is_file():
            return self.send_error(404)
        site_url = re.search(r"<loc>(.*?)</loc>", (SITE / "sitemap.xml").read_text()).group(1)
        here = f"http://{self.headers['Host']}{PREFIX}"
        body = path.read_text(encoding="utf-8").replace(site_url, here).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/xml")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
        return None

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def site():
    need((SITE / "index.html").exists(), "no built site: run `nox -s docs` first")
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(Handler, directory=str(SITE)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}{PREFIX}"
    server.shutdown()
    server.server_close()


def find_chromium():
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        path = os.environ.get("CHROMIUM") or shutil.which(name)
        if path:
            return path
    return None


class Browser:
    """A Selenium-driven Chromium that keeps the log of every request the pages made."""

    def __init__(self, driver, base):
        self.driver, self.base = driver, base
        self.requests = {}  # requestId -> {"url", "status", "error"}

    def url(self, path):
        return self.base + path

    def open(self, path):
        self.driver.get(self.url(path))
        self.wait_until("return document.readyState === 'complete'")
        self.settle()

    def settle(self):
        """Wait for fonts and images (formulas arrive typeset: nothing runs to typeset them)."""
        self.driver.execute_async_script(
            """
            const done = arguments[arguments.length - 1];
            const imgs = [...document.images];
            imgs.forEach(img => { img.loading = "eager"; });
            Promise.all([document.fonts.ready, ...imgs.map(img => img.decode().catch(() => {}))])
              .then(() => done(true));
            """
        )

    def run(self, script, *args):
        return self.driver.execute_script(script, *args)

    def wait_until(self, script, timeout=15, fail=True):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.run(script):
                return True
            time.sleep(0.05)
        if fail:
            raise AssertionError(f"timed out after {timeout} s waiting for: {script}")
        return False

    def problems(self):
        """What is wrong on the current page: raw TeX in the text a reader sees (code and typeset
        formulas aside), KaTeX errors, images that did not load."""
        found = self.run(
            """
            const root = document.querySelector("article") || document.body;
            const skip = "pre, code, script, style, textarea, .katex, .highlight";
            const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
            const text = [];
            for (let node = walker.nextNode(); node; node = walker.nextNode()) {
              const el = node.parentElement;
              if (!el.closest(skip) && el.checkVisibility()) text.push(node.data);
            }
            return {
              text: text.join(""),
              katexErrors: [...root.querySelectorAll(".katex-error")].map(el => el.title),
              untypeset: [...root.querySelectorAll(".arithmatex")]
                .filter(el => !el.querySelector(".katex")).map(el => el.textContent),
              brokenImages: [...document.images]
                .filter(img => !img.complete || img.naturalWidth === 0)
                .map(img => img.getAttribute("src")),
            };
            """
        )
        raw = sorted({m.group(0) for m in RAW_TEX.finditer(found["text"])})
        return {
            "raw TeX": raw + found["untypeset"],  # the latter even where hidden (tabs, details)
            "KaTeX errors": found["katexErrors"],
            "broken images": found["brokenImages"],
        }

    def network(self):
        """Drain the performance log: (every URL requested, those that failed or got >= 400)."""
        for entry in self.driver.get_log("performance"):
            message = json.loads(entry["message"])["message"]
            method, params = message["method"], message.get("params", {})
            if method == "Network.requestWillBeSent":
                self.requests.setdefault(params["requestId"], {})["url"] = params["request"]["url"]
            elif method == "Network.responseReceived":
                request = self.requests.setdefault(params["requestId"], {})
                request["status"] = params["response"]["status"]
                request.setdefault("url", params["response"]["url"])
            elif method == "Network.loadingFailed" and not params.get("canceled"):
                self.requests.setdefault(params["requestId"], {})["error"] = params["errorText"]
        requests, self.requests = list(self.requests.values()), {}
        urls = [r["url"] for r in requests if "url" in r]
        bad = [r for r in requests if r.get("error") or r.get("status", 200) >= 400]
        return urls, bad

    def assert_only_local_requests(self):
        urls, bad = self.network()
        web = [u for u in urls if urlsplit(u).scheme in ("http", "https", "ws", "wss")]
        HOSTS.update(urlsplit(u).hostname for u in web)
        foreign = sorted(
            {u for u in urls if urlsplit(u).scheme not in ("http", "https", "data", "blob")}
            | {u for u in web if urlsplit(u).hostname not in LOCAL_HOSTS}
        )
        assert foreign == [], f"requests to other hosts: {foreign}"
        assert bad == [], f"failed requests: {bad}"

    def click_link_to(self, path):
        """Click (in the page, like a reader) the first link that leads to PATH."""
        target = self.url(path)
        clicked = self.run(
            """
            const link = [...document.querySelectorAll("a[href]")]
              .find(a => a.href.split("#")[0] === arguments[0]);
            if (link) link.click();
            return Boolean(link);
            """,
            target,
        )
        assert clicked, f"no link to {target} on {self.driver.current_url}"

    def scheme(self):
        return self.run("return document.body.getAttribute('data-md-color-scheme')")

    def set_scheme(self, scheme):
        """Click the palette toggle in the header until the page shows SCHEME."""
        for _ in range(3):
            if self.scheme() == scheme:
                return
            self.run(
                """
                const label = [...document.querySelectorAll(
                  "form[data-md-component=palette] label")].find(l => !l.hidden);
                label.click();
                """
            )
            time.sleep(0.3)
        assert self.scheme() == scheme

    def screenshot(self, name):
        SHOTS.mkdir(parents=True, exist_ok=True)
        path = SHOTS / f"{name}.png"
        time.sleep(0.3)  # the palette switch fades
        assert self.driver.save_screenshot(str(path))
        return path


@pytest.fixture(scope="module")
def browser(site, tmp_path_factory):
    chromium, chromedriver = find_chromium(), shutil.which("chromedriver")
    need(chromium and chromedriver, f"no Chromium or chromedriver found: {INSTALL}")
    try:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service
    except ImportError:
        need(False, "selenium is missing: `uv sync` installs it (dependency group test)")
    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for flag in FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}")
    options.set_capability("goog:loggingPrefs", {"performance": "ALL"})
    driver = webdriver.Chrome(options=options, service=Service(executable_path=chromedriver))
    driver.set_page_load_timeout(60)
    driver.get("about:blank")
    driver.get_log("performance")  # the browser's own start-up (its new-tab page), not the site's
    try:
        yield Browser(driver, site)
    finally:
        driver.quit()
        SHOTS.mkdir(parents=True, exist_ok=True)
        (SHOTS / "hosts.txt").write_text(
            "".join(f"{host}\t{n}\n" for host, n in HOSTS.most_common()), encoding="utf-8"
        )


@pytest.fixture(scope="module")
def targets():
    """Pages for the navigation checks: a Markdown page with formulas, and a notebook page."""
    need((SITE / "index.html").exists(), "no built site: run `nox -s docs` first")
    pages = pages_in_nav_order("en")
    markdown = [p for p in pages if not p.startswith("examples/") and "arithmatex" in built(p)]
    notebooks = [p for p in pages if p.startswith("examples/")]
    assert markdown, "no page in the nav has a formula: nothing to check"
    assert notebooks, "no notebook page in the nav"
    with_figure = [p for p in markdown if "run-figure" in built(p)]
    return {"markdown": markdown[0], "notebook": notebooks[0], "shot": (with_figure or markdown)[0]}


PAGES = site_pages() if (SITE / "index.html").exists() else []


def test_the_site_is_built():
    need((SITE / "index.html").exists(), "no built site: run `nox -s docs` first")
    assert "zh/" in PAGES and len(PAGES) >= 4


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p or "home")
def test_page_loads_only_from_this_site_with_every_formula_and_image(browser, page):
    browser.open(page)
    assert browser.problems() == {"raw TeX": [], "KaTeX errors": [], "broken images": []}
    browser.assert_only_local_requests()


@pytest.mark.parametrize("page", [p for p in PAGES if "examples/" in p], ids=lambda p: p)
def test_example_page_offers_its_script_and_notebook_for_download(browser, page):
    browser.open(page)
    downloads = browser.driver.execute_async_script(
        """
        const done = arguments[arguments.length - 1];
        const links = [...document.querySelectorAll("a[download]")];
        Promise.all(links.map(a => fetch(a.href).then(r => [a.textContent, r.status])))
          .then(done);
        """
    )
    stem = page.rstrip("/").rsplit("/", 1)[-1]
    assert sorted(downloads) == [[f"{stem}.ipynb", 200], [f"{stem}.py", 200]]
    browser.assert_only_local_requests()


# What typesetting in the browser would load: KaTeX's script or a typesetting helper.
MATH_SCRIPT = re.compile(r"<script\b[^>]*\bsrc=[\"'][^\"']*(?:katex|mathjax|math\.js)", re.I)
FORMULA = re.compile(r'<(span|div) class="arithmatex">(.*?)</\1>', re.DOTALL)


def test_formulas_arrive_typeset_and_no_page_loads_math_javascript():
    """The build writes KaTeX's HTML into every formula: no page has a formula left as TeX or a
    script that would typeset it, and the site ships no KaTeX script."""
    need((SITE / "index.html").exists(), "no built site: run `nox -s docs` first")
    untypeset, scripts, formulas = [], [], 0
    for path in sorted(SITE.rglob("*.html")):
        text = path.read_text(encoding="utf-8")
        for match in FORMULA.finditer(text):
            formulas += 1
            if not match.group(2).startswith('<span class="katex'):
                untypeset.append(f"{path.relative_to(SITE)}: {match.group(2)[:60]}")
        scripts += [f"{path.relative_to(SITE)}: {s}" for s in MATH_SCRIPT.findall(text)]
    assert formulas > 100 and untypeset == [] and scripts == []
    assert sorted(p.name for p in SITE.rglob("*.js") if "katex" in p.name.lower()) == []


def test_example_pages_stay_under_100_kb_with_lean_code_blocks():
    """A notebook page shares the site's stylesheets; its code keeps only the spans that colour."""
    need((SITE / "index.html").exists(), "no built site: run `nox -s docs` first")
    pages = sorted(SITE.glob("**/examples/*/index.html"))
    assert len(pages) >= 10
    assert {
        str(p.relative_to(SITE)): p.stat().st_size for p in pages if p.stat().st_size >= 100_000
    } == {}
    code = "".join(
        re.findall(r"<pre\b.*?</pre>", (SITE / "nesterov" / "index.html").read_text(), re.S)
    )
    assert (
        '<span class="k">' in code
        and '<span class="n">' not in code
        and '<span class="w">' not in code
    )


def test_katex_stylesheet_names_only_fonts_the_site_ships_and_swaps_them_in():
    need((SITE / "index.html").exists(), "no built site: run `nox -s docs` first")
    css = SITE / "assets" / "katex" / "katex.min.css"
    text = css.read_text(encoding="utf-8")
    fonts = re.findall(r"url\(([^)]+)\)", text)
    assert len(fonts) >= 20
    assert [f for f in fonts if not (css.parent / f).is_file()] == []
    assert text.count("font-display:swap") == len(fonts) and "font-display:block" not in text


def test_pages_with_formulas_preload_the_two_main_katex_fonts_and_others_none():
    need((SITE / "index.html").exists(), "no built site: run `nox -s docs` first")
    preload = re.compile(
        r'<link rel="preload" href="([^"]+)" as="font" type="font/woff2" crossorigin>'
    )
    with_formulas = 0
    for path in sorted(SITE.rglob("index.html")):
        text = path.read_text(encoding="utf-8")
        fonts = preload.findall(text)
        if 'class="katex' in text:
            with_formulas += 1
            assert [f.rsplit("/", 1)[1] for f in fonts] == [
                "KaTeX_Main-Regular.woff2",
                "KaTeX_Math-Italic.woff2",
            ], path
            assert all((path.parent / f).resolve().is_file() for f in fonts)
        else:
            assert fonts == [], path
    assert with_formulas >= 20


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
    assert browser.problems() == {"raw TeX": [], "KaTeX errors": [], "broken images": []}
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
        assert browser.problems() == {"raw TeX": [], "KaTeX errors": [], "broken images": []}
    browser.assert_only_local_requests()


@pytest.mark.parametrize(("page", "query"), [("zh/", "动量"), ("zh/", "学习率"), ("", "momentum")])
def test_search_finds_the_word(browser, page, query):
    from selenium.webdriver.common.by import By

    browser.open(page)
    browser.run("document.querySelector('label[for=__search]').click()")
    field = browser.driver.find_element(By.CSS_SELECTOR, "input.md-search__input")
    field.send_keys(query)
    browser.wait_until("return document.querySelectorAll('.md-search-result__item').length > 0")
    hrefs = browser.run(
        "return [...document.querySelectorAll('.md-search-result__item a')].map(a => a.href)"
    )
    in_language = [h for h in hrefs if ("/zh/" in h) == page.startswith("zh/")]
    assert in_language, f"{query!r}: no result in the page's language among {hrefs}"
    browser.assert_only_local_requests()


def test_screenshots_in_light_and_dark_mode(browser, targets):
    """For the closing note: the home page, a page with formulas and a figure (in English and
    Chinese) and a notebook page, each in the light and the dark palette."""
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


# Tags that make the browser fetch what they name (a canonical or alternate <link> does not).
EXTERNAL_REFERENCE = re.compile(
    r"<(?:script|img|iframe|source|video|audio|embed|object|image|use|track|input"
    r"""|link(?![^>]*\srel=["']?(?:canonical|alternate)\b))\b[^>]*?"""
    r"""\s(?:src|href|srcset|data|poster|xlink:href)\s*=\s*["']?(?:https?:)?//""",
    re.IGNORECASE,
)
INLINE_SCRIPT = re.compile(r"<script\b[^>]*>(.*?)</script>", re.IGNORECASE | re.DOTALL)
CSS_EXTERNAL = re.compile(r"""(?:url\(\s*["']?|@import\s+["'])(?:https?:)?//""", re.IGNORECASE)


def test_no_page_or_stylesheet_refers_to_another_host():
    """The static half of the offline check: no tag, script or stylesheet names another host."""
    need((SITE / "index.html").exists(), "no built site: run `nox -s docs` first")
    found = []
    for path in sorted(SITE.rglob("*.html")):
        text = path.read_text(encoding="utf-8")
        found += [(path.name, m.group(0)[:120]) for m in EXTERNAL_REFERENCE.finditer(text)]
        for script in INLINE_SCRIPT.findall(text):
            found += [(path.name, u) for u in re.findall(r"https?://[^\s\"'`]+", script)]
    for path in sorted(SITE.rglob("*.css")):
        text = path.read_text(encoding="utf-8")
        found += [(path.name, m.group(0)) for m in CSS_EXTERNAL.finditer(text)]
    assert found == []


HREF = re.compile(r"""<a\b[^>]*?\shref\s*=\s*["']([^"']*)["']""", re.IGNORECASE)
ID = re.compile(r"""\sid\s*=\s*["']([^"']+)["']""")


def test_every_link_within_the_site_leads_to_a_built_file_and_anchor():
    """Relative links on every page (notebook pages' prose and tables of contents included) lead
    to a file that exists, and to an element with that id when they name one."""
    need((SITE / "index.html").exists(), "no built site: run `nox -s docs` first")
    broken, ids = [], {}
    for path in sorted(SITE.rglob("*.html")):
        if path.name == "404.html":
            continue  # its links are absolute, for any depth
        page = "/" + path.relative_to(SITE).as_posix()
        for href in HREF.findall(path.read_text(encoding="utf-8")):
            if not href or href.startswith("/") or re.match(r"[a-z][a-z0-9+.-]*:", href):
                continue
            target = urlsplit(urljoin(page, html.unescape(href)))
            file = SITE / unquote(target.path).lstrip("/")
            if target.path.endswith("/"):
                file = file / "index.html"
            if not file.is_file():
                broken.append(f"{path.relative_to(SITE)}: {href}")
            elif target.fragment and file.suffix == ".html":
                if file not in ids:
                    ids[file] = set(ID.findall(file.read_text(encoding="utf-8")))
                if unquote(target.fragment) not in ids[file]:
                    broken.append(f"{path.relative_to(SITE)}: {href} (no such id)")
    assert broken == []


def test_linkchecker_finds_no_broken_link_on_the_served_site():
    """The field's own link checker, over the site as a static host serves it."""
    need((SITE / "index.html").exists(), "no built site: run `nox -s docs` first")
    bin_dir = str(Path(sys.executable).parent)  # linkchecker is installed beside this Python
    result = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "linkcheck.py"), "--site", str(SITE)],
        capture_output=True,
        text=True,
        timeout=900,
        env={**os.environ, "PATH": bin_dir + os.pathsep + os.environ["PATH"]},
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    assert re.search(
        r"\b[1-9]\d{2,} links in \d+ URLs checked\. \d+ warnings found\. 0 errors found",
        result.stdout,
    )


def test_the_static_check_sees_what_would_be_fetched():
    fetched = [
        '<script src="https://cdn.jsdelivr.net/npm/katex/dist/katex.min.js"></script>',
        '<link rel="stylesheet" href="//fonts.googleapis.com/css?family=Roboto">',
        '<link href="https://fonts.gstatic.com" rel="preconnect">',
        '<img alt="x" src="http://example.com/a.png">',
    ]
    not_fetched = [
        '<a href="https://pytorch.org/docs/">PyTorch</a>',
        '<link rel="canonical" href="https://example.github.io/momentum/">',
        '<link rel="alternate" href="https://example.github.io/momentum/zh/" hreflang="zh">',
        '<script src="../assets/math.js"></script>',
    ]
    assert [bool(EXTERNAL_REFERENCE.search(t)) for t in fetched + not_fetched] == [True] * 4 + [
        False
    ] * 4
    assert CSS_EXTERNAL.search('@import url("https://fonts.googleapis.com/css")')
    assert not CSS_EXTERNAL.search("src: url(fonts/KaTeX_Main-Regular.woff2)")
