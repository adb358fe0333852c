"""Figures on a phone (docrun.narrow): every recorded figure's smallest text is 9 CSS px or more on
a 360 px phone, in the wide layout or in the narrow one the page serves there; and the narrow
layout's rules (stacked panels, legends under them, no text under 9 points, a copy)."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import pytest
from conftest import RUNS, recorded

from docrun import narrow
from docrun.render import svg_size


@pytest.mark.parametrize("stem", sorted(s.stem for s in RUNS.scripts()))
def test_every_figure_reads_on_a_phone(stem):
    record = recorded(stem)
    for figure in record.figures:
        shown = figure.get("narrow", figure)
        for variant in (figure, *figure.get("languages", {}).values()):
            # the file the phone gets is as wide as recorded (its text is drawn at text_pt)
            name = variant.get("narrow", variant)["light"]
            assert svg_size(RUNS.dir(stem) / name)[0] == round(shown["width_px"]), name
        assert not narrow.needs_narrow(shown["text_pt"], shown["width_px"]), (stem, figure["n"])
        if "narrow" in figure:  # the wide layout is served only where its text reads
            margins = narrow.PHONE - narrow.PHONE_ARTICLE
            wide = figure["narrow"]["below_px"] + 1 - margins  # the article at the first wide view
            assert narrow.text_px(figure["text_pt"], figure["width_px"], wide) >= narrow.READABLE
            assert narrow.text_px(figure["text_pt"], figure["width_px"], wide - 1) < narrow.READABLE


def test_the_readable_width_is_where_the_text_reaches_9_px():
    # 10-point text in a 7-inch (672 px) figure: 13.3 * a / 672 >= 9 from an article of 454 px,
    # a viewport of 486 px: the narrow layout is served up to 485 px
    assert narrow.text_px(10, 672) == pytest.approx(6.51, abs=0.01)
    assert narrow.widest_readable(672, 10) == 485
    assert narrow.text_px(10, 300) == pytest.approx(13.33, abs=0.01)  # never scaled up


def row(n, **kwargs):
    fig, axes = plt.subplots(1, n, figsize=(4 * n, 3.5), sharey=True, **kwargs)
    for ax in axes:
        ax.plot([0, 1], [0, 1], label="a line")
        ax.set_title("a title as long as the wide figure is wide, which a phone must break")
    return fig, axes


def test_a_row_of_panels_becomes_a_column_of_the_phone_width():
    fig, _ = row(3)
    copy = narrow.narrowed(fig)
    assert tuple(copy.get_size_inches()) == pytest.approx((4.5, 3 * narrow.PANEL_HEIGHT))
    boxes = [ax.get_position() for ax in copy.axes]
    assert boxes[0].y0 > boxes[1].y1 and boxes[1].y0 > boxes[2].y1  # top to bottom, in order
    assert all(ax.yaxis.get_tick_params()["labelleft"] for ax in copy.axes)  # sharey hid them
    assert all(ax.title.get_wrap() for ax in copy.axes)
    assert tuple(fig.get_size_inches()) == (12, 3.5)  # the original is untouched
    plt.close("all")


def test_one_panel_keeps_its_colorbar_and_moves_its_legend_under_it():
    fig, ax = plt.subplots(figsize=(7, 3.8))
    image = ax.imshow([[0, 1], [1, 0]])
    fig.colorbar(image, ax=ax)
    ax.plot([0, 1], [0, 1], label="one")
    ax.plot([1, 0], [0, 1], label="two")
    ax.legend(fontsize=7)
    ax.annotate("small", (0, 0), fontsize=6)
    fig.tight_layout()
    copy = narrow.narrowed(fig)
    panel = next(a for a in copy.axes if a.get_label() != "<colorbar>")
    assert panel.get_legend() is None and len(copy.legends) == 1
    renderer = copy.canvas.get_renderer()
    legend = copy.legends[0].get_window_extent(renderer)
    assert legend.y1 < panel.get_tightbbox(renderer).y0  # under the panel, not over it
    assert narrow.smallest_text(copy) == narrow.SMALLEST and narrow.smallest_text(fig) == 6
    assert copy.get_figwidth() == narrow.WIDTH
    plt.close("all")


def test_a_layout_it_would_have_to_guess_at_gets_none():
    fig = plt.figure(figsize=(10, 4))
    fig.subplot_mosaic("AAB;CDB")  # panels spanning cells
    assert narrow.narrowed(fig) is None
    fig, axes = row(2)
    fig.colorbar(axes[0].imshow([[0, 1]]), ax=axes[0])  # a colorbar beside one of two panels
    assert narrow.narrowed(fig) is None
    plt.close("all")


def test_only_figures_whose_text_is_too_small_need_it():
    assert narrow.needs_narrow(10, 672)  # 6.5 px
    assert not narrow.needs_narrow(10, 432) and not narrow.needs_narrow(None, 672)  # 10.1 px
    fig, _ = row(2)
    assert narrow.smallest_text(fig) == 10  # matplotlib's default labels, ticks and legend
    plt.close("all")


def test_the_smallest_text_counts_tick_labels():
    fig, ax = plt.subplots(figsize=(7, 3.8))
    ax.set_title("a title")
    ax.tick_params(labelsize=7)  # the ticks' text exists only once the figure is drawn
    assert narrow.smallest_text(fig) == 7
    plt.close("all")
