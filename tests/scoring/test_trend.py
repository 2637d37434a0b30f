"""Tests for scoring.trend: a fixed window with empty weeks kept."""

from __future__ import annotations

import itertools
from datetime import date, timedelta

from scoring.nps import Counts
from scoring.trend import TrendPoint, WeekPoint, trend, week_start


def test_week_start_is_monday() -> None:
    assert week_start(date(2025, 11, 19)) == date(2025, 11, 17)
    assert week_start(date(2025, 11, 17)) == date(2025, 11, 17)


def test_missing_weeks_are_filled_with_zero_n_points() -> None:
    points = [
        WeekPoint(date(2025, 11, 17), Counts(promoters=20, passives=5, detractors=5)),
        WeekPoint(date(2025, 10, 29), Counts(promoters=3)),  # a Wednesday
        WeekPoint(date(2025, 1, 6), Counts(promoters=99)),  # outside the window
    ]
    result = trend(points)
    assert len(result) == 12
    assert result[-1].week_start == date(2025, 11, 17)
    assert result[0].week_start == date(2025, 11, 17) - timedelta(weeks=11)
    assert all(
        b.week_start - a.week_start == timedelta(weeks=1) for a, b in itertools.pairwise(result)
    )
    by_week = {p.week_start: p for p in result}
    assert by_week[date(2025, 10, 27)].n == 3
    assert by_week[date(2025, 10, 27)].estimate.display is None  # too few to show
    assert by_week[date(2025, 11, 17)].estimate.display == 50
    assert sum(p.n for p in result) == 33
    assert [p.n for p in result].count(0) == 10


def test_same_week_points_are_added_and_end_extends_the_window() -> None:
    points = [
        WeekPoint(date(2025, 11, 3), Counts(promoters=10)),
        WeekPoint(date(2025, 11, 5), Counts(detractors=10)),
    ]
    result = trend(points, weeks=4, end=date(2025, 11, 20))
    assert [p.week_start for p in result] == [
        date(2025, 10, 27),
        date(2025, 11, 3),
        date(2025, 11, 10),
        date(2025, 11, 17),
    ]
    assert result[1].estimate.counts == Counts(promoters=10, detractors=10)
    assert result[-1].n == 0


def test_labels_and_empty_input() -> None:
    assert trend([]) == []
    (point,) = trend([], weeks=1, end=date(2025, 11, 26))
    assert isinstance(point, TrendPoint)
    assert point.label == "W48"
    assert trend([], weeks=1, end=date(2025, 1, 1))[0].label == "W01"
