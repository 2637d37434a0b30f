"""The digest's few grouped queries add up to what each answer says, counted one by one.

One pass over the week gives the counts, comments, sentiment, platforms and every segment;
these tests seed answers that differ in every way those depend on (platform, language, "und",
attributes missing, null or named like a column, comments with and without a polarity, rows
just outside the week) and check each figure against a count made here in Python.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import pytest

from bot import store
from bot.db import Database
from bot.digest import Week, gather
from bot.models import InvitationStatus, Response
from scoring.nps import Counts
from scoring.segments import SegmentRow

WEEK = Week.parse("2026-W48", "UTC")
LANGUAGES = ("en", "de", "und", None)
ATTRIBUTES: tuple[dict[str, Any], ...] = (
    {"plan": "pro", "team": "a"},
    {"plan": "free"},
    {},
    {"platform": "ios", "plan": "pro"},  # an attribute named like the platform column
    {"team": None, "plan": "enterprise"},  # a JSON null is no value
    {"team": "b", "région": "Zürich"},
)


@dataclass(frozen=True)
class Answer:
    platform: str
    at: datetime
    score: int
    comment: str | None
    polarity: float | None
    language: str | None
    attributes: dict[str, Any]
    sent_at: datetime


def answers() -> list[Answer]:
    """Varied answers of the week, the week before, and just outside both."""
    rows = []
    for index in range(180):
        week_back = index % 3  # 0: this week, 1: the week before, 2: two weeks before
        at = WEEK.start - timedelta(weeks=week_back) + timedelta(minutes=53 * index)
        if index % 17 == 0:
            at = WEEK.end  # the next week's first instant: in no span of this digest
        comment = None if index % 4 == 0 else f"comment {index}"
        polarity = None if comment is None or index % 5 == 0 else ((index % 11) - 5) / 10
        rows.append(
            Answer(
                platform="telegram" if index % 7 < 2 else "slack",
                at=at,
                score=index % 11,
                comment=comment,
                polarity=polarity,
                language=LANGUAGES[index // 2 % 4] if comment else None,
                attributes=ATTRIBUTES[index // 3 % len(ATTRIBUTES)],
                sent_at=at - timedelta(days=index % 9),  # some delivered the week before
            )
        )
    return rows


def seed(db: Database, rows: list[Answer], unanswered: int) -> None:
    with db.session() as session:
        workspaces = {
            platform: store.get_or_create_workspace(
                session=session, platform=platform, external_id=f"{platform}-1", now=WEEK.start
            )
            for platform in ("slack", "telegram")
        }
        for index, row in enumerate(rows + [None] * unanswered):  # type: ignore[list-item]
            platform = row.platform if row else ("slack", "telegram")[index % 2]
            person = store.upsert_respondent(
                session=session,
                workspace=workspaces[platform],
                platform_user_id=f"U{index}",
                now=WEEK.start,
                display_name=f"Person {index}",
            )
            sent_at = row.sent_at if row else WEEK.start + timedelta(hours=index - len(rows))
            invitation = store.create_invitation(
                session=session, respondent=person, source="scheduled", due_at=sent_at, now=sent_at
            )
            invitation.status = InvitationStatus.ANSWERED if row else InvitationStatus.SENT
            invitation.sent_at = sent_at
            session.add(invitation)
            session.flush()
            if row is None:
                continue
            session.add(
                Response(
                    invitation_id=invitation.id or 0,
                    workspace_id=workspaces[platform].id or 0,
                    respondent_id=person.id or 0,
                    platform=platform,
                    score=row.score,
                    attributes=row.attributes,
                    comment=row.comment,
                    polarity=row.polarity,
                    language=row.language,
                    answered_at=row.at,
                )
            )


def categories(rows: list[Answer]) -> tuple[int, int, int]:
    return (
        sum(r.score >= 9 for r in rows),
        sum(7 <= r.score <= 8 for r in rows),
        sum(r.score <= 6 for r in rows),
    )


def counts(rows: list[Answer]) -> Counts:
    return Counts(*categories(rows))


def expected_segments(rows: list[Answer]) -> list[SegmentRow]:
    """Platform, then language (not "und"), then each attribute key in name order; each
    dimension's values in order."""
    by: dict[tuple[int, str, str], list[Answer]] = defaultdict(list)
    for row in rows:
        by[0, "platform", row.platform].append(row)
        if row.language not in (None, "und"):
            by[1, "language", row.language].append(row)
        for key, value in row.attributes.items():
            if value is not None:
                by[2, key, value].append(row)
    return [
        SegmentRow(name, value, *categories(by[rank, name, value]))
        for rank, name, value in sorted(by)
    ]


