"""The trend chart posted with the weekly digest, as PNG bytes.

Two panels on one time axis: NPS with its interval band on top, and under it each week's
promoter/passive/detractor mix as stacked bars of shares, with the week's n written on the
bar (counts need no second axis). Only weeks since the first answer are drawn, labelled
with their year. A week whose change from the week before is significant gets an arrow;
weeks with few answers are drawn hollow, and the legend says why.

Built on ``matplotlib.figure.Figure`` with the Agg canvas and no pyplot: pyplot keeps global
state, which is unsafe when several digests render at once. Sizes and fonts target a chat
preview (1200x600 px) and the output is byte-for-byte deterministic, so identical input
gives an identical upload. Slack and Telegram get the same PNG. Its words are the team's
(`chart.*` keys), passed in as `Phrases` like the digest's own sentences.
"""

from __future__ import annotations

import importlib.util
import io
import math
import re
from collections.abc import Sequence
from functools import cache
from itertools import pairwise
from pathlib import Path
from typing import TYPE_CHECKING

from scoring.change import compare
from scoring.chart_layout import HEIGHT_RATIO, fit
from scoring.nps import SamplePolicy
from scoring.phrases import Phrases
from scoring.trend import TrendPoint

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

WIDTH_IN = 12.0
HEIGHT_IN = 6.0
DPI = 100
MAX_WEEKS = 12
PNG_COMPRESSION = 3
"""zlib's level for the PNG: a third less CPU than the default 6, for 4% more bytes."""
_LINE = "#1f6feb"
_UP = "#1a7f37"
_DOWN = "#cf222e"
_MIX = {"promoters": "#2da44e", "passives": "#afb8c1", "detractors": "#e5534b"}
_MUTED = "#57606a"
_FONT = 13
_CJK = re.compile(r"[\u3000-\u9fff\uff00-\uffef]")
"""Characters DejaVu Sans lacks (kana, kanji, full-width forms): a Japanese team's labels."""


@cache
def font_families() -> tuple[str, ...]:
    """DejaVu Sans (matplotlib's own, for Latin scripts), then IPAex Gothic for the Japanese
    glyphs it lacks. The font ships in matplotlib-fontja and is registered from its file:
    importing that package would restyle every figure of the process."""
    from matplotlib import font_manager

    spec = importlib.util.find_spec("matplotlib_fontja")
    places = list(spec.submodule_search_locations or []) if spec else []
    fonts = (Path(place) / "fonts" / "ipaexg.ttf" for place in places)
    japanese = next((font for font in fonts if font.is_file()), None)
    if japanese is None:
        return ("DejaVu Sans",)
    font_manager.fontManager.addfont(str(japanese))
    return ("DejaVu Sans", font_manager.FontProperties(fname=japanese).get_name())


def weeks_shown(points: Sequence[TrendPoint]) -> list[TrendPoint]:
    """The last ``MAX_WEEKS`` points from the first week with an answer on.

    All of them when no week has an answer, so an empty chart still shows its time span.
    """
    first = next((i for i, point in enumerate(points) if point.n), None)
    shown = list(points) if first is None else list(points[first:])
    return shown[-MAX_WEEKS:]


def _label(words: Phrases, point: TrendPoint) -> str:
    """The ISO week over its year, `W48` / `2025` (on two lines under the bars)."""
    year, week, _ = point.week_start.isocalendar()
    return words.t("chart.week", week=format(week, "02d"), year=year)


def _changes(points: Sequence[TrendPoint]) -> list[str]:
    """ "up", "down" or "none" for each week against the week before (both shown)."""
    result = ["none"]
    for before, after in pairwise(points):
        shown = before.estimate.display is not None and after.estimate.display is not None
        result.append(compare(after.estimate, before.estimate).direction if shown else "none")
    return result


def _drawn_nps(point: TrendPoint) -> float:
    """The NPS to plot; NaN, a gap in the line, for a week whose figure is withheld."""
    nps = point.estimate.nps
    return nps if point.estimate.display is not None and nps is not None else math.nan


