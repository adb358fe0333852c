"""Pages show only executed code; the strict build stops on a missing include or a broken link."""

import logging
import re
from typing import NamedTuple

import pytest
import yaml
from conftest import HEADING_ID, ROOT, moved_sections, site_config

from docrun.directives import ANY

PAGES = sorted((ROOT / "docs").rglob("*.md"))
FENCE_OPEN = re.compile(r"^\s*(```+|~~~+)\s*(python|py|python3|pycon)\b")


def hand_typed_python(text):
    """Line numbers of Python fences whose body is anything but --8<-- include lines."""
    bad, lines = [], text.splitlines()
    i = 0
    while i < len(lines):
        match = FENCE_OPEN.match(lines[i])
        if match:
            start, fence = i + 1, match.group(1)
            i += 1
            body = []
            while i < len(lines) and not lines[i].strip().startswith(fence):
                body.append(lines[i].strip())
                i += 1
            if any(line and not line.startswith("--8<--") for line in body):
                bad.append(start)
        i += 1
    return bad


def test_the_rule_detects_hand_typed_python():
    assert hand_typed_python("```python\nprint(1)\n```\n") == [1]
    assert hand_typed_python('text\n```py title="x"\n--8<-- "snippets/a.py:b"\n```\n') == []
    assert hand_typed_python('````python\n--8<-- "a.py"\nx = 1\n````\n') == [1]


@pytest.mark.parametrize("page", PAGES, ids=lambda p: str(p.relative_to(ROOT)))
def test_no_hand_typed_python_on_any_page(page):
    assert hand_typed_python(page.read_text(encoding="utf-8")) == []


@pytest.mark.parametrize("page", PAGES, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_output_and_figure_names_a_script(page):
    scripts = {p.stem for d in ("snippets", "examples") for p in (ROOT / d).rglob("*.py")}
    for match in ANY.finditer(page.read_text(encoding="utf-8")):
        assert match.group(2) in scripts, f"{page.name}: no script {match.group(2)}"


def fake_run(tmp_path, labels, zh=None, results=None):
    """A fresh run of snippets/real.py that drew one (empty) figure per label; with zh
    ({text: translation or None}), each also in Chinese."""
    from docrun.record import Record
    from docrun.rundir import RunDir
    from docrun.sources import cache_key
    from docrun.translate import load_tables

    run = tmp_path / "runs" / "real"
    run.mkdir(parents=True)
    figures = []
    for n, label in enumerate(labels, 1):
        names = {t: f"real-{n}-{t}.svg" for t in ("light", "dark")}
        languages = {"zh": {t: f"real-{n}-{t}.zh.svg" for t in names}} if zh is not None else {}
        for name in [*names.values(), *(languages["zh"].values() if languages else [])]:
            (run / name).write_text('<svg width="36pt" height="18pt"/>')
        figures.append({"n": n, **names, "alt": "a figure", "label": label, "languages": languages})
    (run / "output.txt").write_text("printed 42\n")
    key = cache_key(tmp_path / "snippets" / "real.py", tmp_path / "uv.lock", "cpu")
    Record(
        script="snippets/real.py",
        status="ok",
        wall_s=1.0,
        key=key,
        device_id="cpu",
        device={"kind": "cpu", "model": "test", "threads": 1},
        results=results or {},
        figures=figures,
        figure_text={"zh": zh} if zh is not None else {},
        figure_style={
            language: table["style"]
            for language, table in load_tables("figure_text.{language}.yml", tmp_path).items()
        },
    ).save(RunDir(run, "real"))


def strict_build(tmp_path, page_text, labels=None, zh=None, zh_table=True, results=None):
    """Build a one-page site with this project's Markdown settings, plugin and strictness, in
    this process; with zh ({figure text: translation or None}), in English and Chinese, as this
    site is (with no zh_table, the figure text table of zh is missing). results: the run's."""
    config = site_config()
    docrun = next(p["docrun"] for p in config["plugins"] if "docrun" in p)
    strings, names = docrun["strings"], docrun["names"]
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "index.md").write_text(page_text, encoding="utf-8")
    (tmp_path / "snippets").mkdir()
    (tmp_path / "snippets" / "real.py").write_text(
        "# --8<-- [start:part]\nx = 1\n# --8<-- [end:part]\n"
    )
    if zh is not None and zh_table:
        table = {"text": {k: v for k, v in zh.items() if v is not None}}
        (tmp_path / "figure_text.zh.yml").write_text(yaml.safe_dump(table), encoding="utf-8")
    if labels is not None:
        fake_run(tmp_path, labels, zh if zh_table else None, results)
    extensions = [
        {"pymdownx.snippets": {"base_path": [str(tmp_path)], "check_paths": True}}
        if isinstance(e, dict) and "pymdownx.snippets" in e
        else e
        for e in config["markdown_extensions"]
    ]
    small = {
        "site_name": "t",
        "docs_dir": str(tmp_path / "docs"),
        "site_dir": str(tmp_path / "site"),
        "strict": True,
        "validation": config["validation"],
        "markdown_extensions": extensions,
        "plugins": [{"docrun": {"runs_dir": "runs", "strings": strings, "names": names}}],
        "theme": {"name": "material", "font": False},
    }
    if zh is not None:
        (tmp_path / "docs" / "index.zh.md").write_text(page_text, encoding="utf-8")
        small["plugins"][0]["docrun"]["figure_text"] = "figure_text.{language}.yml"
        i18n = next(p for p in config["plugins"] if "i18n" in p)["i18n"]
        i18n = {
            **i18n,
            "languages": [{**lang, "nav_translations": {}} for lang in i18n["languages"]],
        }
        small["plugins"].append({"i18n": i18n})
    (tmp_path / "mkdocs.yml").write_text(yaml.safe_dump(small), encoding="utf-8")
    return build(tmp_path / "mkdocs.yml")


