"""Digest queries: the week's numbers, aggregated in SQL.

A year of answers can be a million rows: only counts and sums cross into Python, plus the
one week's comments that themes need. Each query is a single pass over an indexed range
[span.start, span.end) of one week; `workspace_ids` None means every workspace.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from itertools import pairwise
from typing import Any, TypeVarTuple

import sqlalchemy as sa
from sqlmodel import Session, col

from bot.models import Invitation, Respondent, Response, Workspace
from scoring.language import UNDETERMINED
from scoring.nps import PASSIVE_MIN, PROMOTER_MIN, Counts
from scoring.sentiment import SentimentSummary
from scoring.terms import read_terms
from scoring.themes import CommentRow

NEUTRAL_BAND = 0.05
MAX_THEME_COMMENTS = 50_000
_Row = TypeVarTuple("_Row")


@dataclass(frozen=True, slots=True)
class Span:
    """One week's UTC bounds [start, end), over some workspaces (None: all of them)."""

    start: datetime
    end: datetime
    workspace_ids: Sequence[int] | None = None


def _between(
    column: sa.SQLColumnExpression[datetime | None], start: datetime, end: datetime
) -> sa.ColumnElement[bool]:
    return sa.and_(column >= start, column < end)


def _sum(condition: sa.ColumnElement[bool]) -> sa.ColumnElement[int]:
    return sa.func.coalesce(sa.func.sum(sa.case((condition, 1), else_=0)), 0)


def _category_sums(*conditions: sa.ColumnElement[bool]) -> list[sa.ColumnElement[int]]:
    score = col(Response.score)
    base = sa.and_(*conditions) if conditions else sa.true()
    return [
        _sum(sa.and_(base, score >= PROMOTER_MIN)),
        _sum(sa.and_(base, score.between(PASSIVE_MIN, PROMOTER_MIN - 1))),
        _sum(sa.and_(base, score < PASSIVE_MIN)),
    ]


def _scoped(
    query: sa.Select[*_Row], model: type[Response | Invitation], workspace_ids: Sequence[int] | None
) -> sa.Select[*_Row]:
    if workspace_ids is None:
        return query
    return query.where(col(model.workspace_id).in_(workspace_ids))


def week_counts(*, session: Session, span: Span) -> Counts:
    """Category counts of one span: one range scan of the answered_at index."""
    query = sa.select(*_category_sums()).where(
        _between(col(Response.answered_at), span.start, span.end)
    )
    promoters, passives, detractors = session.execute(
        _scoped(query, Response, span.workspace_ids)
    ).one()
    return Counts(int(promoters), int(passives), int(detractors))


def _consecutive(spans: Sequence[Span]) -> None:
    if any(before.end != after.start for before, after in pairwise(spans)):
        raise ValueError("weekly figures need consecutive weeks")


def weekly_counts(*, session: Session, spans: Sequence[Span]) -> list[Counts]:
    """Category counts of consecutive weeks, in order, in one statement."""
    _consecutive(spans)
    if not spans:
        return []
    answered = col(Response.answered_at)
    parts: list[sa.Select[*tuple[Any, ...]]] = [
        _scoped(
            sa.select(sa.literal_column(str(index)), *_category_sums()).where(
                _between(answered, span.start, span.end)
            ),
            Response,
            span.workspace_ids,
        )
        for index, span in enumerate(spans)
    ]
    found = {
        int(index): Counts(int(p), int(pa), int(d))
        for index, p, pa, d in session.execute(_union(parts))
    }
    return [found[index] for index in range(len(spans))]


def weekly_delivered(*, session: Session, spans: Sequence[Span]) -> list[int]:
    """Invitations delivered in each of consecutive weeks, in order, in one statement."""
    _consecutive(spans)
    if not spans:
        return []
    parts: list[sa.Select[*tuple[Any, ...]]] = [
        _scoped(
            sa.select(sa.literal_column(str(index)), sa.func.count())
            .select_from(Invitation)
            .where(_between(col(Invitation.sent_at), span.start, span.end)),
            Invitation,
            span.workspace_ids,
        )
        for index, span in enumerate(spans)
    ]
    found = {int(index): int(n) for index, n in session.execute(_union(parts))}
    return [found[index] for index in range(len(spans))]