def _draw_nps(ax: Axes, points: Sequence[TrendPoint], policy: SamplePolicy, words: Phrases) -> None:
    xs = list(range(len(points)))
    shown = [p.estimate.display is not None for p in points]
    values = [_drawn_nps(p) for p in points]
    lows = [p.estimate.low if ok else math.nan for p, ok in zip(points, shown, strict=True)]
    highs = [p.estimate.high if ok else math.nan for p, ok in zip(points, shown, strict=True)]
    level = points[0].estimate.level if points else 0.95
    interval = words.t("chart.interval", level=format(level, ".0%"))
    ax.fill_between(xs, lows, highs, color=_LINE, alpha=0.15, linewidth=0, label=interval)
    for x, ok in enumerate(shown):
        if ok and not (x > 0 and shown[x - 1]) and not (x + 1 < len(xs) and shown[x + 1]):
            ax.vlines(x, lows[x], highs[x], color=_LINE, alpha=0.35, linewidth=8)  # one week
    ax.plot(xs, values, color=_LINE, linewidth=3, label="NPS", gid="nps-line")
    hollow_label = _hollow_reason(policy, words)
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
            linestyle="none",
            gid="nps-point-hollow" if hollow else "nps-point",
            label=hollow_label if hollow else "_nolegend_",
        )
        hollow_label = "_nolegend_" if hollow else hollow_label
        ax.annotate(
            f"{point.estimate.display:+d}" if point.estimate.display else "0",
            (x, value),
            textcoords="offset points",
            xytext=(0, 12),
            ha="center",
            fontsize=_FONT,
            fontweight="bold",
            color=_LINE,
        )
    labels = {"up": words.t("chart.rise"), "down": words.t("chart.fall")}
    for x, change in enumerate(_changes(points)):
        if change == "none":
            continue
        ax.plot(
            [x],
            [values[x] - 17],  # under the point: the value label is above it
            marker="^" if change == "up" else "v",
            markersize=13,
            color=_UP if change == "up" else _DOWN,
            linestyle="none",
            gid=f"significant-{change}",
            label=labels.pop(change, "_nolegend_"),
        )
    ax.axhline(0, color="#24292f", linewidth=1.2)
    ax.set_ylim(-100, 100)
    ax.set_yticks(range(-100, 101, 50))
    ax.set_ylabel("NPS", fontsize=_FONT)
    ax.grid(axis="y", alpha=0.3)
    if not any(shown):
        ax.text(
            0.5,
            0.7,
            words.t("chart.not_enough", min_n=policy.min_n),
            transform=ax.transAxes,
            ha="center",
            va="center",
            fontsize=_FONT + 2,
            color=_MUTED,
            bbox={"facecolor": "white", "edgecolor": "none"},
        )


def _hollow_reason(policy: SamplePolicy, words: Phrases) -> str:
    return words.t(
        "chart.hollow_reason",
        reliable_n=policy.reliable_n,
        max_margin=format(policy.max_margin, ".0f"),
        min_n=policy.min_n,
    )


def _draw_mix(ax: Axes, points: Sequence[TrendPoint], policy: SamplePolicy, words: Phrases) -> None:
    from matplotlib.patches import Patch

    xs = list(range(len(points)))
    bottom = [0.0] * len(points)
    small = [p.n > 0 and p.estimate.reliability != "reliable" for p in points]
    handles = []
    for name, share_of, label in (
        ("detractors", lambda p: p.estimate.counts.detractor_share, words.t("chart.detractors")),
        ("passives", lambda p: p.estimate.counts.passive_share, words.t("chart.passives")),
        ("promoters", lambda p: p.estimate.counts.promoter_share, words.t("chart.promoters")),
    ):
        shares = [100.0 * share_of(p) for p in points]
        bars = ax.bar(
            xs, shares, bottom=bottom, width=0.62, color=_MIX[name], edgecolor=_MIX[name],
            linewidth=1.5, gid=f"mix-{name}",
        )  # fmt: skip
        handles.append(Patch(facecolor=_MIX[name], label=label))
        for bar, hollow, point in zip(bars, small, points, strict=True):
            if point.n == 0:
                bar.set_linewidth(0)  # no answers: no bar, not a line at 0%
            elif hollow:
                bar.set_facecolor("white")
                bar.set_hatch("//")
        bottom = [b + s for b, s in zip(bottom, shares, strict=True)]
    for x, point in enumerate(points):
        ax.text(x, 103, f"n={point.n}", ha="center", va="bottom", fontsize=_FONT - 3,
                color=_MUTED)  # fmt: skip
    handles.reverse()  # promoters on top, as in the bars
    if any(small):
        why = words.t("chart.hollow_week")
        handles.append(Patch(facecolor="white", edgecolor=_MUTED, hatch="//", label=why))
    ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.01, 1.0),
              fontsize=_FONT - 2, frameon=False)  # fmt: skip
    ax.set_ylim(0, 118)
    ax.set_yticks([0, 50, 100], ["0%", "50%", "100%"])
    ax.set_ylabel(words.t("chart.mix"), fontsize=_FONT)


