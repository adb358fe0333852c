"""The built site's search, as a reader uses it: the words readers type find the page that answers.

Each query is typed into the search box of a page in its language (headless Chromium,
tests/site_browser.py); the page that answers it must be among the first three results, and every
result must be a page in the reader's language. The rank of every query goes to
build/screenshots/search_ranks.tsv.

Needs build/site (`nox -s docs`) and Chromium with its driver (skipped without them, except on CI).
"""

import json
from urllib.parse import urlsplit

import pytest
from site_browser import SHOTS, Browser

# One worker runs them all (pytest-xdist's loadgroup): they share the rank table they write.
pytestmark = [pytest.mark.site, pytest.mark.xdist_group("search")]

# (query, the page that answers it). Pages are paths below the language's root.
QUERIES = {
    "en": [
        ("Nesterov helps", "cheat_sheet/"),
        ("dampening", "update_rule/pytorch/"),
        ("batch size", "at_scale/batch_size/"),
        ("effective learning rate", "terminal_velocity/"),
        ("weight decay", "faq/schedules/"),
        ("adaptive learning rate", "faq/basics/"),
        ("quadratic acceleration", "faq/acceleration/"),
        ("critical damping", "quadratic/damping/"),
        ("condition number", "quadratic/damping/"),
        ("bias correction", "faq/acceleration/"),
        ("AdamW beta1", "cheat_sheet/"),
        ("bfloat16", "optimizers/muon/"),  # Newton–Schulz in bfloat16
        ("bf16", "optimizers/muon/"),
        ("Muon", "optimizers/muon/"),
        ("sparse gradients", "faq/acceleration/"),
        ("lookahead", "nesterov/"),
        ("terminal velocity", "terminal_velocity/"),
        ("contour", "examples/contour_quadratic/"),
        ("MNIST", "examples/mnist_mlp/"),
        ("run the examples yourself", "check_it_yourself/"),
        ("beta", "faq/basics/"),
        ("momentum coefficient", "faq/basics/"),
        ("how to choose β", "faq/basics/"),
        ("gamma", "faq/basics/"),
    ],
    "zh": [
        ("自适应", "faq/basics/"),
        ("自适应学习率", "faq/basics/"),
        ("二次加速", "faq/acceleration/"),
        ("二次收敛", "faq/acceleration/"),
        ("学习率 衰减", "update_rule/forms/"),
        ("权重衰减", "faq/schedules/"),
        ("批大小", "faq/tuning/"),
        ("有效学习率", "terminal_velocity/"),
        ("临界阻尼", "quadratic/damping/"),
        ("条件数", "quadratic/damping/"),
        ("偏差校正", "faq/acceleration/"),
        ("前瞻", "nesterov/"),
        ("重球法", "update_rule/"),
        ("滑动平均", "terminal_velocity/"),
        ("稀疏梯度", "faq/acceleration/"),
        ("预热", "faq/schedules/"),
        ("速查表", "cheat_sheet/"),
        ("等高线", "examples/contour_quadratic/"),
        ("内存", "cost/"),
        ("自己动手验证", "check_it_yourself/"),
        ("β 取多少", "faq/basics/"),
        ("β是什么", "faq/basics/"),
        ("动量系数", "faq/basics/"),
    ],
}
# Queries whose page must come first: a porting engineer's words.
FIRST = {
    "en": [
        ("jax", "porting/"),
        ("optax", "porting/"),
        ("keras", "porting/"),
        ("flax", "porting/"),
        ("MultiSteps", "porting/"),
        ("AdamW epsilon", "porting/"),
        ("Keras port", "porting/"),
    ],
    "zh": [
        ("jax", "porting/"),
        ("optax", "porting/"),
        ("keras", "porting/"),
        ("flax", "porting/"),
        ("MultiSteps", "porting/"),
        ("AdamW ε", "porting/"),
        ("框架 移植", "porting/"),
    ],
}
for language, queries in FIRST.items():
    QUERIES[language] += queries
CASES = [(lang, query, page) for lang, queries in QUERIES.items() for query, page in queries]
RANKS = {}  # (language, query) -> rank of the expected page, for the table


def language_root(language):
    return "" if language == "en" else f"{language}/"


def page_of(href, base):
    """'faq/' for http://host/momentum/zh/faq/?h=...#anchor, with base http://host/momentum/zh/;
    None for a page outside base (another language's)."""
    path, root = urlsplit(href).path, urlsplit(base).path
    if not path.startswith(root):
        return None
    return path[len(root) :]


def search(browser: Browser, language, query):
    """Type QUERY into the search box of the language's home page; the result pages' URLs in the
    order shown (one per page: a page's sections are grouped under it)."""
    box = "input.md-search__input"
    here = f"location.href === {browser.url(language_root(language))!r}"
    if not browser.run(f"return {here} && document.getElementById('__search').checked"):
        browser.open(language_root(language))
        browser.run("document.querySelector('label[for=__search]').click()")
    config = json.loads(browser.run("return document.getElementById('__config').textContent"))
    placeholder = config["translations"]["search.result.placeholder"]
    meta = "return document.querySelector('.md-search-result__meta').textContent"
    # One query per keyup, as when a reader types; clearing first means the next result shown
    # is this query's, not a stale one.
    type_ = f"const el = document.querySelector('{box}'); el.value = arguments[0];" + (
        "el.dispatchEvent(new KeyboardEvent('keyup'));"
    )
    browser.run(type_, "")
    browser.wait_until(f"{meta} === {json.dumps(placeholder)}")
    browser.run(type_, query)
    browser.wait_until(f"{meta} !== {json.dumps(placeholder)}")
    return browser.run(
        "return [...document.querySelectorAll('.md-search-result__item')]"
        ".map(li => li.querySelector('a').href)"
    )


@pytest.mark.parametrize(("language", "query", "page"), CASES, ids=[c[1] for c in CASES])
def test_search_finds_the_page_in_the_top_3_in_the_readers_language(
    browser,
    language,
    query,
    page,
):
    hrefs = search(browser, language, query)
    base = browser.url(language_root(language))
    pages = [page_of(h, base) for h in hrefs]
    if language == "en":  # the other languages' folders are inside the English root
        pages = [None if p is None or p.startswith("zh/") else p for p in pages]
    RANKS[language, query] = pages.index(page) + 1 if page in pages else None
    assert None not in pages, f"{query!r}: results in another language: {hrefs}"
    assert page in pages[:3], f"{query!r}: {page} is not in the top 3 of {pages}"
    if (query, page) in FIRST[language]:
        assert pages[0] == page, f"{query!r}: {page} is not first in {pages}"


@pytest.fixture(scope="module", autouse=True)
def rank_table():
    yield
    if RANKS:
        SHOTS.mkdir(parents=True, exist_ok=True)
        rows = [f"{lang}\t{q}\t{p}\t{RANKS.get((lang, q))}\n" for lang, q, p in CASES]
        (SHOTS / "search_ranks.tsv").write_text("".join(rows), encoding="utf-8")
