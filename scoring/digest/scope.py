"""What the digest's detail (sentiment, themes, segments) rests on: the week, or four weeks.

A week with a handful of answers says nothing about themes or segments: every segment is
hidden and no theme reaches three comments. Then the detail widens to a rolling window of the
last `WINDOW_WEEKS` weeks and the digest says so, while the score and its change stay weekly.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from scoring.nps import Counts, SamplePolicy, comment_rate, response_rate
from scoring.segments import SegmentRow
from scoring.sentiment import SentimentSummary
from scoring.themes import CommentRow

WINDOW_WEEKS = 4
MIN_WEEK_COMMENTS = 10
"""Fewer comments than this in the week and themes and sentiment widen to the window."""


@dataclass(frozen=True, slots=True)
class Detail:
    """Sentiment, themes and segments of one span: the week (`weeks` 1) or the window."""

    weeks: int
    counts: Counts
    sentiment: SentimentSummary
    previous_sentiment: SentimentSummary
    segments: Sequence[SegmentRow]
    comments: Sequence[CommentRow]


@dataclass(frozen=True, slots=True)
class PlatformFigures:
    """One platform's week: invitations delivered and answered, answers and comments."""

    platform: str
    delivered: int
    answered_of_delivered: int
    answered: int
    commented: int

    @property
    def response_rate(self) -> float | None:
        return response_rate(answered=self.answered_of_delivered, delivered=self.delivered)

    @property
    def comment_rate(self) -> float | None:
        return comment_rate(commented=self.commented, answered=self.answered)


def too_small(*, answers: int, comments: int, policy: SamplePolicy | None = None) -> bool:
    """Whether the week alone is too small for its detail: fewer answers than a reliable
    score needs, or fewer comments than themes and sentiment can rest on."""
    reliable = (policy or SamplePolicy()).reliable_n
    return answers < reliable or comments < MIN_WEEK_COMMENTS
