"""The dark variant of a figure: foreground, legend, data colours, arrows and contour lines."""

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.colors import to_hex

from docrun.theme import DARK, LIGHT, OKABE_ITO, describe, light_rc, to_dark


def test_dark_variant_recolours_what_would_vanish_on_slate():
    with plt.rc_context(light_rc()):
        fig, ax = plt.subplots()
        (line,) = ax.plot([0, 1], [0, 1], label="first series")
        note = ax.annotate("", (1, 1), (0, 0), arrowprops={"color": "C0"})
        xs, ys = np.meshgrid(np.linspace(-1, 1, 20), np.linspace(-1, 1, 20))
        contours = ax.contour(xs, ys, xs**2 + ys**2, cmap="viridis")
        ax.set_title("Title")
        legend = ax.legend()
    assert to_hex(line.get_color()) == OKABE_ITO[0].lower()
    lowest_before = contours.get_cmap()(0.0)
    to_dark(fig)
    assert to_hex(line.get_color()) == "#56b4e9"  # blue reads at 3.1:1 on slate, sky blue at 7:1
    assert to_hex(note.arrow_patch.get_edgecolor()) == "#56b4e9"
    assert to_hex(ax.title.get_color()) == DARK["fg"]
    assert to_hex(ax.spines["left"].get_edgecolor()) == DARK["fg"]
    assert to_hex(legend.get_frame().get_facecolor()) == DARK["bg"]
    assert sum(contours.get_cmap()(0.0)[:3]) > sum(lowest_before[:3]) + 0.3  # brighter lines
    plt.close(fig)


def test_light_theme_keeps_the_first_four_colours_at_3_to_1_on_white():
    def luminance(hex_colour):
        c = np.array([int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5)])
        c = np.where(c <= 0.03928, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)
        return c @ [0.2126, 0.7152, 0.0722]

    white = luminance(LIGHT["bg"])
    for colour in OKABE_ITO[:4]:
        assert (white + 0.05) / (luminance(colour) + 0.05) >= 3.0, colour


def test_alt_text_comes_from_what_the_figure_says():
    fig, ax = plt.subplots()
    ax.plot([1, 2], label="SGD")
    ax.set(title="Loss", xlabel="step", ylabel="loss", yscale="log")
    ax.legend()
    assert describe(fig) == '"Loss"; x: step; y: loss (log scale); curves: SGD'
    plt.close(fig)
