"""Tests for scoring.chart: a deterministic PNG at chat size, and what its figure holds."""

from __future__ import annotations

import io
import struct
from datetime import date, timedelta

import pytest
from matplotlib.artist import Artist
from matplotlib.figure import Figure

from scoring.chart import render_trend_chart, trend_figure, weeks_shown
from scoring.nps import Counts
from scoring.trend import TrendPoint, WeekPoint, trend
from tests.phrases import EN

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def _size(png: bytes) -> tuple[int, int]:
    # The IHDR chunk comes first: length (4), type (4), then width and height.
    assert png[12:16] == b"IHDR"
    width, height = struct.unpack(">II", png[16:24])
    return width, height


def _points() -> list[TrendPoint]:
    weeks = [
        WeekPoint(date(2025, 9, 1), Counts(20, 10, 5)),
        WeekPoint(date(2025, 9, 8), Counts(3, 1, 1)),
        WeekPoint(date(2025, 9, 22), Counts(40, 20, 30)),
        WeekPoint(date(2025, 10, 13), Counts(50, 30, 20)),
        WeekPoint(date(2025, 11, 17), Counts(70, 20, 30)),
    ]
    return trend(weeks)


def test_chart_is_a_png_at_chat_size() -> None:
    png = render_trend_chart(_points(), title="Weekly NPS", words=EN)
    assert png.startswith(PNG_MAGIC)
    width, height = _size(png)
    assert width >= 1000
    assert (width, height) == (1200, 600)


def test_chart_is_deterministic() -> None:
    points = _points()
    first = render_trend_chart(points, title="A", words=EN)
    assert first == render_trend_chart(points, title="A", words=EN)
    assert first != render_trend_chart(points, title="B", words=EN)


def test_chart_opens_with_pillow_when_available() -> None:
    image_module = pytest.importorskip("PIL.Image")
    image = image_module.open(io.BytesIO(render_trend_chart(_points(), title="T", words=EN)))
    assert image.format == "PNG" and image.size == (1200, 600)


def test_chart_without_any_shown_week_still_renders() -> None:
    empty = trend([], end=date(2025, 11, 17))
    assert render_trend_chart(empty, title="Nothing yet", words=EN).startswith(PNG_MAGIC)
    assert render_trend_chart([], title="No weeks", words=EN).startswith(PNG_MAGIC)


def _figure_of(weeks: list[WeekPoint], end: date) -> Figure:
    return trend_figure(trend(weeks, end=end), title="Acme NPS", words=EN)


def _mixed_weeks() -> tuple[list[WeekPoint], date]:
    end = date(2026, 1, 5)
    counts = [
        Counts(8, 5, 6),  # n = 19: indicative
        Counts(20, 10, 15),
        Counts(3, 1, 1),  # n = 5: no score
        Counts(40, 20, 30),
        Counts(45, 25, 20),
        Counts(70, 20, 30),
        Counts(30, 20, 50),  # a significant fall
        Counts(60, 25, 15),  # a significant rise
    ]
    weeks = [WeekPoint(end - timedelta(weeks=7 - i), c) for i, c in enumerate(counts)]
    return weeks, end


def _by_gid(fig: Figure, gid: str) -> list[Artist]:
    return [a for a in fig.findobj() if a.get_gid() == gid]


def test_only_weeks_since_the_first_answer_with_the_year() -> None:
    weeks, end = _mixed_weeks()
    fig = _figure_of(weeks, end)  # trend() gives 12 weeks, the first 4 empty
    nps_ax, mix_ax = fig.axes
    labels = [t.get_text() for t in mix_ax.get_xticklabels()]
    assert labels[0] == "W47\n2025" and labels[-1] == "W02\n2026" and len(labels) == 8
    assert "8 weeks since the first answer" in nps_ax.get_title(loc="left")
    assert len(weeks_shown(trend([], end=end))) == 12  # nothing yet: the whole span


def test_one_time_axis_and_no_second_axis_for_counts() -> None:
    fig = _figure_of(*_mixed_weeks())
    assert len(fig.axes) == 2
    nps_ax, mix_ax = fig.axes
    assert nps_ax.get_shared_x_axes().joined(nps_ax, mix_ax)
    assert mix_ax.get_ylim() == (0, 118) and nps_ax.get_ylim() == (-100, 100)
    for name in ("promoters", "passives", "detractors"):
        assert len(_by_gid(fig, f"mix-{name}")) == 8  # one stacked bar per week
    counts = [t.get_text() for t in mix_ax.texts]
    assert counts[:3] == ["n=19", "n=45", "n=5"]


def test_mix_bars_stack_to_the_shares() -> None:
    fig = _figure_of(*_mixed_weeks())
    d, p, pr = (_by_gid(fig, f"mix-{name}")[5] for name in ("detractors", "passives", "promoters"))
    assert d.get_height() == pytest.approx(25.0) and p.get_y() == pytest.approx(25.0)
    assert pr.get_y() + pr.get_height() == pytest.approx(100.0)


def test_significant_weeks_are_marked_and_small_weeks_hollow_with_a_reason() -> None:
    fig = _figure_of(*_mixed_weeks())
    assert [a.get_xdata()[0] for a in _by_gid(fig, "significant-down")] == [6]
    assert [a.get_xdata()[0] for a in _by_gid(fig, "significant-up")] == [7]
    hollow = _by_gid(fig, "nps-point-hollow")
    assert [a.get_xdata()[0] for a in hollow] == [0, 1]  # n = 19, and n = 45 (margin > 20)
    assert all(a.get_markerfacecolor() == "white" for a in hollow)
    assert len(_by_gid(fig, "nps-point")) == 8 - 2 - 1  # n = 5 has no point at all
    hollow_bars = [b for b in _by_gid(fig, "mix-promoters") if b.get_facecolor()[:3] == (1, 1, 1)]
    assert len(hollow_bars) == 3
    legend = " ".join(t.get_text() for ax in fig.axes for t in ax.get_legend().get_texts())
    assert "Hollow: indicative (n < 30" in legend and "no point\nif n < 10" in legend
    assert "Significant fall vs the week before" in legend
    assert "Significant rise vs the week before" in legend


def test_a_chart_without_answers_says_so() -> None:
    fig = trend_figure(trend([], end=date(2025, 11, 17)), title="Acme NPS", words=EN)
    nps_ax, mix_ax = fig.axes
    assert "(no answers yet)" in nps_ax.get_title(loc="left")
    assert "Not enough answers" in " ".join(t.get_text() for t in nps_ax.texts)
    assert all(bar.get_linewidth() == 0 for bar in mix_ax.patches if bar.get_height() == 0)
