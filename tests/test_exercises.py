"""The exercises: their format on every page, and their list (each page's answers:
tests/test_exercises_PAGE.py).

A topic's exercises are its folder's page docs/TOPIC/exercises.md, titled `# Exercises: …
{#exercises}` (a page that is not a folder: its last section, `## Exercises {#exercises}`, zh
`## 练习`), made of collapsed `??? question "title"` blocks, each holding a collapsed
`??? success "Solution"` that includes snippets/PAGE/exercise_PAGE_N.py and shows its output.
docs/exercises.md lists every one of them.
"""

import re

import pytest
from conftest import ROOT, load_script, snippet

DOCS = ROOT / "docs"
LIST = "exercises"
LIST_MD = f"{LIST}.md"
HEADING = re.compile(r"^#{1,2} .*\{#exercises\}\s*$", re.MULTILINE)
SOLUTION = {"en": '??? success "Solution"', "zh": '??? success "解答"'}
QUESTION = re.compile(r'^\?\?\? question "(.+)"\s*$', re.MULTILINE)
# The pages whose exercises are written in these scripts; other pages may add their own.
PAGES_WITH_EXERCISES = ("update_rule", "terminal_velocity", "nesterov", "quadratic", "faq")


def script(name):
    return load_script(snippet(f"exercise_{name}"))


# --- the format on every page, and the list -----------------------------------------------------


def english_pages():
    """{page name: its English file}: a folder is named after itself (faq), by its exercises page
    where it has one and by its index.md otherwise."""
    pages = {}
    for p in sorted(DOCS.rglob("*.md")):
        name = p.relative_to(DOCS).with_suffix("").as_posix()
        folder = p.parent != DOCS
        if p.name.endswith(".zh.md") or (p.name == "index.md" and (p.parent / LIST_MD).exists()):
            continue
        pages[name.removesuffix("/index").removesuffix(f"/{LIST}" if folder else "")] = p
    return pages


def pages_with_exercises():
    """English pages with an exercises heading or a question (the list page itself excluded)."""
    found = re.compile(r"^## Exercises\b|^\?\?\? question ", re.MULTILINE)
    return sorted(
        name
        for name, p in english_pages().items()
        if name != LIST and found.search(p.read_text(encoding="utf-8"))
    )


def page_file(stem, lang):
    english = english_pages()[stem]
    return english if lang == "en" else english.with_suffix(".zh.md")


def page_link(stem):
    """How the exercises list links the page."""
    return page_file(stem, "en").relative_to(DOCS).as_posix()


def exercises_of(stem, lang):
    """[(title, block text)] of the page's exercises, checking they end the page."""
    text = page_file(stem, lang).read_text(encoding="utf-8")
    headings = HEADING.findall(text)
    assert len(headings) == 1, f"{stem} ({lang}): one heading with {{#exercises}}"
    section = text.split(headings[0], 1)[1]
    assert not re.search(r"^#{1,2} ", section, re.MULTILINE), f"{stem} ({lang}): not the end"
    starts = list(QUESTION.finditer(section))
    assert starts and not section[: starts[0].start()].strip().startswith("???")
    return [
        (m.group(1), section[m.end() : starts[i + 1].start() if i + 1 < len(starts) else None])
        for i, m in enumerate(starts)
    ]


def test_the_pages_named_have_exercises():
    assert set(PAGES_WITH_EXERCISES) <= set(pages_with_exercises())


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("stem", pages_with_exercises())
def test_each_exercise_hides_a_solution_that_includes_its_script_and_output(stem, lang):
    exercises = exercises_of(stem, lang)
    assert 3 <= len(exercises) <= 6
    for n, (title, block) in enumerate(exercises, start=1):
        name = f"exercise_{stem}_{n}"
        lines = block.splitlines()
        assert f"    {SOLUTION[lang]}" in lines, f"{title}: no nested {SOLUTION[lang]}"
        solution = block.split(SOLUTION[lang], 1)[1]
        include = rf'^ {{8}}--8<-- "snippets/\w+/{name}\.py(:\w+)?"$'
        assert re.search(include, solution, re.MULTILINE)
        assert f"        [[output: {name}]]" in solution.splitlines(), f"{title}: no output"
        assert list((ROOT / "snippets").rglob(f"{name}.py"))


@pytest.mark.parametrize("stem", pages_with_exercises())
def test_exercises_are_the_same_in_both_languages(stem):
    en, zh = exercises_of(stem, "en"), exercises_of(stem, "zh")
    assert len(en) == len(zh)
    include = re.compile(r'--8<-- "([^"]+)"|\[\[output: (\S+)\]\]')
    for (_, a), (_, b) in zip(en, zh, strict=True):
        assert include.findall(a) == include.findall(b)


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_list_links_every_exercise_to_its_own_address(lang):
    """The Nth question of a page is at #exercise-N there (hooks/exercise_anchors.py)."""
    listing = page_file(LIST, lang).read_text(encoding="utf-8")
    expected = [
        f"[{title}]({page_link(stem)}#exercise-{n})"
        for stem in pages_with_exercises()
        for n, (title, _) in enumerate(exercises_of(stem, lang), start=1)
    ]
    assert [link for link in expected if link not in listing] == []
    assert len(re.findall(r"\]\([\w/-]+\.md#exercise", listing)) == len(expected)


def test_every_exercise_script_is_on_a_page():
    used = {
        f"exercise_{stem}_{n}"
        for stem in pages_with_exercises()
        for n in range(1, len(exercises_of(stem, "en")) + 1)
    }
    scripts = {p.stem for p in (ROOT / "snippets").rglob("exercise_*.py")}
    pages = pages_with_exercises()
    assert {s for s in scripts if any(s.startswith(f"exercise_{p}_") for p in pages)} <= used


# Where each page's answers are asserted: tests/test_exercises_PAGE.py, unless named here.
ANSWERS = {"optimizers": "test_optimizers", "at_scale": "test_at_scale"}


@pytest.mark.parametrize("stem", pages_with_exercises())
def test_the_list_names_the_file_that_asserts_each_answer_of_a_page(stem):
    """Under the page's topic the list names one test file, and that file has a test named
    after each of the page's exercises (test_PAGE_N_... or test_exercise_PAGE_N_...)."""
    name = ANSWERS.get(stem, f"test_exercises_{stem}")
    for lang in ("en", "zh"):
        text = page_file(LIST, lang).read_text(encoding="utf-8")
        section = text.split(f"{{#{stem.replace('_', '-')}}}", 1)[1].split("\n## ", 1)[0]
        assert f"(source/tests/{name}.html)" in section, (lang, stem)
    tests = (ROOT / "tests" / f"{name}.py").read_text(encoding="utf-8")
    for n in range(1, len(exercises_of(stem, "en")) + 1):
        assert re.search(rf"^def test_(exercise_)?{stem}_{n}_", tests, re.M), (stem, n)


@pytest.mark.site
def test_no_directive_is_left_unexpanded_in_the_built_pages():
    """A directive inside an admonition is indented; the build must expand it there too."""
    site = ROOT / "build" / "site"
    if not (site / "index.html").exists():
        pytest.fail("no build/site: run `nox -s docs` first")
    left = [
        str(p.relative_to(site))
        for p in sorted(site.rglob("*.html"))
        if "source" not in p.relative_to(site).parts  # published code may quote a directive
        and re.search(r"\[\[(output|figure|explore|notebook):", p.read_text(encoding="utf-8"))
    ]
    assert left == []