def test_one_pass_over_the_week_adds_up_to_each_answer(db: Database) -> None:
    rows = answers()
    seed(db, rows, unanswered=7)
    week = [r for r in rows if WEEK.start <= r.at < WEEK.end]
    before = [r for r in rows if WEEK.start - timedelta(weeks=1) <= r.at < WEEK.start]
    data = gather(db, company="Acme", week=WEEK, tz="UTC")
    assert len(week) >= 40 and data.detail.weeks == 1  # a full week: its own detail

    assert data.weekly[-1].counts == data.detail.counts == counts(week)
    assert data.previous == counts(before)
    assert data.commented == sum(r.comment is not None for r in week)
    sentiment = data.detail.sentiment
    polarities = [r.polarity for r in week if r.polarity is not None]
    assert sentiment.n == len(polarities)
    assert sentiment.mean == pytest.approx(math.fsum(polarities) / len(polarities))
    assert sentiment.negative == sum(p < -0.05 for p in polarities) / len(polarities)
    assert sentiment.positive == sum(p > 0.05 for p in polarities) / len(polarities)
    assert sentiment.not_analysed == data.commented - len(polarities) > 0
    previous = [r.polarity for r in before if r.polarity is not None]
    assert data.detail.previous_sentiment.n == len(previous)
    assert data.detail.previous_sentiment.mean == pytest.approx(math.fsum(previous) / len(previous))

    assert list(data.detail.segments) == expected_segments(week)
    assert {s.dimension for s in data.detail.segments} == {
        "platform",
        "language",
        "plan",
        "team",
        "région",
    }
    assert (
        SegmentRow("platform", "ios", *categories([r for r in week if "platform" in r.attributes]))
        in data.detail.segments
    )

    delivered = [r for r in rows if WEEK.start <= r.sent_at < WEEK.end]
    unanswered = Counter(("slack", "telegram")[i % 2] for i in range(len(rows), len(rows) + 7))
    by_platform = {p.platform: p for p in data.platforms}
    for platform in ("slack", "telegram"):
        figures = by_platform[platform]
        mine = [r for r in week if r.platform == platform]
        sent = [r for r in delivered if r.platform == platform]
        assert figures.delivered == len(sent) + unanswered[platform]
        assert figures.answered_of_delivered == len(sent)
        assert figures.answered == len(mine)
        assert figures.commented == sum(r.comment is not None for r in mine)
    assert data.answered_of_delivered == len(delivered)
    assert data.delivered[-1] == len(delivered) + 7

    themes = data.detail.comments
    assert [(c.score, c.comment) for c in themes] == [
        (r.score, r.comment) for r in sorted(week, key=lambda r: r.at) if r.comment
    ]
    assert {c.language for c in themes} == {"en", "de", None}  # "und" reads as unknown


def test_one_workspace_counts_only_its_own(db: Database) -> None:
    rows = answers()
    seed(db, rows, unanswered=0)
    with db.session() as session:
        telegram = next(
            w.id for w in store.list_workspaces(session=session) if w.platform == "telegram"
        )
    data = gather(db, company="Acme", week=WEEK, tz="UTC", workspace_ids=[telegram or 0])
    week = [r for r in rows if WEEK.start <= r.at < WEEK.end and r.platform == "telegram"]
    window = [
        r
        for r in rows
        if WEEK.start - timedelta(weeks=3) <= r.at < WEEK.end and r.platform == "telegram"
    ]
    assert data.weekly[-1].counts == counts(week)
    assert [p.platform for p in data.platforms] == ["telegram"]
    assert data.detail.weeks == 4  # too few answers for the week alone: the window's detail
    assert data.detail.counts == counts(window)
    assert list(data.detail.segments) == expected_segments(window)
