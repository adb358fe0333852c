"""A figure redrawn for a phone: narrower, its panels stacked, its text no smaller.

A figure is scaled to fit the article, so on a 360 px phone (a 328 px article) text of s points
in a figure w points wide renders at s * 4/3 * 328 / (w * 4/3) = 328 s / w CSS px. Below 9 px it
cannot be read, and a 7-inch figure's 10-point labels come out at 6.5 px. The narrow variant is
WIDTH inches wide, with a row of panels turned into a column and no text under SMALLEST points
(9 points: 9.1 px at 328 px), and the page serves it up to the width where the wide one's
smallest text reaches READABLE px.
"""

import math
import pickle

from matplotlib.gridspec import GridSpec
from matplotlib.layout_engine import PlaceHolderLayoutEngine
from matplotlib.text import Text

READABLE = 9  # CSS px: the smallest text a phone reader can read
PHONE = 360  # CSS px: a small phone's width
PHONE_ARTICLE = PHONE - 32  # CSS px: less Material's 16 px margin on each side
WIDTH = 4.5  # inches
SMALLEST = 9  # points: READABLE px on a phone at WIDTH, 9 * 4/3 * 328 / 432 = 9.1
PANEL_HEIGHT = 3.2  # inches at most, for each stacked panel: a column of panels stays short


def smallest_text(fig):
    """The size in points of the smallest visible text the figure draws (None: it has none)."""
    fig.draw_without_rendering()  # tick labels get their text only when the figure is drawn
    sizes = [
        t.get_fontsize() for t in fig.findobj(Text) if t.get_visible() and t.get_text().strip()
    ]
    return min(sizes, default=None)


def text_px(text_pt, width_px, article=PHONE_ARTICLE):
    """CSS px of text_pt-point text in a figure width_px wide, scaled to fit the article."""
    return text_pt * 4 / 3 * min(1, article / width_px)


def widest_readable(width_px, text_pt):
    """The widest viewport (CSS px) at which a figure width_px wide shows text of text_pt points
    smaller than READABLE px: up to there a narrow variant is served."""
    article = READABLE * width_px / (text_pt * 4 / 3)  # where text_pt reaches READABLE px
    return math.ceil(article) + (PHONE - PHONE_ARTICLE) - 1


def needs_narrow(text_pt, width_px):
    """Whether a figure width_px wide whose smallest text is text_pt points (None: no text)
    shows text under READABLE px on a phone."""
    return text_pt is not None and text_px(text_pt, width_px) < READABLE


def narrowed(fig):
    """A copy of fig laid out WIDTH wide, its panels one under another. None when it
    has several panels that are not one simple row or column of a grid (a nested grid, a panel
    spanning cells, a colorbar beside one of them), which it would have to guess at."""
    try:
        copy = pickle.loads(pickle.dumps(fig))
    except (pickle.PicklingError, TypeError, AttributeError):
        return None  # an artist that cannot be copied (a lambda formatter, say)
    wide, tall = fig.get_size_inches()
    panels = [ax for ax in copy.axes if ax.get_label() != "<colorbar>"]
    if len(panels) == 1:  # its colorbar, if any, follows it
        height = tall * math.sqrt(WIDTH / wide)  # between its aspect and its height
    else:
        specs = [ax.get_subplotspec() for ax in copy.axes]
        if None in specs or len({s.get_gridspec() for s in specs}) != 1:
            return None
        rows, cols = specs[0].get_gridspec().get_geometry()
        if min(rows, cols) != 1 or any(len(s.rowspan) * len(s.colspan) != 1 for s in specs):
            return None
        column = GridSpec(len(specs), 1, figure=copy)
        order = sorted(specs, key=lambda s: s.rowspan.start + s.colspan.start)
        for ax, spec in zip(copy.axes, specs, strict=True):
            ax.set_subplotspec(column[order.index(spec), 0])
            ax.tick_params(labelleft=True, labelbottom=True)  # shared axes hid them in a row
        panel = min(PANEL_HEIGHT, tall * math.sqrt(WIDTH / (wide / len(specs))))
        height = panel * len(specs)
    copy.set_size_inches(WIDTH, height)
    for text in (copy._suptitle, *(t for ax in copy.axes for t in titles_and_labels(ax))):
        if text is not None:
            text.set_wrap(True)  # a title as wide as the wide figure breaks over lines
    for text in copy.findobj(Text):
        text.set_fontsize(max(text.get_fontsize(), SMALLEST))
    # a figure legend in a row is too wide for a phone, and a legend inside one narrower panel
    # would hide the plot: both go under the panels
    inside = [panels[0].get_legend()] if len(panels) == 1 else []
    for legend in [*copy.legends, *filter(None, inside)]:
        below(copy, legend)
    if copy.legends:  # taller by the legends' height, so the panels keep theirs
        copy.set_size_inches(WIDTH, height / (1 - legends_height(copy)))
    engine = copy.get_layout_engine()
    if engine is None or isinstance(engine, PlaceHolderLayoutEngine):  # laid out once: again
        for _ in range(2):  # twice: a title wraps by where the first pass put its panel
            copy.tight_layout(rect=(0, legends_height(copy), 1, 1))
    return copy


def below(fig, legend):
    """Replace legend by a figure legend under the panels, in two columns if they fit."""
    labels = [t.get_text() for t in legend.get_texts()]
    title = legend.get_title().get_text() or None
    legend.remove()

    def add(ncols):
        return fig.legend(
            legend.legend_handles, labels, title=title, loc="lower center", ncols=ncols,
            frameon=legend.get_frame_on(),
            fontsize=max(SMALLEST, legend.get_texts()[0].get_fontsize()),
        )  # fmt: skip

    two = add(min(2, len(labels)))
    if two.get_window_extent(fig.canvas.get_renderer()).width > fig.bbox.width:
        two.remove()
        add(1)


def titles_and_labels(ax):
    return (ax.title, ax._left_title, ax._right_title, ax.xaxis.label, ax.yaxis.label)


def legends_height(fig):
    """The fraction of fig's height its figure legends below the panels take (Matplotlib's
    tight_layout leaves figure legends out)."""
    renderer = fig.canvas.get_renderer()
    boxes = [legend.get_window_extent(renderer) for legend in fig.legends]
    below = [box.y1 for box in boxes if box.y0 < fig.bbox.height / 2]
    return max(below, default=0) / fig.bbox.height
