"""The weekly digest as one model, rendered three ways (Slack, Telegram, terminal).

`compose` is pure: it takes the week's counts and comments and decides what a team lead
should read, including when to say nothing is happening instead of repeating zeros. The
sentences are `scoring.digest.wording`'s; the model holds only facts.
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Literal

from scoring.change import Comparison, compare
from scoring.digest.scope import Detail, PlatformFigures
from scoring.nps import Counts, NpsEstimate, SamplePolicy, comment_rate, estimate, response_rate
from scoring.segments import SegmentResult, segment_table
from scoring.sentiment import SentimentSummary
from scoring.themes import ThemeReport, themes
from scoring.trend import TrendPoint, WeekPoint, trend

Status = Literal["ok", "empty", "stalled"]
STALLED_AFTER_WEEKS = 3


@dataclass(frozen=True, slots=True)
class FollowUp:
    """How the week's alerted detractors were followed up, and the cases still open."""

    alerted: int = 0
    claimed: int = 0
    replied: int = 0
    reply_seconds: tuple[float, ...] = ()
    """From each answered alert to the team's first reply."""
    open_cases: int = 0
    """Cases of any week not resolved by the week's end."""

    @property
    def median_reply_seconds(self) -> float | None:
        return statistics.median(self.reply_seconds) if self.reply_seconds else None


@dataclass(frozen=True, slots=True)
class DigestInput:
    """What the database counted for one week (see `bot.digest.gather`)."""

    company: str
    week_label: str
    week_start: date
    weekly: Sequence[WeekPoint]
    delivered: Sequence[int]
    previous: Counts
    answered_of_delivered: int
    commented: int
    platforms: Sequence[PlatformFigures]
    detail: Detail
    told: int = 0
    """People sent a "you said, we did" announcement this week."""
    followup: FollowUp = FollowUp()


@dataclass(frozen=True, slots=True)
class Digest:
    """Everything a digest shows, already decided.

    `quiet_weeks` and `quiet_delivered` say, for an empty or stalled digest, how many weeks
    in a row had no answer and how many invitations were delivered in them. `detail_weeks`
    is the span sentiment, themes and segments rest on (1, or the rolling window).
    """

    company: str
    week_label: str
    week_start: date
    status: Status
    quiet_weeks: int
    quiet_delivered: int
    estimate: NpsEstimate
    min_answers: int
    previous: NpsEstimate
    change: Comparison | None
    response_rate: float | None
    comment_rate: float | None
    delivered: int
    platforms: tuple[PlatformFigures, ...]
    detail_weeks: int
    sentiment: SentimentSummary
    sentiment_change: float | None
    themes: ThemeReport
    segments: tuple[SegmentResult, ...]
    trend: tuple[TrendPoint, ...]
    told: int = 0
    """People told this week what changed after their comments ("you said, we did")."""
    followup: FollowUp = FollowUp()

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


def _status(data: DigestInput) -> tuple[Status, int, int]:
    """ok, empty (no answer this week) or stalled (none for weeks); the quiet weeks and
    the invitations delivered in them."""
    answers = [point.counts.n for point in data.weekly]
    if answers[-1]:
        return "ok", 0, 0
    silent = _quiet_weeks(answers)
    sent = sum(list(data.delivered)[-silent:])
    if silent >= STALLED_AFTER_WEEKS:
        return "stalled", silent, sent
    return "empty", 1, data.delivered[-1]


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
    status, quiet_weeks, quiet_delivered = _status(data)
    detail = data.detail
    sentiment_change = (
        detail.sentiment.mean - detail.previous_sentiment.mean
        if detail.sentiment.mean is not None and detail.previous_sentiment.mean is not None
        else None
    )
    return Digest(
        company=data.company,
        week_label=data.week_label,
        week_start=data.week_start,
        status=status,
        quiet_weeks=quiet_weeks,
        quiet_delivered=quiet_delivered,
        estimate=current,
        min_answers=(policy or SamplePolicy()).min_n,
        previous=previous,
        change=change,
        response_rate=response_rate(
            answered=data.answered_of_delivered, delivered=data.delivered[-1]
        ),
        comment_rate=comment_rate(commented=data.commented, answered=current_counts.n),
        delivered=data.delivered[-1],
        platforms=tuple(p for p in data.platforms if p.delivered or p.answered),
        detail_weeks=detail.weeks,
        sentiment=detail.sentiment,
        sentiment_change=sentiment_change,
        themes=themes(detail.comments, anonymous=anonymous),
        segments=tuple(
            segment_table(detail.segments, overall=detail.counts, min_group=min_group, level=level)
        ),
        trend=tuple(trend(data.weekly, level=level)),
        told=data.told,
        followup=data.followup,
    )
