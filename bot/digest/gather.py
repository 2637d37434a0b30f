"""The digest's input for one week: the store's aggregates, assembled for `compose`.

At a million answers each scan of a week's rows costs about as much as the rest of the
digest, so each span is read once: one grouped pass over the week (or the window) gives its
counts, comments, sentiment, platforms and segments (`store.week_figures`), and the trend's
weeks are one statement of index range counts.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from zoneinfo import ZoneInfo

from bot import store
from bot.db import Database
from bot.digest.week import Week
from bot.store.digest import Span
from scoring.digest import DigestInput
from scoring.digest.scope import WINDOW_WEEKS, Detail, PlatformFigures, too_small
from scoring.trend import WeekPoint


def _platforms(
    delivered: dict[str, tuple[int, int]], answered: dict[str, tuple[int, int]]
) -> tuple[PlatformFigures, ...]:
    """Per platform: delivered and answered of them, then answers and comments."""
    return tuple(
        PlatformFigures(name, *delivered.get(name, (0, 0)), *answered.get(name, (0, 0)))
        for name in sorted(delivered.keys() | answered.keys())
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
) -> DigestInput:
    """Count everything for `week` and the `weeks - 1` (at least one) before it; the detail
    widens to the last `WINDOW_WEEKS` weeks when the week alone is too small. `names`: the
    comments carry their writers' names (which only anonymous mode needs, to redact them).
    `on_weekly` gets the weekly counts as soon as they are read, before the rest: the trend
    chart needs nothing else, so it can be drawn while the week's queries run."""

    series = [week.shifted(offset, tz) for offset in range(-(max(weeks, 2) - 1), 1)]
    with db.session() as session:
        # Every workspace by id: the answers' and invitations' indexes lead with it.
        scope = workspace_ids
        if scope is None:
            scope = [ws.id for ws in store.list_workspaces(session=session) if ws.id is not None]

        def span(first: Week, last: Week | None = None) -> Span:
            return Span(first.start, (last or first).end, scope)

        counts = store.weekly_counts(session=session, spans=[span(w) for w in series])
        weekly = tuple(
            WeekPoint(w.start.astimezone(ZoneInfo(tz)).date(), week_counts)
            for w, week_counts in zip(series, counts, strict=True)
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
        deliveries = store.platform_deliveries(session=session, span=span(week))
        unlisted = Span(week.start, week.end, workspace_ids)
        return DigestInput(
            company=company,
            week_label=week.label,
            week_start=weekly[-1].week_start,
            weekly=weekly,
            delivered=tuple(
                store.weekly_delivered(session=session, spans=[span(w) for w in series])
            ),
            previous=weekly[-2].counts,
            answered_of_delivered=sum(answered for _, answered in deliveries.values()),
            commented=figures.commented,
            platforms=_platforms(deliveries, figures.platforms),
            detail=detail,
            # Announcements and cases by their own time indexes, as given.
            told=store.told_count(session=session, span=unlisted),
            followup=store.case_counts(session=session, span=unlisted),
        )
