"""The built site in a real browser: a static server that serves build/site under a sub-path, and
a Selenium-driven headless Chromium that records every request the pages make.

The site tests get both from a fixture in conftest.py (`browser`): one browser per test process.
Needs build/site (`nox -s docs`) and Chromium with its driver; without them the tests skip,
except on CI (CI=true), where they must run.
"""

import contextlib
import json
import os
import re
import shutil
import threading
import time
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

import pytest

ROOT = Path(__file__).resolve().parents[1]
SITE = ROOT / "build" / "site"
SHOTS = ROOT / "build" / "screenshots"
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
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
PHONE = {"width": 360, "height": 740, "deviceScaleFactor": 2, "mobile": True}
# Raw TeX left in the visible text of a page (code, typeset formulas and scripts removed).
RAW_TEX = re.compile(
    r"\\[()\[\]]|\$\$|\$[^$\s][^$\n]*\$"
    r"|\\(?:frac|tfrac|dfrac|sqrt|sum|prod|nabla|cdot|left|right|begin|end|mathbf|mathrm|"
    r"alpha|beta|gamma|eta|mu|lambda|kappa|theta|rho|sigma|lVert|rVert)\b"
)


def need(condition, message):
    """Skip on a user's machine; fail on CI, where the browser checks must run."""
    if not condition:
        (pytest.fail if ON_CI else pytest.skip)(message)


def built(path):
    """The built HTML of the page at PATH below the site root ('', 'faq/', 'zh/faq/')."""
    return (SITE / path / "index.html").read_text(encoding="utf-8")


def site_pages():
    """URL paths below the site root of every built page: '', 'update_rule/', 'zh/', ..."""
    if not (SITE / "index.html").exists():
        return []
    pages = [p.parent.relative_to(SITE).as_posix() for p in SITE.rglob("index.html")]
    return sorted(("" if p == "." else p + "/") for p in pages)


def pages_in_nav_order(language):
    """Built pages of one language, in nav order (from the home page's navigation)."""
    home = built("zh/" if language == "zh" else "")
    out = []
    for href in re.findall(r'<a href="([^"#]*)" class="md-nav__link', home):
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
    (Material fetches them on every page, to match pages across languages.)
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
        sitemap = (SITE / "sitemap.xml").read_text(encoding="utf-8")
        site_url = re.search(r"<loc>(.*?)</loc>", sitemap).group(1)
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


