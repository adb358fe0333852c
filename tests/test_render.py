"""What runs look like on a page: explorable grids and their errors, captions, notebooks."""

import json

import pytest

from docrun import render
from docrun.explore import ExploreError, frames_of, grid
from docrun.record import Record

STRINGS = {
    "output": "Output",
    "download": "Download",
    "ran_in": "ran in {seconds} s",
    "no_torch": "no torch",
    "setup_code": "Setup code",
    "cpu_device": "cpu ({model}, {threads} threads)",
}
NAMES = {
    "gamma": {"en": "momentum g", "zh": "动量系数 g"},
    "k90": {"en": "k₉₀", "zh": "k₉₀"},
    "regime": {"en": "regime", "zh": "状态"},
    "fast": {"en": "fast", "zh": "快"},
}


def figures(*labels):
    return [
        {"n": n, "light": f"s-{n}-light.svg", "dark": f"s-{n}-dark.svg", "alt": "", "label": lab}
        for n, lab in enumerate(labels, 1)
    ]


def record(*labels):
    return Record(
        script="snippets/s.py",
        status="ok",
        wall_s=1.0,
        device={"kind": "cpu", "model": "X", "threads": 1},
        torch_version="2.14.1",
        figures=figures(*labels),
    )


def test_labelled_frames_form_a_grid_and_unlabelled_figures_are_left_alone():
    frames = frames_of(
        figures("a=1, b=10 | r=0.5", "a=2, b=10 | r=1", "a=1, b=20 | r=2", "a=2, b=20 | r=4", None)
    )
    assert len(frames) == 4 and frames[0].readout == {"r": "0.5"}
    assert grid(frames) == {"a": ["1", "2"], "b": ["10", "20"]}
    assert grid(frames_of(figures("g=0.9", "g=0.5", "g=0.99"))) == {"g": ["0.5", "0.9", "0.99"]}


@pytest.mark.parametrize(
    "labels, message",
    [
        (["a=1, b=10", "a=2, b=10", "a=1, b=20"], "missing frame a=2, b=20 in the grid"),
        (["gamma 0.9"], "does not parse"),
        (["gamma=fast"], "gamma=fast is not a number"),
        (["g=1", "g=1"], "frame drawn twice: g=1"),
        ([None], "drew no labelled frames"),
        (["a=1, b=2, c=3"], "at most two"),
    ],
)
def test_bad_frames_are_one_line_each(labels, message):
    with pytest.raises(ExploreError, match=message):
        grid(frames_of(figures(*labels)))


def svgs(folder, n):
    for i in range(1, n + 1):
        (folder / f"s-{i}-light.svg").write_text('<svg width="36pt" height="18pt">')


def test_an_explorable_shows_the_middle_frame_with_readout_alt_and_all_frames(tmp_path):
    svgs(tmp_path, 3)
    rec = record(
        "gamma=0.5 | k90=4, regime=fast",
        "gamma=0.9 | k90=22, regime=fast",
        "gamma=0.99 | k90=230, regime=fast",
    )
    html = render.explorable(
        rec,
        "velocity for g = {gamma}, k90 {k90}",
        lambda n: f"u/{n}",
        tmp_path,
        STRINGS,
        NAMES,
        "zh",
    )
    assert 'value="1" data-param="gamma"' in html and 'max="2"' in html
    assert 'src="u/s-2-light.svg#only-light" alt="velocity for g = 0.9, k90 22"' in html
    assert ">动量系数 g = 0.9 · k₉₀ = 22 · 状态 = 快</p>" in html
    frames = json.loads(html.split('class="explorable-frames">')[1].split("</script>")[0])
    assert [f["params"]["gamma"] for f in frames] == ["0.5", "0.9", "0.99"]
    assert frames[2]["dark"] == "u/s-3-dark.svg#only-dark" and frames[0]["alt"].endswith("k90 4")


@pytest.mark.parametrize(
    "labels, alt, message",
    [
        (["gama=0.5"], "{gama}", "unknown parameter 'gama'"),
        (["gamma=0.5 | rho=1"], "{gamma}", "unknown parameter 'rho'"),
        (["gamma=0.5"], "{beta}", "alt text names 'beta'"),
    ],
)
def test_unknown_names_stop_the_page(tmp_path, labels, alt, message):
    with pytest.raises(ValueError, match=message):
        render.explorable(record(*labels), alt, str, tmp_path, STRINGS, NAMES, "en")


def test_figures_are_sized_lazy_and_captioned_with_details_behind_a_toggle(tmp_path):
    (tmp_path / "s-1-light.svg").write_text('<svg width="460.8pt" height="345.6pt" viewBox="0">')
    html = render.figure(record(None), 1, 'a "plot"', lambda n: n, tmp_path, STRINGS, "en")
    assert 'width="614" height="461" loading="lazy"' in html
    assert 'alt="a &quot;plot&quot;"' in html
    assert (
        "<summary>snippets/s.py · CPU · torch 2.14.1</summary>cpu (X, 1 threads) · ran in 1.0 s"
        in html
    )
    assert html.count("<img") == 2


def test_an_output_block_fence_outlasts_the_backticks_inside():
    block = render.output_block(record(), "a ``` b\n", STRINGS)
    assert block.startswith('````text title="Output"\na ``` b\n````')


def notebook_json():
    def cell(kind, source, **extra):
        return {"cell_type": kind, "source": source, "metadata": {}, **extra}

    setup = cell("code", "x = 6", outputs=[])
    setup["metadata"]["tags"] = ["collapse"]
    return {
        "cells": [
            cell("markdown", "# Title"),
            setup,
            cell("markdown", "Then we print."),
            cell(
                "code",
                "print(x)",
                outputs=[
                    {"output_type": "stream", "text": "6\n"},
                    {
                        "output_type": "display_data",
                        "data": {"text/plain": "a plot"},
                        "metadata": {"docrun_figure": 1},
                    },
                ],
            ),
        ]
    }


