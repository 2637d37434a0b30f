"""The digest's numbers, aggregated in SQL.

A year of answers can be a million rows: only counts and sums cross into Python, plus the
one week's comments that themes need. Each query is a single pass over an indexed range.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlmodel import Session, col, select

from bot.db import Database
from bot.models import Invitation, Respondent, Response
from scoring.digest import DigestInput
from scoring.nps import Counts
from scoring.segments import SegmentRow
from scoring.sentiment import SentimentSummary
from scoring.themes import CommentRow
from scoring.trend import WeekPoint

NEUTRAL_BAND = 0.05
MAX_THEME_COMMENTS = 50_000


@dataclass(frozen=True, slots=True)
class Week:
    """An ISO week in the digest's time zone, with its UTC bounds."""

    year: int
    number: int
    start: datetime
    end: datetime

    @property
    def label(self) -> str:
        return f"{self.year}-W{self.number:02d}"

    @classmethod
    def of(cls, day: date, tz: str) -> Week:
        monday = day - timedelta(days=day.weekday())
        zone = ZoneInfo(tz)
        start = datetime(monday.year, monday.month, monday.day, tzinfo=zone)
        end_day = monday + timedelta(days=7)
        end = datetime(end_day.year, end_day.month, end_day.day, tzinfo=zone)
        iso = monday.isocalendar()
        return cls(iso.year, iso.week, start.astimezone(UTC), end.astimezone(UTC))

    @classmethod
    def parse(cls, label: str, tz: str) -> Week:
        """`2026-W48` -> that week; ValueError with a clear message otherwise."""
        try:
            year, week = label.upper().split("-W")
            return cls.of(date.fromisocalendar(int(year), int(week), 1), tz)
        except ValueError:
            raise ValueError(f"weeks look like 2026-W48, not '{label}'") from None

    def shifted(self, weeks: int, tz: str) -> Week:
        local = self.start.astimezone(ZoneInfo(tz)).date()
        return Week.of(local + timedelta(weeks=weeks), tz)


def _between(
    column: sa.ColumnElement[datetime], start: datetime, end: datetime
) -> sa.ColumnElement[bool]:
    return sa.and_(column >= start, column < end)


def _sum(condition: sa.ColumnElement[bool]) -> sa.ColumnElement[int]:
    return sa.func.coalesce(sa.func.sum(sa.case((condition, 1), else_=0)), 0)


def _category_sums(*conditions: sa.ColumnElement[bool]) -> list[sa.ColumnElement[int]]:
    score = col(Response.score)
    base = sa.and_(*conditions) if conditions else sa.true()
    return [
        _sum(sa.and_(base, score >= 9)),
        _sum(sa.and_(base, score.between(7, 8))),
        _sum(sa.and_(base, score <= 6)),
    ]


def _scoped(query: sa.Select, model: type, workspace_ids: Sequence[int] | None) -> sa.Select:
    if workspace_ids is None:
        return query
    return query.where(col(model.workspace_id).in_(workspace_ids))  # type: ignore[attr-defined]


def gather(
    db: Database,
    *,
    title: str,
    week: Week,
    tz: str,
    weeks: int = 12,
    workspace_ids: Sequence[int] | None = None,
) -> DigestInput:
    """Count everything for `week` and the `weeks - 1` (at least one) before it."""
    series = [week.shifted(offset, tz) for offset in range(-(max(weeks, 2) - 1), 1)]
    with db.session() as session:
        weekly = tuple(
            WeekPoint(w.start.astimezone(ZoneInfo(tz)).date(), _counts(session, w, workspace_ids))
            for w in series
        )
        commented, sentiment = _sentiment(session, week, workspace_ids)
        _, previous_sentiment = _sentiment(session, series[-2], workspace_ids)
        return DigestInput(
            title=title,
            week_label=week.label,
            week_start=weekly[-1].week_start,
            weekly=weekly,
            delivered=tuple(_delivered(session, w, workspace_ids) for w in series),
            previous=weekly[-2].counts,
            answered_of_delivered=_answered_of_delivered(session, week, workspace_ids),
            commented=commented,
            sentiment=sentiment,
            previous_sentiment=previous_sentiment,
            segments=tuple(_segments(session, week, workspace_ids)),
            comments=tuple(_comments(session, week, workspace_ids)),
        )


