"""The digest's input for one week: the store's aggregates, assembled for `compose`.

At a million answers each scan of a week's rows costs about as much as the rest of the
digest, so each span is read once: one grouped pass over the week (or the window) gives its
counts, comments, sentiment, platforms and segments (`store.week_figures`). The trend's
weeks that have ended are read from their kept counts (`store.remember_weeks`, filled once
a week has ended); the week itself is always counted from its answers.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlmodel import Session

from bot import store
from bot.db import Database, DatabaseError, driver_message, is_unavailable
from bot.digest.week import Week
from bot.store.digest import Span
from bot.store.ended_weeks import WeekTotals
from scoring.digest import DigestInput, FollowUp
from scoring.digest.scope import WINDOW_WEEKS, Detail, PlatformFigures, too_small
from scoring.trend import WeekPoint

log = logging.getLogger(__name__)


def _platforms(
    delivered: dict[str, tuple[int, int]], answered: dict[str, tuple[int, int]]
) -> tuple[PlatformFigures, ...]:
    """Per platform: delivered and answered of them, then answers and comments."""
    return tuple(
        PlatformFigures(name, *delivered.get(name, (0, 0)), *answered.get(name, (0, 0)))
        for name in sorted(delivered.keys() | answered.keys())
    )


def _trend(
    session: Session, spans: Sequence[Span], stored: Sequence[WeekTotals | None]
) -> list[WeekTotals]:
    """Each week's counts and deliveries: the `stored` ones of the first weeks, up to the
    first not kept, then the rest counted from the rows."""
    kept: list[WeekTotals] = []
    for totals in stored:
        if totals is None:
            break
        kept.append(totals)
    live = spans[len(kept) :]
    counted = store.weekly_counts(session=session, spans=live)
    delivered = store.weekly_delivered(session=session, spans=live)
    return kept + list(zip(counted, delivered, strict=True))


def _beside(
    db: Database, week: Span, unlisted: Span
) -> tuple[dict[str, tuple[int, int]], int, FollowUp]:
    """The week's deliveries per platform, people told and cases: other tables than the
    answers, in a session of their own. Announcements and cases by their own time indexes,
    for the workspaces as given (`unlisted`)."""
    with db.session() as session:
        return (
            store.platform_deliveries(session=session, span=week),
            store.told_count(session=session, span=unlisted),
            store.case_counts(session=session, span=unlisted),
        )


def gather(
    db: Database,
    *,
    company: str,
    week: Week,
    tz: str,
    weeks: int = 12,
    workspace_ids: Sequence[int] | None = None,
    names: bool = True,
    on_weekly: Callable[[Sequence[WeekPoint]], None] | None = None,
    closed_before: datetime | None = None,
) -> DigestInput:
    """Count everything for `week` and the `weeks - 1` (at least one) before it; the detail
    widens to the last `WINDOW_WEEKS` weeks when the week alone is too small. `names`: the
    comments carry their writers' names (which only anonymous mode needs, to redact them).
    `on_weekly` gets the weekly counts as soon as they are read, before the rest: the trend
    chart needs nothing else, so it can be drawn while the week's queries run.
    `closed_before`: weeks of the trend that ended by then are read from the kept counts
    of ended weeks (`store.remember_weeks`); None counts every week from the answers."""

    series = [week.shifted(offset, tz) for offset in range(-(max(weeks, 2) - 1), 1)]
    # Every workspace by id: the answers' and invitations' indexes lead with it.
    scope = workspace_ids
    if scope is None:
        with db.session() as session:
            scope = [ws.id for ws in store.list_workspaces(session=session) if ws.id is not None]

    def span(first: Week, last: Week | None = None) -> Span:
        return Span(first.start, (last or first).end, scope)

    # The weeks before this one that have ended come from `weekcount`; this week is
    # always counted from the answers. The fill is a transaction of its own (it may hold
    # back writers on PostgreSQL: see `store.remember_weeks`).
    ended = [span(w) for w in series[:-1] if closed_before and w.end <= closed_before]
    stored: list[WeekTotals | None] = []
    if ended:
        try:
            with db.session() as session:
                stored = store.remember_weeks(session=session, spans=ended)
        except DatabaseError as exc:  # a SQLite file locked past its timeout: count them
            if not is_unavailable(exc):
                raise
            log.warning("the digest kept no week counts: %s", driver_message(exc))
    unlisted = Span(week.start, week.end, workspace_ids)
    with (
        ThreadPoolExecutor(max_workers=1, thread_name_prefix="digest-side") as side,
        db.session() as session,
    ):
        # On PostgreSQL the queries of other tables run on a second connection meanwhile.
        beside = side.submit(_beside, db, span(week), unlisted) if db.is_postgres else None
        totals = _trend(session, [span(w) for w in series], stored)
        weekly = tuple(
            WeekPoint(w.start.astimezone(ZoneInfo(tz)).date(), week_counts)
            for w, (week_counts, _) in zip(series, totals, strict=True)
        )
        if on_weekly is not None:
            on_weekly(weekly)
        figures = store.week_figures(session=session, span=span(week))
        if too_small(answers=weekly[-1].counts.n, comments=figures.commented):
            window = span(week.shifted(1 - WINDOW_WEEKS, tz), week)
            before = span(week.shifted(1 - 2 * WINDOW_WEEKS, tz), week.shifted(-WINDOW_WEEKS, tz))
            detail_figures, detail_span, detail_weeks = (
                store.week_figures(session=session, span=window),
                window,
                WINDOW_WEEKS,
            )
        else:
            detail_figures, detail_span, detail_weeks = figures, span(week), 1
            before = span(series[-2])
        detail = Detail(
            weeks=detail_weeks,
            counts=detail_figures.counts,
            sentiment=detail_figures.sentiment,
            previous_sentiment=store.week_sentiment(session=session, span=before),
            segments=detail_figures.segments,
            comments=tuple(store.theme_comments(session=session, span=detail_span, names=names)),
        )
        outreach = beside.result() if beside else _beside(db, span(week), unlisted)
        deliveries, told, followup = outreach
        return DigestInput(
            company=company,
            week_label=week.label,
            week_start=weekly[-1].week_start,
            weekly=weekly,
            delivered=tuple(delivered for _, delivered in totals),
            previous=weekly[-2].counts,
            answered_of_delivered=sum(answered for _, answered in deliveries.values()),
            commented=figures.commented,
            platforms=_platforms(deliveries, figures.platforms),
            detail=detail,
            told=told,
            followup=followup,
        )
