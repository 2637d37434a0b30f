"""A fixed digest for rendering tests: composed from known counts, no database."""

from __future__ import annotations

from datetime import date, timedelta

from scoring.digest import Digest, DigestInput, compose
from scoring.digest.scope import Detail, PlatformFigures
from scoring.nps import Counts
from scoring.segments import SegmentRow
from scoring.sentiment import SentimentSummary
from scoring.themes import CommentRow
from scoring.trend import WeekPoint

WEEK = date(2026, 11, 23)
DETRACTOR = (
    "Slow checkout, took forever",
    "<!channel> slow checkout & co",
    "please fix the slow checkout now",
)
PROMOTER = ("Friendly staff helped me", "friendly staff, fast delivery", "the friendly staff")


def sample_digest() -> Digest:
    return compose(sample_input())


def sample_input() -> DigestInput:
    """The counts and comments behind :func:`sample_digest`."""
    weekly = [
        WeekPoint(WEEK - timedelta(weeks=11 - i), Counts(20 + i, 10, 15 - i)) for i in range(11)
    ]
    weekly.append(WeekPoint(WEEK, Counts(50, 30, 20)))
    comments = [CommentRow(2, DETRACTOR[i % 3], f"Dana {i}") for i in range(9)]
    comments += [CommentRow(10, PROMOTER[i % 3], f"Pat {i}") for i in range(12)]
    return DigestInput(
        company="Acme",
        week_label="2026-W48",
        week_start=WEEK,
        weekly=weekly,
        delivered=[80] * 11 + [160],
        previous=weekly[-2].counts,
        answered_of_delivered=100,
        commented=21,
        platforms=[
            PlatformFigures("slack", 100, 62, 60, 12),
            PlatformFigures("telegram", 60, 38, 40, 9),
        ],
        detail=Detail(
            weeks=1,
            counts=weekly[-1].counts,
            sentiment=SentimentSummary(n=21, mean=0.12, negative=0.3, neutral=0.2, positive=0.5),
            previous_sentiment=SentimentSummary(
                n=15, mean=0.05, negative=0.4, neutral=0.2, positive=0.4
            ),
            segments=SEGMENTS,
            comments=comments,
        ),
    )


SEGMENTS = [
    SegmentRow("platform", "slack", 30, 20, 10),
    SegmentRow("platform", "telegram", 20, 10, 10),
    SegmentRow("plan", "pro", 40, 10, 5),
    SegmentRow("plan", "free", 10, 20, 15),
    SegmentRow("plan", "enterprise", 1, 1, 1),
]