def _counts(session: Session, week: Week, workspace_ids: Sequence[int] | None) -> Counts:
    """Category counts of one week: one range scan of the answered_at index.

    A query per week beats one wide CASE over twelve weeks: each stays on its index range
    instead of evaluating every week's conditions on every row.
    """
    query = sa.select(*_category_sums()).where(
        _between(col(Response.answered_at), week.start, week.end)
    )
    promoters, passives, detractors = session.execute(_scoped(query, Response, workspace_ids)).one()
    return Counts(int(promoters), int(passives), int(detractors))


def _delivered(session: Session, week: Week, workspace_ids: Sequence[int] | None) -> int:
    query = (
        sa.select(sa.func.count())
        .select_from(Invitation)
        .where(_between(col(Invitation.sent_at), week.start, week.end))
    )
    return int(session.execute(_scoped(query, Invitation, workspace_ids)).scalar_one())


def _answered_of_delivered(
    session: Session, week: Week, workspace_ids: Sequence[int] | None
) -> int:
    """Of the invitations delivered this week, how many were answered (so far)."""
    query = (
        sa.select(sa.func.count())
        .select_from(Invitation)
        .join(Response, col(Response.invitation_id) == col(Invitation.id))
        .where(_between(col(Invitation.sent_at), week.start, week.end))
    )
    return int(session.execute(_scoped(query, Invitation, workspace_ids)).scalar_one())


def _sentiment(
    session: Session, week: Week, workspace_ids: Sequence[int] | None
) -> tuple[int, SentimentSummary]:
    """How many comments a week had, and their sentiment."""
    polarity = col(Response.polarity)
    query = sa.select(
        sa.func.count(Response.comment),
        sa.func.count(polarity),
        sa.func.avg(polarity),
        _sum(polarity < -NEUTRAL_BAND),
        _sum(polarity > NEUTRAL_BAND),
    ).where(_between(col(Response.answered_at), week.start, week.end))
    commented, n, mean, negative, positive = session.execute(
        _scoped(query, Response, workspace_ids)
    ).one()
    n = int(n)
    summary = SentimentSummary(
        n=n,
        mean=float(mean) if mean is not None else None,
        negative=int(negative) / n if n else 0.0,
        neutral=(n - int(negative) - int(positive)) / n if n else 0.0,
        positive=int(positive) / n if n else 0.0,
    )
    return int(commented), summary


def _attribute_keys(session: Session, week: Week, workspace_ids: Sequence[int] | None) -> list[str]:
    """The segment attribute names in use this week (dialect-specific JSON key listing)."""
    if session.get_bind().dialect.name == "postgresql":
        key = sa.func.json_object_keys(col(Response.attributes)).label("key")
        inner = sa.select(key).where(_between(col(Response.answered_at), week.start, week.end))
        inner = _scoped(inner, Response, workspace_ids).subquery()
        query = sa.select(inner.c.key).distinct()
    else:
        each = sa.func.json_each(col(Response.attributes)).table_valued("key")
        query = _scoped(
            sa.select(each.c.key)
            .select_from(Response)
            .join(each, sa.true())
            .where(_between(col(Response.answered_at), week.start, week.end))
            .distinct(),
            Response,
            workspace_ids,
        )
    return sorted(str(k) for (k,) in session.execute(query).all())


def _segments(
    session: Session, week: Week, workspace_ids: Sequence[int] | None
) -> list[SegmentRow]:
    in_week = _between(col(Response.answered_at), week.start, week.end)
    dimensions: list[tuple[str, sa.ColumnElement[str]]] = [("platform", col(Response.platform))]
    dimensions += [
        (key, col(Response.attributes)[key].as_string())
        for key in _attribute_keys(session, week, workspace_ids)
    ]
    rows: list[SegmentRow] = []
    for name, expression in dimensions:
        value = expression.label("value")
        query = (
            sa.select(value, *_category_sums())
            .where(in_week, expression.is_not(None))
            .group_by(value)
        )
        for segment, promoters, passives, detractors in session.execute(
            _scoped(query, Response, workspace_ids)
        ):
            rows.append(
                SegmentRow(name, str(segment), int(promoters), int(passives), int(detractors))
            )
    return rows


def _comments(
    session: Session, week: Week, workspace_ids: Sequence[int] | None
) -> list[CommentRow]:
    query = (
        select(Response.score, Response.comment, Respondent.display_name)
        .join(Respondent, col(Respondent.id) == col(Response.respondent_id))
        .where(
            _between(col(Response.answered_at), week.start, week.end),
            col(Response.comment).is_not(None),
        )
        .limit(MAX_THEME_COMMENTS)
    )
    query = _scoped(query, Response, workspace_ids)
    return [CommentRow(score, comment, name) for score, comment, name in session.execute(query)]
