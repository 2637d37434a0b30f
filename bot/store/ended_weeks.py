"""The ended weeks' counts kept for the digest's trend (`weekcount`, see `bot.week_models`).

Each kept week is one workspace's answers by category and deliveries, counted once the
week has ended; triggers drop a week's rows whenever a write changes it (migration 0010).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col

from bot.columns import UTCDateTime
from bot.models import Invitation, Response, WeekCount, Workspace
from bot.store.digest import Span, _between, _category_sums, _scoped, _union
from scoring.nps import Counts

FILL_LOCK = 0x6E707362
"""The advisory lock the PostgreSQL triggers share and the fill takes (migration 0010)."""
CATEGORIES = ("promoters", "passives", "detractors")
WeekTotals = tuple[Counts, int]
"""A week's answers by category, and its deliveries."""


def _scope(session: Session, spans: Sequence[Span]) -> list[int]:
    """The workspaces the spans count (one scope for all of them; None: every workspace)."""
    ids = spans[0].workspace_ids
    if ids is None:
        return list(session.execute(sa.select(col(Workspace.id))).scalars())
    return list(ids)


def stored_weeks(*, session: Session, spans: Sequence[Span]) -> list[WeekTotals | None]:
    """Each span's kept totals over its workspaces, None where any of them is not kept."""
    if not spans:
        return []
    scope = _scope(session, spans)
    if not scope:
        return [(Counts(0, 0, 0), 0) for _ in spans]
    start, end = col(WeekCount.start_at), col(WeekCount.end_at)
    query = (
        sa.select(
            start,
            end,
            sa.func.count(),
            *(
                sa.func.sum(column)
                for column in (
                    col(WeekCount.promoters),
                    col(WeekCount.passives),
                    col(WeekCount.detractors),
                    col(WeekCount.delivered),
                )
            ),
        )
        .where(col(WeekCount.workspace_id).in_(scope), start.in_([s.start for s in spans]))
        .group_by(start, end)
    )
    found: dict[tuple[datetime, datetime], WeekTotals] = {
        (first, last): (Counts(int(p), int(pa), int(d)), int(delivered))
        for first, last, rows, p, pa, d, delivered in session.execute(query)
        if rows == len(scope)
    }
    return [found.get((s.start, s.end)) for s in spans]


def _by_workspace(
    spans: Sequence[Span], scope: list[int], model: type[Response | Invitation]
) -> sa.Subquery:
    """Per span (by its index) and workspace: the answers by category, or the deliveries."""
    at = col(Response.answered_at) if model is Response else col(Invitation.sent_at)
    workspace = col(model.workspace_id)
    figures = (
        [sum_.label(name) for sum_, name in zip(_category_sums(), CATEGORIES, strict=True)]
        if model is Response
        else [sa.func.count().label("delivered")]
    )
    parts: list[sa.Select[*tuple[Any, ...]]] = [
        _scoped(
            sa.select(sa.literal(index).label("week"), workspace, *figures)
            .select_from(model)
            .where(_between(at, span.start, span.end))
            .group_by(workspace),
            model,
            scope,
        )
        for index, span in enumerate(spans)
    ]
    return _union(parts).subquery()


def _same_week(
    figures: sa.Subquery, workspace: sa.SQLColumnExpression[int | None], weeks: sa.Subquery
) -> sa.ColumnElement[bool]:
    return sa.and_(figures.c.workspace_id == workspace, figures.c.week == weeks.c.week)


def remember_weeks(*, session: Session, spans: Sequence[Span]) -> list[WeekTotals | None]:
    """The spans' kept totals (as `stored_weeks`), after counting and keeping the weeks not
    kept yet, for each workspace of their scope (weeks without answers too), in one
    INSERT ... SELECT.

    Give it a transaction of its own, committed at once: on PostgreSQL it holds back every
    writer of answers and deliveries while it counts, and it keeps nothing rather than
    wait while one of them is writing (the next digest fills the weeks instead)."""
    kept = stored_weeks(session=session, spans=spans)
    missing = [span for span, totals in zip(spans, kept, strict=True) if totals is None]
    if not missing:
        return kept
    postgres = session.get_bind().dialect.name == "postgresql"
    if (
        postgres
        and not session.execute(sa.select(sa.func.pg_try_advisory_xact_lock(FILL_LOCK))).scalar()
    ):
        return kept
    scope = _scope(session, missing)
    weeks = _union(
        [
            sa.select(
                sa.literal(index).label("week"),
                sa.literal(s.start, UTCDateTime()).label("start_at"),
                sa.literal(s.end, UTCDateTime()).label("end_at"),
            )
            for index, s in enumerate(missing)
        ]
    ).subquery()
    answers, deliveries = (
        _by_workspace(missing, scope, Response),
        _by_workspace(missing, scope, Invitation),
    )
    workspace = col(Workspace.id)
    rows = (
        sa.select(
            workspace,
            weeks.c.start_at,
            weeks.c.end_at,
            *(sa.func.coalesce(answers.c[name], 0) for name in CATEGORIES),
            sa.func.coalesce(deliveries.c.delivered, 0),
        )
        .select_from(Workspace)
        .join(weeks, sa.true())
        .outerjoin(answers, _same_week(answers, workspace, weeks))
        .outerjoin(deliveries, _same_week(deliveries, workspace, weeks))
        .where(workspace.in_(scope))  # SQLite needs a WHERE before ON CONFLICT
    )
    insert = (postgresql.insert if postgres else sqlite.insert)(WeekCount)
    names = ["workspace_id", "start_at", "end_at", *CATEGORIES, "delivered"]
    session.execute(insert.from_select(names, rows).on_conflict_do_nothing())
    return stored_weeks(session=session, spans=spans)
