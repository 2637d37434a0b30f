"""Where the trend chart's two panels go, so that every label, legend and title fits.

matplotlib's constrained layout found the same places, but it measures every text of the
figure twice on each draw (its second pass is for ticks that move with the axes; the
chart's ticks are fixed): a third of the chart's CPU. Here each panel is measured once.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure
    from matplotlib.text import Text

PAD = 3 / 72
"""Inches of air around each panel and the title, as matplotlib's constrained layout leaves."""
HEIGHT_RATIO = 2.3
"""The NPS panel's height over the mix panel's."""


def fit(fig: Figure, heading: Text, nps_ax: Axes, mix_ax: Axes) -> None:
    """Place the title at the top, the NPS panel under it and the mix panel at the bottom,
    sharing one width, with the margins and padding constrained layout leaves."""
    renderer = fig.canvas.get_renderer()  # type: ignore[attr-defined]
    width, height = fig.bbox.width, fig.bbox.height
    pad = PAD * fig.dpi
    heading.set(y=1 - pad / height, verticalalignment="top")
    # How far each panel's labels, ticks, legend and titles reach past its frame (pixels).
    reach = {}
    for ax in (nps_ax, mix_ax):
        # Only what can reach outside: the axes clip bars, lines and markers to the frame.
        outside = [artist for artist in (ax.get_legend(), *ax.texts) if artist is not None]
        frame = ax.get_position().transformed(fig.transFigure)
        whole = ax.get_tightbbox(renderer, bbox_extra_artists=outside, for_layout_only=True)
        assert whole is not None, "each panel draws something"
        reach[ax] = (
            frame.x0 - whole.x0,
            whole.x1 - frame.x1,
            frame.y0 - whole.y0,
            whole.y1 - frame.y1,
        )
    left = pad + max(r[0] for r in reach.values())
    right = width - pad - max(r[1] for r in reach.values())
    top = height - 3 * pad - heading.get_window_extent(renderer).height - reach[nps_ax][3]
    bottom = pad + reach[mix_ax][2]
    mix_height = (top - bottom - reach[nps_ax][2] - reach[mix_ax][3] - 2 * pad) / (1 + HEIGHT_RATIO)
    for ax, y0, panel in (
        (nps_ax, top - HEIGHT_RATIO * mix_height, HEIGHT_RATIO * mix_height),
        (mix_ax, bottom, mix_height),
    ):
        ax.set_position((left / width, y0 / height, (right - left) / width, panel / height))