def test_a_notebook_becomes_markdown_with_downloads_under_its_title(tmp_path):
    svgs(tmp_path, 1)
    data = notebook_json()
    prose = render.prose_blocks(data, "# 标题\n<!-- cell -->\n然后打印。")
    rec = record(None)
    rec.figures[0]["alt"] = "a plot"
    zh = {"light": "s-1-light.zh.svg", "dark": "s-1-dark.zh.svg", "alt": "一幅图"}
    rec.figures[0]["languages"] = {"zh": zh}
    (tmp_path / zh["light"]).write_text((tmp_path / "s-1-light.svg").read_text())
    md = render.notebook(rec, data, prose, lambda n: n, tmp_path, "DL", STRINGS, "en")
    parts = md.split("\n\n")
    assert parts[0] == "# 标题" and parts[1].startswith(
        '<p class="downloads">DL</p><div class="prov'
    )
    assert '??? note "Setup code"\n\n    ```python\n    x = 6\n    ```' in md
    assert "然后打印。\n\n```python\nprint(x)\n```\n\n```text\n6\n```" in md
    assert 'src="s-1-light.svg#only-light" alt="a plot"' in md
    md = render.notebook(rec, data, prose, lambda n: n, tmp_path, "DL", STRINGS, "zh")
    assert 'src="s-1-light.zh.svg#only-light" alt="一幅图"' in md  # drawn in the page's language
    assert 'src="s-1-dark.zh.svg#only-dark" alt="一幅图"' in md


def test_a_translation_needs_one_block_per_prose_cell():
    with pytest.raises(ValueError, match="1 translated blocks for 2 Markdown cells"):
        render.prose_blocks(notebook_json(), "# only one")


def test_a_source_page_anchors_each_function_at_its_first_decorator(tmp_path):
    path = tmp_path / "test_x.py"
    path.write_text("import pytest\n\n\n@pytest.mark.a\ndef test_one():\n    pass\n")
    page = render.source_page(path, "tests/test_x.py")
    assert '<a id="test_one"></a><a id="L-4"' in page and "<title>tests/test_x.py</title>" in page


def test_a_two_parameter_explorable_starts_at_the_middle_of_both_and_checks_readouts(tmp_path):
    labels = [f"a={a}, b={b} | k90={a * b}" for a in (1, 2, 3) for b in (10, 20)]
    svgs(tmp_path, len(labels))
    names = {n: {"en": n} for n in ("a", "b", "k90")}
    html = render.explorable(record(*labels), "{a} {b}", str, tmp_path, STRINGS, names, "en")
    assert 'value="1" data-param="a"' in html and 'value="1" data-param="b"' in html
    assert 'alt="2 20"' in html and ">a = 2 · b = 20 · k90 = 40</p>" in html
    with pytest.raises(ExploreError, match="reads out"):
        grid(frames_of(figures("a=1 | k90=1", "a=2 | rho=1")))


def test_a_source_page_offers_the_file_and_the_helpers_it_imports(tmp_path):
    (tmp_path / "_helper.py").write_text("X = 1\n")
    path = tmp_path / "script.py"
    path.write_text("from _helper import X\n\nprint(X)\n")
    page = render.source_page(path, "snippets/page/script.py", [tmp_path / "_helper.py"])
    assert '<a href="script.py" download>script.py</a>' in page
    assert 'it imports <a href="_helper.py" download>_helper.py</a>' in page
    alone = render.source_page(path, "snippets/page/script.py")
    assert "it imports" not in alone and 'href="script.py"' in alone


def test_a_figure_with_a_phone_layout_serves_it_below_its_readable_width(tmp_path):
    (tmp_path / "s-1-light.svg").write_text('<svg width="504pt" height="273.6pt" viewBox="0">')
    (tmp_path / "s-1-narrow-light.svg").write_text('<svg width="324pt" height="230pt" viewBox="0">')
    rec = record(None)
    narrow = {"light": "s-1-narrow-light.svg", "dark": "s-1-narrow-dark.svg", "below_px": 485}
    rec.figures[0]["narrow"] = narrow
    html = render.figure(rec, 1, "a plot", lambda n: f"u/{n}", tmp_path, STRINGS, "en")
    for theme in ("light", "dark"):
        assert (
            f'<picture><source media="(max-width: 485px)" srcset="u/s-1-narrow-{theme}.svg" '
            f'width="432" height="307"><img src="u/s-1-{theme}.svg#only-{theme}" alt="a plot" '
            f'width="672" height="365"'
        ) in html
    assert html.count("<picture>") == 2 and html.count("</picture>") == 2


def test_an_explorable_frame_names_its_phone_layout(tmp_path):
    svgs(tmp_path, 2)
    rec = record("gamma=0.5", "gamma=0.9")
    for f in rec.figures:
        f["narrow"] = {t: f"s-{f['n']}-narrow-{t}.svg" for t in ("light", "dark")}
        f["narrow"]["below_px"] = 700
        (tmp_path / f["narrow"]["light"]).write_text('<svg width="324pt" height="230pt">')
    html = render.explorable(rec, "{gamma}", lambda n: f"u/{n}", tmp_path, STRINGS, NAMES, "en")
    frames = json.loads(html.split('class="explorable-frames">')[1].split("</script>")[0])
    assert frames[1]["narrow-dark"] == "u/s-2-narrow-dark.svg"
    assert 'media="(max-width: 700px)" srcset="u/s-2-narrow-light.svg"' in html  # the middle one