@contextlib.contextmanager
def served():
    """build/site on 127.0.0.1 and a free port, under PREFIX: its base URL."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(Handler, directory=str(SITE)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}{PREFIX}"
    finally:
        server.shutdown()
        server.server_close()


def find_chromium():
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        path = os.environ.get("CHROMIUM") or shutil.which(name)
        if path:
            return path
    return None


@contextlib.contextmanager
def chromium(base, profile):
    """A Browser on the site at base, with its own profile folder."""
    path, driver_path = find_chromium(), shutil.which("chromedriver")
    need(path and driver_path, f"no Chromium or chromedriver found: {INSTALL}")
    try:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service
    except ImportError:
        need(False, "selenium is missing: `uv sync` installs it (dependency group test)")
    options = webdriver.ChromeOptions()
    options.binary_location = path
    for flag in FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={profile}")
    options.set_capability("goog:loggingPrefs", {"performance": "ALL"})
    driver = webdriver.Chrome(options=options, service=Service(executable_path=driver_path))
    driver.set_page_load_timeout(60)
    driver.set_script_timeout(60)
    driver.get("about:blank")
    driver.get_log("performance")  # the browser's own start-up (its new-tab page), not the site's
    try:
        yield Browser(driver, base)
    finally:
        driver.quit()


class Browser:
    """A Selenium-driven Chromium that keeps the log of every request the pages made."""

    def __init__(self, driver, base):
        self.driver, self.base = driver, base
        self.requests = {}  # requestId -> {"url", "status", "error"}
        self.hosts = {}  # every host the pages asked for: number of requests

    def url(self, path):
        return self.base + path

    def open(self, path):
        self.driver.get(self.url(path))
        self.wait_until("return document.readyState === 'complete'")
        # the article laid out whole, and its wide formulas focusable (overrides/main.html)
        self.wait_until("return 'laidOut' in document.documentElement.dataset")
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

    def wait_until(self, script, *args, timeout=15):
        """Until script (with args) returns something true; an error after timeout seconds."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.run(script, *args):
                return
            time.sleep(0.05)
        raise AssertionError(f"timed out after {timeout} s waiting for: {script}")

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
                # a response to a request sent before the last drain counts for its status only
                request = self.requests.setdefault(params["requestId"], {})
                request["status"] = params["response"]["status"]
            elif method == "Network.loadingFailed" and not params.get("canceled"):
                self.requests.setdefault(params["requestId"], {})["error"] = params["errorText"]
        requests, self.requests = list(self.requests.values()), {}
        urls = [r["url"] for r in requests if "url" in r]
        bad = [r for r in requests if r.get("error") or r.get("status", 200) >= 400]
        return urls, bad

    def request_problems(self):
        """{"requests to other hosts", "failed requests"} since the log was last drained."""
        urls, bad = self.network()
        web = [u for u in urls if urlsplit(u).scheme in ("http", "https", "ws", "wss")]
        for u in web:
            host = urlsplit(u).hostname
            self.hosts[host] = self.hosts.get(host, 0) + 1
        foreign = sorted(
            {u for u in urls if urlsplit(u).scheme not in ("http", "https", "data", "blob")}
            | {u for u in web if urlsplit(u).hostname not in LOCAL_HOSTS}
        )
        return {"requests to other hosts": foreign, "failed requests": bad}

    def assert_only_local_requests(self):
        assert self.request_problems() == {"requests to other hosts": [], "failed requests": []}

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
        """Click the palette toggle in the header until the page shows SCHEME, then wait for its
        colour transitions to end (axe reads computed colours)."""
        for _ in range(3):
            if self.scheme() == scheme:
                break
            self.run(
                """
                const label = [...document.querySelectorAll(
                  "form[data-md-component=palette] label")].find(l => !l.hidden);
                label.click();
                """
            )
            time.sleep(0.05)
        assert self.scheme() == scheme
        self.wait_until(
            "return document.getAnimations().every(a => a.playState !== 'running')", timeout=5
        )

    def as_phone(self, phone=True):
        """Lay the current page out as a 360-pixel-wide phone shows it, or back as the desktop."""
        if phone:
            self.driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", PHONE)
        else:
            self.driver.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})

    def axe(self, rules=None):
        """axe-core's violations on the current page: {rule: (impact, number of nodes, first
        targets)}. All of axe's default rules (WCAG 2.x A and AA, best practices), or only those
        named. axe-core is the npm package pinned in package.json (`npm ci`)."""
        need(AXE.is_file(), "axe-core is missing from node_modules: run `npm ci` (package.json)")
        if not self.run("return typeof window.axe === 'object'"):
            self.run(AXE.read_text(encoding="utf-8"))
        options = {"resultTypes": ["violations"]} | ({"runOnly": rules} if rules else {})
        result = self.driver.execute_async_script(
            """
            const done = arguments[arguments.length - 1];
            axe.run(document, arguments[0])
              .then(r => done(r.violations.map(v => [
                v.id, v.impact, v.nodes.length,
                v.nodes.slice(0, 3).map(n => n.target.join(" "))])))
              .catch(e => done(String(e)));
            """,
            options,
        )
        assert isinstance(result, list), f"axe failed: {result}"
        return {rule: (impact, n, targets) for rule, impact, n, targets in result}

    def screenshot(self, name):
        SHOTS.mkdir(parents=True, exist_ok=True)
        path = SHOTS / f"{name}.png"
        assert self.driver.save_screenshot(str(path))
        return path
