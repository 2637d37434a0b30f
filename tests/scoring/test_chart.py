"""Tests for scoring.chart: a valid, deterministic PNG at chat size."""

from __future__ import annotations

import io
import struct
from datetime import date

import pytest

from scoring.chart import render_trend_chart
from scoring.nps import Counts
from scoring.trend import TrendPoint, WeekPoint, trend

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
    png = render_trend_chart(_points(), title="Weekly NPS")
    assert png.startswith(PNG_MAGIC)
    width, height = _size(png)
    assert width >= 1000
    assert (width, height) == (1200, 600)


def test_chart_is_deterministic() -> None:
    points = _points()
    assert render_trend_chart(points, title="A") == render_trend_chart(points, title="A")
    assert render_trend_chart(points, title="A") != render_trend_chart(points, title="B")


def test_chart_opens_with_pillow_when_available() -> None:
    image_module = pytest.importorskip("PIL.Image")
    image = image_module.open(io.BytesIO(render_trend_chart(_points(), title="T")))
    assert image.format == "PNG" and image.size == (1200, 600)


def test_chart_without_any_shown_week_still_renders() -> None:
    empty = trend([], end=date(2025, 11, 17))
    assert render_trend_chart(empty, title="Nothing yet").startswith(PNG_MAGIC)
    assert render_trend_chart([], title="No weeks").startswith(PNG_MAGIC)
