"""Weekly NPS over the last few weeks, with the gaps left visible.

Weeks without answers are kept as zero-n points instead of being skipped, so a chart's x
axis is real time and a quiet fortnight looks like one rather than vanishing.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from scoring.nps import Counts, NpsEstimate, SamplePolicy, estimate

#: How many weeks a trend covers by default (one quarter).
DEFAULT_WEEKS = 12


def week_start(day: date) -> date:
    """Monday of the ISO week containing ``day``."""
    return day - timedelta(days=day.weekday())


@dataclass(frozen=True, slots=True)
class WeekPoint:
    """Counts for one week, as aggregated by the database.

    Attributes:
        week_start: Any day of the week; :func:`trend` files it under that Monday.
        counts: Answers received that week.
    """

    week_start: date
    counts: Counts


@dataclass(frozen=True, slots=True)
class TrendPoint:
    """One week on the trend.

    Attributes:
        week_start: Monday of the week.
        estimate: The week's estimate; ``estimate.n`` is 0 for a week without answers.
    """

    week_start: date
    estimate: NpsEstimate

    @property
    def label(self) -> str:
        """Short ISO week label for axes and messages, e.g. "W48"."""
        return f"W{self.week_start.isocalendar().week:02d}"

    @property
    def n(self) -> int:
        """Number of answers that week."""
        return self.estimate.n


def trend(
    points: Iterable[WeekPoint],
    *,
    level: float = 0.95,
    weeks: int = DEFAULT_WEEKS,
    end: date | None = None,
    policy: SamplePolicy | None = None,
) -> list[TrendPoint]:
    """Estimate NPS for each of the last ``weeks`` weeks, oldest first.

    Args:
        points: Weekly counts in any order; several points in the same week are added up and
            points outside the window are ignored.
        level: Confidence level of each week's interval.
        weeks: Length of the window.
        end: Any day of the last week to show; defaults to the latest week in ``points``.
            Pass the digest's week so that a silent current week still appears.
        policy: Reliability thresholds passed to :func:`scoring.nps.estimate`.

    Returns:
        Exactly ``weeks`` points (empty weeks have n = 0), or an empty list when there are no
        points and no ``end``.
    """
    if weeks < 1:
        raise ValueError(f"weeks must be at least 1, got {weeks}")
    by_week: dict[date, Counts] = {}
    for point in points:
        monday = week_start(point.week_start)
        by_week[monday] = by_week.get(monday, Counts()) + point.counts
    if end is None and not by_week:
        return []
    last = week_start(end) if end is not None else max(by_week)
    mondays = [last - timedelta(weeks=offset) for offset in range(weeks - 1, -1, -1)]
    return [
        TrendPoint(
            week_start=monday,
            estimate=estimate(by_week.get(monday, Counts()), level=level, policy=policy),
        )
        for monday in mondays
    ]
