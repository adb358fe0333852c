"""Figure text in Chinese: which texts need an entry, how entries apply, and the redrawn figure."""

import dataclasses
import json
from pathlib import Path

import matplotlib
import pytest
import yaml
from conftest import ROOT

from docrun import execute
from docrun.record import Record
from docrun.rundir import RunDir
from docrun.translate import TableError, drawn_in, load_tables, needs_translation, translate

matplotlib.use("Agg")
import matplotlib.pyplot as plt


@pytest.mark.parametrize(
    "text, needs",
    [
        ("gradient descent", True),
        ("momentum $\\beta=0.9$", True),
        ("GD", True),
        ("$\\beta$", False),
        ("0.25", False),
        ("$10^{-3}$", False),
        ("k", False),
        ("$\\|x_k - x^*\\|$", False),
        ("", False),
    ],
)
def test_a_text_needs_an_entry_when_a_word_stands_outside_math(text, needs):
    assert needs_translation(text) is needs


def test_entries_apply_exactly_or_with_each_number_as_hash():
    entries = {
        "minimum": "极小点",
        "momentum #": "动量 #",
        "$\\beta=#$, lr #": "$\\beta=#$，学习率 #",
    }
    assert translate("minimum", entries) == "极小点"
    assert translate("momentum 0.65", entries) == "动量 0.65"
    assert translate("$\\beta=0.9$, lr 1e-3", entries) == "$\\beta=0.9$，学习率 1e-3"
    assert translate("momentum", entries) is None
    assert translate("maximum", entries) is None
    assert translate("x_1 momentum 2", {"x_1 momentum #": "x_1 动量 #"}) == "x_1 动量 2"


def write_table(tmp_path, name, table):
    (tmp_path / name).write_text(yaml.safe_dump(table, allow_unicode=True), encoding="utf-8")


def test_tables_are_found_by_language_and_their_font_resolved(tmp_path):
    font = {"package": "mplfonts", "path": "fonts/NotoSansCJKsc-Regular.otf"}
    write_table(tmp_path, "figs.zh.yml", {"font": font, "text": {"a b": "甲乙"}})
    write_table(tmp_path, "figs.ja.yml", {"text": {}})
    tables = load_tables("figs.{language}.yml", tmp_path)
    assert sorted(tables) == ["ja", "zh"]
    assert Path(tables["zh"]["font"]).name == "NotoSansCJKsc-Regular.otf"
    assert tables["zh"]["text"] == {"a b": "甲乙"} and tables["ja"]["font"] is None
    assert load_tables("", tmp_path) == {}


@pytest.mark.parametrize(
    "table, message",
    [
        ({"font": {"package": "mplfonts", "path": "fonts/none.otf"}, "text": {}}, "no font file"),
        ({"font": {"package": "no_such_package", "path": "x.otf"}, "text": {}}, "installed"),
        ({"alt": {}}, "needs a 'text:' mapping"),
        (["a list"], "needs a 'text:' mapping"),
        ({"text": {"learning rate": None}}, "'learning rate' has no translation"),
        ({"text": {"lr #": "学习率"}}, "'lr #' and '学习率' differ in their number of #"),
        ({"alt": {"plots": "子图"}, "text": {}}, "alt has no word 'plots'"),
    ],
)
def test_a_bad_table_is_one_line_naming_the_file(tmp_path, table, message):
    write_table(tmp_path, "figs.zh.yml", table)
    with pytest.raises(TableError, match=message) as err:
        load_tables("figs.{language}.yml", tmp_path)
    assert "figs.zh.yml" in str(err.value)


def test_a_table_that_is_not_yaml_says_where(tmp_path):
    (tmp_path / "figs.zh.yml").write_text("text:\n  a: [b\n", encoding="utf-8")
    with pytest.raises(TableError, match=r"figs.zh.yml: not YAML at line \d"):
        load_tables("figs.{language}.yml", tmp_path)


def draw():
    fig, ax = plt.subplots(figsize=(3, 2))
    ax.bar(["plain", "heavy"], [1, 2])
    ax.plot([0, 1], [1, 2], label="momentum $\\beta=0.9$")
    ax.set_title("distance to the minimum")
    ax.set_xlabel("step $k$")
    ax.legend()
    return fig


def svg(fig):
    import io

    out = io.StringIO()
    fig.savefig(out, format="svg", metadata={"Date": None})
    return out.getvalue()