class Built(NamedTuple):
    returncode: int
    stderr: str  # what the build logged, and the error that stopped it


def build(config_file):
    """`mkdocs build` of config_file, in this process."""
    from mkdocs.commands.build import build
    from mkdocs.config import load_config

    handler = Collect()
    logger = logging.getLogger("mkdocs")
    logger.addHandler(handler)
    try:
        build(load_config(str(config_file)))
        code, error = 0, ""
    except Exception as err:  # a plugin's error, or strict mode's abort after warnings
        code, error = 1, str(err)
    finally:
        logger.removeHandler(handler)
    return Built(code, "\n".join([*handler.lines, error]))


class Collect(logging.Handler):
    def __init__(self):
        super().__init__(logging.WARNING)
        self.lines = []

    def emit(self, record):
        self.lines.append(record.getMessage())


def test_strict_build_accepts_a_good_page(tmp_path):
    result = strict_build(tmp_path, '# Good\n\n```python\n--8<-- "snippets/real.py:part"\n```\n')
    assert result.returncode == 0, result.stderr
    assert 'x</span> <span class="o">=</span>' in (tmp_path / "site" / "index.html").read_text()


@pytest.mark.parametrize(
    "page, message",
    [
        ('```python\n--8<-- "snippets/missing.py"\n```\n', "missing.py"),
        ('```python\n--8<-- "snippets/real.py:nosuchsection"\n```\n', "nosuchsection"),
        ("See [the other page](other.md).\n", "other.md"),
        ("[[output: no_such_script]]\n", "no_such_script"),
    ],
    ids=["missing-file", "missing-section", "broken-link", "missing-run"],
)
def test_strict_build_fails_loudly(tmp_path, page, message):
    result = strict_build(tmp_path, "# Page\n\n" + page)
    assert result.returncode != 0
    assert message in result.stderr


