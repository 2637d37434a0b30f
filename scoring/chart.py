"""The trend chart posted with the weekly digest, as PNG bytes.

Built on ``matplotlib.figure.Figure`` with the Agg canvas and no pyplot: pyplot keeps global
state, which is unsafe when several digests render at once. Sizes and fonts target a chat
preview (about 1200x600 px), and the output is byte-for-byte deterministic so identical
input gives an identical upload (handy for tests and for skipping duplicate posts).
"""

from __future__ import annotations

import io
import math
from collections.abc import Sequence

from scoring.trend import TrendPoint

WIDTH_IN = 12.0
HEIGHT_IN = 6.0
DPI = 100
_LINE = "#1f6feb"
_BAND = "#1f6feb"
_BARS = "#8c959f"
_FONT = 15


def render_trend_chart(points: Sequence[TrendPoint], *, title: str) -> bytes:
    """Draw weekly NPS with its interval and the number of responses.

    Only weeks whose estimate is shown (reliability not "insufficient") get a point, a value
    label and a shaded interval; other weeks leave a gap in the line, so a score from three
    answers is never drawn. Indicative weeks have hollow markers. Response counts are grey
    bars on a secondary axis kept in the lower third, under the line.

    Args:
        points: Output of :func:`scoring.trend.trend`, oldest first.
        title: Chart title, e.g. the survey name.

    Returns:
        PNG bytes, 1200x600 px.
    """
    # Imported here so that importing ``scoring`` (done by the bot on every start) does not
    # pay for matplotlib unless a chart is actually drawn.
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    fig = Figure(figsize=(WIDTH_IN, HEIGHT_IN), dpi=DPI, layout="constrained")
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    bars_ax = ax.twinx()
    ax.set_zorder(bars_ax.get_zorder() + 1)  # the line above the bars
    ax.patch.set_visible(False)

    xs = list(range(len(points)))
    shown = [p.estimate.display is not None for p in points]
    counts = [p.estimate.n for p in points]
    values = [
        p.estimate.nps if ok and p.estimate.nps is not None else math.nan
        for p, ok in zip(points, shown, strict=True)
    ]
    lows = [p.estimate.low if ok else math.nan for p, ok in zip(points, shown, strict=True)]
    highs = [p.estimate.high if ok else math.nan for p, ok in zip(points, shown, strict=True)]

    bars_ax.bar(xs, counts, width=0.6, color=_BARS, alpha=0.35, label="Responses")
    bars_ax.set_ylim(0, max([*counts, 1]) * 3)
    bars_ax.set_ylabel("Responses", fontsize=_FONT, color="#57606a")
    bars_ax.tick_params(axis="y", labelsize=_FONT - 2, colors="#57606a")
    bars_ax.yaxis.set_major_locator(MaxNLocator(nbins=5, integer=True))

    level = points[0].estimate.level if points else 0.95
    ax.fill_between(
        xs, lows, highs, color=_BAND, alpha=0.15, linewidth=0, label=f"{level:.0%} interval"
    )
    for x, ok, low, high in zip(xs, shown, lows, highs, strict=True):
        isolated = ok and not (x > 0 and shown[x - 1]) and not (x + 1 < len(xs) and shown[x + 1])
        if isolated:  # fill_between cannot draw a band one week wide
            ax.vlines(x, low, high, color=_BAND, alpha=0.35, linewidth=8)
    ax.plot(xs, values, color=_LINE, linewidth=3, label="NPS")
    for x, point, value in zip(xs, points, values, strict=True):
        if math.isnan(value):
            continue
        hollow = point.estimate.reliability == "indicative"
        ax.plot(
            [x],
            [value],
            marker="o",
            markersize=10,
            color=_LINE,
            markerfacecolor="white" if hollow else _LINE,
            markeredgewidth=2.5,
        )
        ax.annotate(
            f"{point.estimate.display:+d}" if point.estimate.display else "0",
            (x, value),
            textcoords="offset points",
            xytext=(0, 12),
            ha="center",
            fontsize=_FONT - 1,
            fontweight="bold",
            color=_LINE,
        )

    ax.axhline(0, color="#24292f", linewidth=1.2)
    ax.set_ylim(-100, 100)
    ax.set_yticks(range(-100, 101, 50))
    ax.set_xlim(-0.6, max(len(xs), 1) - 0.4)
    ax.set_xticks(xs, [p.label for p in points])
    ax.tick_params(axis="both", labelsize=_FONT - 1)
    ax.set_ylabel("NPS", fontsize=_FONT)
    ax.grid(axis="y", alpha=0.3)
    ax.set_title(title, fontsize=_FONT + 5, fontweight="bold", loc="left")
    if not any(shown):
        ax.text(
            0.5,
            0.75,
            "Not enough answers to show a score yet",
            transform=ax.transAxes,
            ha="center",
            va="center",
            fontsize=_FONT + 2,
            color="#57606a",
            bbox={"facecolor": "white", "edgecolor": "none"},
        )
    handles, labels = ax.get_legend_handles_labels()
    bar_handles, bar_labels = bars_ax.get_legend_handles_labels()
    fig.legend(  # in the top margin, beside the title, so it never covers a data point
        handles + bar_handles,
        labels + bar_labels,
        loc="outside upper right",
        fontsize=_FONT - 2,
        frameon=False,
        ncols=3,
    )

    buffer = io.BytesIO()
    # No "Software" (matplotlib version) or time stamps: same input, same bytes.
    fig.savefig(buffer, format="png", dpi=DPI, metadata={"Software": None})
    return buffer.getvalue()