def test_the_redrawn_figure_uses_the_table_and_leaves_the_english_one_as_it_was():
    tables = load_tables("docs/figure_text.{language}.yml", ROOT)
    text = {
        "plain": "普通",
        "heavy": "重球",
        "momentum $\\beta=#$": "动量 $\\beta=#$",
        "distance to the minimum": "到极小点的距离",
        "step $k$": "步数 $k$",
    }
    table = {**tables["zh"], "text": text}
    with plt.rc_context({"svg.hashsalt": "t"}):
        fig = draw()
        before = svg(fig)
        seen = {}
        with drawn_in(table, seen):
            chinese = svg(fig)
            title = fig.axes[0].get_title()
        after = svg(fig)
    plt.close(fig)
    assert before == after  # the English figure is untouched by its Chinese redraw
    assert chinese != before and title == "到极小点的距离"
    assert seen == {
        "plain": "普通",
        "heavy": "重球",
        "momentum $\\beta=0.9$": "动量 $\\beta=0.9$",
        "distance to the minimum": "到极小点的距离",
        "step $k$": "步数 $k$",
    }


@pytest.mark.parametrize(
    "text",
    [{"distance to the minimum": "到极小点的距离"}, {"step $k$": "步数 $k$"}],
    ids=["plain text", "beside mathematics"],
)
def test_a_character_the_font_lacks_stops_the_redraw(text):
    table = {"font": None, "alt": {}, "text": text}  # no CJK font: DejaVu Sans has no 到 or 步
    fig = draw()
    with pytest.raises(RuntimeError, match="lacks characters"), drawn_in(table, {}):
        svg(fig)
    plt.close(fig)


def test_a_run_draws_each_figure_in_each_language_and_records_what_its_text_became(tmp_path):
    script = tmp_path / "fig.py"
    script.write_text(
        "import matplotlib.pyplot as plt\n"
        "fig, ax = plt.subplots()\n"
        "ax.plot([1, 2], label='gradient descent')\n"
        "ax.set_xlabel('step')\n"
        "ax.legend()\n"
        "plt.show()\n"
    )
    out = tmp_path / "out"
    out.mkdir()
    tables = load_tables("docs/figure_text.{language}.yml", ROOT)
    tables["zh"]["text"] = {"gradient descent": "梯度下降"}
    (out / "figure_text.json").write_text(json.dumps(tables), encoding="utf-8")
    with matplotlib.rc_context():
        execute.run(script, out)
    meta = Record.load(RunDir(out, "fig"))
    assert not (out / "figure_text.json").exists()
    assert meta.figure_text == {"zh": {"gradient descent": "梯度下降", "step": None}}
    (figure,) = meta.figures
    zh = figure["languages"]["zh"]
    assert (zh["light"], zh["dark"]) == ("fig-1-light.zh.svg", "fig-1-dark.zh.svg")
    assert zh["alt"] == "子图；横轴：step；曲线：梯度下降"
    assert figure["alt"] == "a plot; x: step; curves: gradient descent"
    for name in (zh["light"], zh["dark"], figure["light"], figure["dark"]):
        assert (out / name).read_text().startswith("<?xml")
    record = dataclasses.replace(meta, key="k")
    out = RunDir(out, "fig")
    assert record.untranslated("zh") == ["step"]
    assert record.is_fresh(out, "k", tables)
    assert not record.is_fresh(out, "k", {})  # a language dropped
    tables["zh"]["text"]["step"] = "步数"  # a new entry: the run is stale, and re-runs
    assert not record.is_fresh(out, "k", tables)
    del tables["zh"]["text"]["step"]
    tables["zh"]["style"] = "another"  # another font or other alt words: stale too
    assert not record.is_fresh(out, "k", tables)


def test_a_tables_style_changes_with_its_font_and_alt_words_only(tmp_path):
    def style(table):
        write_table(tmp_path, "figs.zh.yml", table)
        return load_tables("figs.{language}.yml", tmp_path)["zh"]["style"]

    font = {"package": "mplfonts", "path": "fonts/NotoSansCJKsc-Regular.otf"}
    first = style({"font": font, "alt": {"plot": "子图"}, "text": {"a b": "甲乙"}})
    assert style({"font": font, "alt": {"plot": "子图"}, "text": {}}) == first
    assert style({"alt": {"plot": "子图"}, "text": {}}) != first
    assert style({"font": font, "alt": {"plot": "一幅图"}, "text": {}}) != first


def test_math_layouts_are_not_shared_between_the_fonts():
    """mathtext caches layouts by font family, not font: a redraw must not reuse the English
    layout of a log axis's ticks, nor leave its own for the next English figure."""
    from matplotlib.mathtext import MathTextParser

    tables = load_tables("docs/figure_text.{language}.yml", ROOT)
    fig, ax = plt.subplots(figsize=(3, 2))
    ax.semilogy([1, 10, 100])
    with plt.rc_context({"svg.hashsalt": "t"}):
        english = svg(fig)
        with drawn_in(tables["zh"], {}):
            assert MathTextParser._parse_cached.cache_info().currsize == 0
            chinese = svg(fig)
        assert MathTextParser._parse_cached.cache_info().currsize == 0
        assert svg(fig) == english != chinese
    plt.close(fig)