@pytest.mark.parametrize(
    "labels, message",
    [
        (["gamma=0.5", "gamma=0.9"], "slider"),
        (
            ["alpha=1, beta=1", "alpha=2, beta=1", "alpha=1, beta=2"],
            "missing frame alpha=2, beta=2",
        ),
        (["gamma 0.5"], "does not parse"),
        (["gamma=0.5", "zeta=0.9"], "has ['zeta'], not ['gamma']"),
        (["zeta=0.5"], "unknown parameter 'zeta'"),
        ([None], "drew no labelled frames"),
    ],
    ids=["good", "missing-frame", "unparsable", "mixed-parameters", "unknown-name", "no-frames"],
)
def test_explorables_build_or_stop_with_one_line_naming_the_script(tmp_path, labels, message):
    result = strict_build(tmp_path, "# Page\n\n[[explore: real | gamma is {gamma}]]\n", labels)
    if message == "slider":
        assert result.returncode == 0, result.stderr
        page = (tmp_path / "site" / "index.html").read_text()
        assert page.count('type="range"') == 1 and 'alt="gamma is 0.9"' in page
        return
    assert result.returncode != 0
    (line,) = [line for line in result.stderr.splitlines() if "snippets/real.py" in line]
    assert message in line


def test_a_directive_inside_an_admonition_renders_there(tmp_path):
    page = '# Page\n\n??? success "Solution"\n\n    [[output: real]]\n\nAfter.\n'
    result = strict_build(tmp_path, page, labels=[])
    assert result.returncode == 0, result.stderr
    html = (tmp_path / "site" / "index.html").read_text()
    details = html.split("<details")[1].split("</details>")[0]
    assert "printed 42" in details and '<div class="provenance">' in details
    assert "<p>After.</p>" in html  # the paragraph after a directive stays a paragraph
    assert "<p><p" not in html and "docrun" not in html.split("<article")[1].split("</article>")[0]


def test_zh_pages_show_the_zh_figures_and_en_pages_the_english_ones(tmp_path):
    zh = {"momentum 0.9": "动量 0.9"}
    result = strict_build(tmp_path, "# Page\n\n[[figure: real 1 | a plot]]\n", labels=[None], zh=zh)
    assert result.returncode == 0, result.stderr
    en = (tmp_path / "site" / "index.html").read_text(encoding="utf-8")
    zh_page = (tmp_path / "site" / "zh" / "index.html").read_text(encoding="utf-8")
    assert "real-1-light.svg#only-light" in en and ".zh.svg" not in en
    assert "real-1-light.zh.svg#only-light" in zh_page and "real-1-dark.zh.svg#only-dark" in zh_page
    assert (tmp_path / "site" / "runs" / "real" / "real-1-dark.zh.svg").exists()


def test_a_figure_text_with_no_translation_stops_the_build_naming_it_and_the_script(tmp_path):
    zh = {"momentum 0.9": "动量 0.9", "learning rate": None}
    result = strict_build(tmp_path, "# Page\n\n[[figure: real 1 | a plot]]\n", labels=[None], zh=zh)
    assert result.returncode != 0
    (line,) = [line for line in result.stderr.splitlines() if "no zh translation" in line]
    assert "snippets/real.py" in line and "'learning rate'" in line and "momentum" not in line


def test_a_language_with_no_figure_text_table_stops_the_build_naming_the_file(tmp_path):
    page = "# Page\n\n[[figure: real 1 | a plot]]\n"
    result = strict_build(tmp_path, page, labels=[None], zh={}, zh_table=False)
    assert result.returncode != 0
    assert "snippets/real.py drew no zh figures: write figure_text.zh.yml" in result.stderr