def _subtitle(words: Phrases, points: Sequence[TrendPoint]) -> str:
    """`Weekly NPS, W47 2025 to W02 2026 (8 weeks since the first answer)`."""
    if not points:
        return words.t("chart.no_weeks")
    first, last = (_label(words, p).replace("\n", " ") for p in (points[0], points[-1]))
    if not any(p.n for p in points):
        weeks = words.t("chart.no_answers")
    elif len(points) == 1:
        weeks = words.t("chart.weeks_one", count=1)
    else:
        weeks = words.t("chart.weeks_many", count=len(points))
    return words.t("chart.subtitle", first=first, last=last, weeks=weeks)


def trend_figure(
    points: Sequence[TrendPoint],
    *,
    title: str,
    words: Phrases,
    policy: SamplePolicy | None = None,
) -> Figure:
    """The chart as a matplotlib Figure (tests inspect its artists; see :func:`render`)."""
    # Imported here so that importing ``scoring`` (done by the bot on every start) does not
    # pay for matplotlib unless a chart is actually drawn.
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.text import Text

    policy = policy if policy is not None else SamplePolicy()
    points = weeks_shown(points)
    fig = Figure(figsize=(WIDTH_IN, HEIGHT_IN), dpi=DPI)
    FigureCanvasAgg(fig)
    nps_ax, mix_ax = fig.subplots(2, 1, sharex=True, height_ratios=[HEIGHT_RATIO, 1])
    _draw_nps(nps_ax, points, policy, words)
    _draw_mix(mix_ax, points, policy, words)
    mix_ax.set_xticks(range(len(points)), [_label(words, p) for p in points])
    mix_ax.set_xlim(-0.6, max(len(points), 1) - 0.4)
    nps_ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=_FONT - 2,
                  frameon=False)  # fmt: skip
    for ax in (nps_ax, mix_ax):
        ax.tick_params(axis="both", labelsize=_FONT - 1)
        ax.spines[["top", "right"]].set_visible(False)
    heading = fig.suptitle(title, fontsize=_FONT + 6, fontweight="bold", x=0.01, ha="left")
    nps_ax.set_title(_subtitle(words, points), fontsize=_FONT, color=_MUTED, loc="left")
    families = list(font_families())  # Japanese labels, with no glyph missing
    for text in fig.findobj(Text):
        if _CJK.search(text.get_text()):
            text.set_fontfamily(families)
    fit(fig, heading, nps_ax, mix_ax)
    return fig


def render_trend_chart(
    points: Sequence[TrendPoint],
    *,
    title: str,
    words: Phrases,
    policy: SamplePolicy | None = None,
) -> bytes:
    """Draw :func:`trend_figure` as PNG bytes, 1200x600 px.

    Args:
        points: Output of :func:`scoring.trend.trend`, oldest first.
        title: Chart title, e.g. the company's NPS; the span of weeks is added under it.
        words: The team's phrases (axis labels, legend, the span's wording).
        policy: The thresholds the estimates were made with, for the legend's wording.
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from PIL import Image

    canvas = trend_figure(points, title=title, words=words, policy=policy).canvas
    assert isinstance(canvas, FigureCanvasAgg), "trend_figure draws on Agg"
    # One draw (the panels are placed already): `savefig` draws twice, a layout pass and
    # the render, a tenth more CPU for the same pixels and bytes.
    canvas.draw()
    width, height = canvas.get_width_height()
    # The figure is opaque: RGB, not the RGBA `savefig` writes, is a quarter fewer bytes to
    # filter and compress, for the same pixels. Pillow writes no "Software" or time stamp
    # (matplotlib's own PNG has its version): same input, same bytes.
    image = Image.frombuffer("RGBA", (width, height), canvas.buffer_rgba(), "raw", "RGBA", 0, 1)
    buffer = io.BytesIO()
    image.convert("RGB").save(buffer, format="png", dpi=(DPI, DPI), compress_level=PNG_COMPRESSION)
    return buffer.getvalue()
