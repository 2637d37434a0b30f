"""The weekly digest as one model, rendered three ways (Slack, Telegram, terminal).

`compose` is pure: it takes the week's counts and comments and decides what a team lead
should read, including when to say nothing is happening instead of repeating zeros.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Literal

from scoring.change import Comparison, compare
from scoring.nps import Counts, NpsEstimate, SamplePolicy, comment_rate, estimate, response_rate
from scoring.segments import SegmentResult, SegmentRow, segment_table
from scoring.sentiment import SentimentSummary
from scoring.themes import CommentRow, ThemeReport, themes
from scoring.trend import TrendPoint, WeekPoint, trend

Status = Literal["ok", "empty", "stalled"]
STALLED_AFTER_WEEKS = 3


@dataclass(frozen=True, slots=True)
class DigestInput:
    """What the database counted for one week (see `bot.digest.gather`)."""

    title: str
    week_label: str
    week_start: date
    weekly: Sequence[WeekPoint]
    delivered: Sequence[int]
    previous: Counts
    answered_of_delivered: int
    commented: int
    sentiment: SentimentSummary
    previous_sentiment: SentimentSummary
    segments: Sequence[SegmentRow]
    comments: Sequence[CommentRow]


@dataclass(frozen=True, slots=True)
class Digest:
    """Everything a digest shows, already decided."""

    title: str
    week_label: str
    week_start: date
    status: Status
    notice: str | None
    estimate: NpsEstimate
    previous: NpsEstimate
    change: Comparison | None
    response_rate: float | None
    comment_rate: float | None
    delivered: int
    sentiment: SentimentSummary
    sentiment_change: float | None
    themes: ThemeReport
    segments: tuple[SegmentResult, ...]
    trend: tuple[TrendPoint, ...]

    @property
    def counts(self) -> Counts:
        return self.estimate.counts


def _quiet_weeks(values: Sequence[int]) -> int:
    """How many of the latest weeks in a row had nothing."""
    quiet = 0
    for value in reversed(values):
        if value:
            break
        quiet += 1
    return quiet


def _status(data: DigestInput) -> tuple[Status, str | None]:
    answers = [point.counts.n for point in data.weekly]
    delivered = list(data.delivered)
    if answers[-1]:
        return "ok", None
    silent = _quiet_weeks(answers)
    if silent >= STALLED_AFTER_WEEKS:
        sent = sum(delivered[-silent:])
        if sent == 0:
            return "stalled", (
                f"The survey looks stalled: no invitations were delivered in the last {silent} "
                "weeks. Check that surveys are not paused and that the audience is not empty "
                "(/nps status)."
            )
        return "stalled", (
            f"The survey looks stalled: {sent} invitations were delivered in the last {silent} "
            "weeks but none was answered. Check that people can see the bot's messages."
        )
    if delivered[-1]:
        return "empty", f"No answers yet this week ({delivered[-1]} invitations delivered)."
    return "empty", "No answers this week: no invitations were delivered."


def compose(
    data: DigestInput,
    *,
    level: float = 0.95,
    policy: SamplePolicy | None = None,
    min_group: int = 5,
    anonymous: bool = False,
) -> Digest:
    """Turn counts into the digest: estimates, change, rates, themes, segments, trend."""
    current_counts = data.weekly[-1].counts
    current = estimate(current_counts, level=level, policy=policy)
    previous = estimate(data.previous, level=level, policy=policy)
    change = (
        compare(current, previous, level=level)
        if current.display is not None and previous.display is not None
        else None
    )
    status, notice = _status(data)
    sentiment_change = (
        data.sentiment.mean - data.previous_sentiment.mean
        if data.sentiment.mean is not None and data.previous_sentiment.mean is not None
        else None
    )
    return Digest(
        title=data.title,
        week_label=data.week_label,
        week_start=data.week_start,
        status=status,
        notice=notice,
        estimate=current,
        previous=previous,
        change=change,
        response_rate=response_rate(
            answered=data.answered_of_delivered, delivered=data.delivered[-1]
        ),
        comment_rate=comment_rate(commented=data.commented, answered=current_counts.n),
        delivered=data.delivered[-1],
        sentiment=data.sentiment,
        sentiment_change=sentiment_change,
        themes=themes(data.comments, anonymous=anonymous),
        segments=tuple(
            segment_table(data.segments, overall=current_counts, min_group=min_group, level=level)
        ),
        trend=tuple(trend(data.weekly, level=level)),
    )