def test_a_value_is_quoted_from_the_record_in_prose_and_in_formulas(tmp_path):
    page = (
        "# Page\n\nThey agree to [[value: real.gap | .1sci]] after [[value: real.steps | ,]] "
        "steps: \\(\\epsilon = [[value: real.gap | .2tex]]\\).\n"
    )
    result = strict_build(tmp_path, page, labels=[], results={"gap": 1.04e-15, "steps": 1200})
    assert result.returncode == 0, result.stderr
    html = (tmp_path / "site" / "index.html").read_text(encoding="utf-8")
    assert "They agree to 1.0 × 10⁻¹⁵ after 1,200 steps:" in html
    assert "\\epsilon = 1.04 \\times 10^{-15}" in html  # left to KaTeX, as any formula


@pytest.mark.parametrize(
    "page, message",
    [
        ("[[value: real.gaps | .1e]]", "index.md: [[value: real.gaps | .1e]]: no result 'gaps'"),
        ("[[value: real.gap]]", "needs a format"),
        ("[[value: nowhere.gap | .1e]]", "no script named 'nowhere'"),
        (
            "A sentence. Muon ends lowest here [[claim: real.muon_lowest]]. Another.",
            'contradicts "Muon ends lowest here.": muon_lowest is False, not true',
        ),
    ],
    ids=["unknown-result", "no-format", "unknown-script", "contradicted-claim"],
)
def test_a_bad_value_or_a_contradicted_claim_stops_the_build_naming_page_and_sentence(
    tmp_path, page, message
):
    results = {"gap": 1e-15, "muon_lowest": False}
    result = strict_build(tmp_path, f"# Page\n\n{page}\n", labels=[], results=results)
    assert result.returncode != 0
    assert message in result.stderr


def test_a_true_claim_leaves_no_trace_on_the_page(tmp_path):
    page = "# Page\n\nMuon ends lowest [[claim: real.muon_lowest]] here.\n"
    result = strict_build(tmp_path, page, labels=[], results={"muon_lowest": True})
    assert result.returncode == 0, result.stderr
    assert "Muon ends lowest here." in (tmp_path / "site" / "index.html").read_text()


def test_alt_text_quotes_values_too(tmp_path):
    page = "# Page\n\n[[figure: real 1 | a curve that ends at [[value: real.gap | .1sci]]]]\n"
    result = strict_build(tmp_path, page, labels=[None], results={"gap": 1.04e-15})
    assert result.returncode == 0, result.stderr
    html = (tmp_path / "site" / "index.html").read_text(encoding="utf-8")
    assert 'alt="a curve that ends at 1.0 × 10⁻¹⁵"' in html


def test_an_output_and_a_figure_of_one_run_side_by_side_share_one_badge(tmp_path):
    page = (
        "# Page\n\n[[output: real]]\n\n[[figure: real 1 | a plot]]\n\nBetween.\n\n"
        "[[figure: real 1 | the same plot, alone]]\n"
    )
    result = strict_build(tmp_path, page, labels=[None])
    assert result.returncode == 0, result.stderr
    html = (tmp_path / "site" / "index.html").read_text(encoding="utf-8")
    article = html.split("<article")[1].split("</article>")[0]
    # the pair: one badge, under the figure (the last of the two); the lone figure: its own
    assert article.count('class="provenance"') == 2
    first, second = article.split("<p>Between.</p>")
    assert first.count('class="provenance"') == 1
    assert first.index("printed 42") < first.index("<figure") < first.index('class="provenance"')
    assert second.count('class="provenance"') == 1


# That link is what lets an old address TOPIC/#anchor land on the new page
# (docs/assets/moved_anchors.js follows it).
@pytest.mark.parametrize("suffix", ["", ".zh"])
def test_a_topic_index_links_every_section_that_moved(suffix):
    moved = moved_sections(suffix)
    assert {"faq", "nesterov", "optimizers", "at_scale"} <= {topic for topic, *_ in moved}
    for topic, page, anchor, index in moved:
        where = f"{topic}/{page}{suffix}.md"
        assert anchor not in HEADING_ID.findall(index), f"{where}: #{anchor} is on the index too"
        assert f"]({page}.md#{anchor})" in index, f"{where}: #{anchor} not on the index"