def _union(
    parts: list[sa.Select[*tuple[Any, ...]]],
) -> sa.Select[*tuple[Any, ...]] | sa.CompoundSelect[*tuple[Any, ...]]:
    """One statement of every part, each a range scan of its own (a CASE choosing each
    row's week cost a comparison per week per row, more than the scan itself)."""
    return parts[0] if len(parts) == 1 else sa.union_all(*parts)


def platform_deliveries(*, session: Session, span: Span) -> dict[str, tuple[int, int]]:
    """Per platform: invitations delivered in the span, and how many of them were answered
    (so far). Grouped by workspace, so both tables are read from their indexes alone."""
    workspace = col(Invitation.workspace_id)
    query = (
        sa.select(workspace, sa.func.count(), sa.func.count(col(Response.invitation_id)))
        .select_from(Invitation)
        .outerjoin(Response, col(Response.invitation_id) == col(Invitation.id))
        .where(_between(col(Invitation.sent_at), span.start, span.end))
        .group_by(workspace)
    )
    platforms = dict(session.execute(sa.select(col(Workspace.id), col(Workspace.platform))).all())
    figures: dict[str, tuple[int, int]] = {}
    for workspace_id, delivered, answered in session.execute(
        _scoped(query, Invitation, span.workspace_ids)
    ):
        if workspace_id in platforms:  # as the inner join with the workspace had it
            before = figures.get(platforms[workspace_id], (0, 0))
            figures[platforms[workspace_id]] = (before[0] + delivered, before[1] + answered)
    return figures


def _sentiment_summary(
    *, commented: int, n: int, mean: float | None, negative: int, positive: int
) -> SentimentSummary:
    """The summary of `n` polarities averaging `mean`, of `commented` comments."""
    return SentimentSummary(
        n=n,
        mean=mean,
        negative=negative / n if n else 0.0,
        neutral=(n - negative - positive) / n if n else 0.0,
        positive=positive / n if n else 0.0,
        not_analysed=commented - n,  # no polarity: a language the analyser lacks
    )


def week_sentiment(*, session: Session, span: Span) -> SentimentSummary:
    """The sentiment of a span's analysed comments (those with a polarity), from the answers'
    index alone: what the digest compares its week with (the week before's mean). The
    comments without a polarity are not counted (`not_analysed` 0): counting them reads
    every row of the span, as `week_figures` does for the week itself."""
    polarity = col(Response.polarity)
    query = sa.select(
        sa.func.count(polarity),
        sa.func.avg(polarity),
        _sum(polarity < -NEUTRAL_BAND),
        _sum(polarity > NEUTRAL_BAND),
    ).where(_between(col(Response.answered_at), span.start, span.end))
    n, mean, negative, positive = session.execute(
        _scoped(query, Response, span.workspace_ids)
    ).one()
    return _sentiment_summary(
        commented=int(n),
        n=int(n),
        mean=float(mean) if mean is not None else None,
        negative=int(negative),
        positive=int(positive),
    )


def theme_comments(*, session: Session, span: Span, names: bool = True) -> list[CommentRow]:
    """The week's comments for themes, at most MAX_THEME_COMMENTS of them, each with the
    terms stored with it; with the writers' names only when asked (`names`: anonymous mode
    redacts them, nothing else reads them)."""
    name = col(Respondent.display_name) if names else sa.null()
    query = sa.select(
        col(Response.score),
        col(Response.comment),
        name,
        col(Response.respondent_id),
        col(Response.language),
        col(Response.terms),
    )
    if names:
        query = query.join(Respondent, col(Respondent.id) == col(Response.respondent_id))
    query = (
        query.where(
            _between(col(Response.answered_at), span.start, span.end),
            col(Response.comment).is_not(None),
        )
        # In time order, whichever index the scan takes (themes quote the first examples).
        .order_by(col(Response.answered_at), col(Response.id))
        .limit(MAX_THEME_COMMENTS)
    )
    query = _scoped(query, Response, span.workspace_ids)
    # Core rows: the ORM's result wrapping cost as much as the query for 10,000 comments.
    return [
        CommentRow(
            score,
            comment or "",
            who,
            respondent_id,
            None if lang == UNDETERMINED else lang,
            None if found is None else read_terms(found),  # None: a row written without
        )
        for score, comment, who, respondent_id, lang, found in session.connection()
        .execute(query)
        .all()
    ]
