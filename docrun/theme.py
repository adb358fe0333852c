"""Draw every figure once for Material's light theme and once for its dark theme.

Figures are transparent, so only the foreground (text, axes, ticks) and the legend's background
change between the two. Data colours come from the Okabe-Ito palette, which colour-blind readers
can tell apart, ordered so that the first four stand out from white at 3:1 or more (WCAG's bar
for graphics); on the dark background its blue and sky blue trade places for the same reason,
and contour lines drawn from a colour map skip the map's darkest quarter.
"""

import numpy as np
from matplotlib.colors import ListedColormap, to_rgba
from matplotlib.contour import ContourSet
from matplotlib.text import Text

from docrun.translate import ALT_WORDS

LIGHT = {"fg": "#1f2328", "bg": "#ffffff"}
DARK = {"fg": "#d6dbe1", "bg": "#1e2129"}  # Material's slate background
OKABE_ITO = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#999999"]
DARK_SWAPS = {"#0072B2": "#56B4E9", "#56B4E9": "#0072B2"}  # blue is 3.1:1 on slate, sky blue 7:1


def light_rc():
    """Matplotlib settings the runner applies before a script runs (looks only, no results)."""
    fg = LIGHT["fg"]
    return {
        "axes.prop_cycle": f"cycler('color', {OKABE_ITO!r})",
        "figure.facecolor": "none",
        "axes.facecolor": "none",
        "savefig.facecolor": "none",
        "savefig.transparent": True,
        "legend.facecolor": LIGHT["bg"],
        "legend.framealpha": 0.85,
        "text.color": fg,
        "axes.labelcolor": fg,
        "axes.edgecolor": fg,
        "xtick.color": fg,
        "ytick.color": fg,
        "grid.color": "#8c959f",
        "grid.alpha": 0.35,
        "figure.dpi": 100,
        "svg.hashsalt": "momentum",  # stable ids, so an unchanged figure gives an unchanged file
        "image.cmap": "viridis",
    }


_COLOR_PROPERTIES = ("color", "edgecolor", "facecolor", "markeredgecolor", "markerfacecolor")


def _swapped(rgba, table):
    for src, dst in table:
        if np.allclose(rgba[:3], src[:3], atol=0.02):
            return (*dst[:3], rgba[3])
    return None


def to_dark(fig):
    """Recolour a light-theme figure in place for the dark theme."""
    table = [
        (to_rgba(LIGHT["fg"]), to_rgba(DARK["fg"])),
        (to_rgba("black"), to_rgba(DARK["fg"])),
        (to_rgba(LIGHT["bg"]), to_rgba(DARK["bg"])),
        *((to_rgba(a), to_rgba(b)) for a, b in DARK_SWAPS.items()),
    ]
    artists = fig.findobj()
    # an annotation's arrow and a text's box are drawn by their text, not listed as its children
    artists += [
        patch
        for a in artists
        if isinstance(a, Text)
        for patch in (getattr(a, "arrow_patch", None), a.get_bbox_patch())
        if patch is not None
    ]
    for artist in artists:
        if isinstance(artist, ContourSet) and not artist.filled and artist.colors is None:
            cmap = artist.get_cmap()  # its darkest lines would vanish on the dark background
            artist.set_cmap(ListedColormap(cmap(np.linspace(0.25, 1, 256)), name=cmap.name))
        for prop in _COLOR_PROPERTIES:
            getter, setter = (
                getattr(artist, f"get_{prop}", None),
                getattr(artist, f"set_{prop}", None),
            )
            if getter is None or setter is None:
                continue
            try:
                value = getter()
            except (AttributeError, TypeError):
                continue
            if isinstance(value, np.ndarray) and value.ndim == 2:  # collections: one row each
                rows = [_swapped(tuple(row), table) or tuple(row) for row in value]
                if rows and any(_swapped(tuple(r), table) for r in value):
                    setter(rows)
            elif isinstance(value, (str, tuple, list, np.ndarray)) and not _is_none(value):
                new = _swapped(to_rgba(value), table)
                if new is not None:
                    setter(new)


def _is_none(value):
    return isinstance(value, str) and value.lower() in ("none", "auto", "inherit")


def describe(fig, words=None):
    """Alt text from what the figure itself says: titles, axis labels, scales and legends."""
    words = {**ALT_WORDS, **(words or {})}
    parts = []
    for ax in fig.get_axes():
        if not ax.get_visible() or not (ax.has_data() or ax.get_title()):
            continue
        title = ax.get_title()
        bits = [words["title"].format(title=title) if title else words["plot"]]
        for name, label, scale in (
            ("x", ax.get_xlabel(), ax.get_xscale()),
            ("y", ax.get_ylabel(), ax.get_yscale()),
        ):
            if label:
                if scale != "linear":
                    scale = words.get(scale, scale)  # "log" in the alt text's language
                    label = words["scale"].format(label=label, scale=scale)
                bits.append(words[name].format(label=label))
        legend = ax.get_legend()
        if legend is not None:
            labels = words["list"].join(t.get_text() for t in legend.get_texts())
            bits.append(words["curves"].format(labels=labels))
        parts.append(words["sep"].join(bits))
    suptitle = fig.get_suptitle()
    title = words["suptitle"].format(title=suptitle) if suptitle else ""
    return (title + words["panels"].join(parts)) or words["figure"]
