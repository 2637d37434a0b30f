"""The digest's input for one week: the store's aggregates, assembled for `compose`."""

from __future__ import annotations

from collections.abc import Sequence
from zoneinfo import ZoneInfo

from sqlmodel import Session

from bot import store
from bot.db import Database
from bot.digest.week import Week
from bot.store.digest import Span
from scoring.digest import DigestInput
from scoring.digest.scope import WINDOW_WEEKS, Detail, too_small
from scoring.trend import WeekPoint


def _detail(session: Session, span: Span, before: Span, weeks: int) -> Detail:
    """Sentiment, themes and segments over `span`, sentiment also over `before`."""
    return Detail(
        weeks=weeks,
        counts=store.week_counts(session=session, span=span),
        sentiment=store.week_sentiment(session=session, span=span)[1],
        previous_sentiment=store.week_sentiment(session=session, span=before)[1],
        segments=tuple(store.segment_rows(session=session, span=span)),
        comments=tuple(store.theme_comments(session=session, span=span)),
    )


def gather(
    db: Database,
    *,
    company: str,
    week: Week,
    tz: str,
    weeks: int = 12,
    workspace_ids: Sequence[int] | None = None,
) -> DigestInput:
    """Count everything for `week` and the `weeks - 1` (at least one) before it; the detail
    widens to the last `WINDOW_WEEKS` weeks when the week alone is too small."""

    def span(first: Week, last: Week | None = None) -> Span:
        return Span(first.start, (last or first).end, workspace_ids)

    series = [week.shifted(offset, tz) for offset in range(-(max(weeks, 2) - 1), 1)]
    with db.session() as session:
        counts = store.weekly_counts(session=session, spans=[span(w) for w in series])
        weekly = tuple(
            WeekPoint(w.start.astimezone(ZoneInfo(tz)).date(), week_counts)
            for w, week_counts in zip(series, counts, strict=True)
        )
        commented, _ = store.week_sentiment(session=session, span=span(week))
        if too_small(answers=weekly[-1].counts.n, comments=commented):
            window = span(week.shifted(1 - WINDOW_WEEKS, tz), week)
            before = span(week.shifted(1 - 2 * WINDOW_WEEKS, tz), week.shifted(-WINDOW_WEEKS, tz))
            detail = _detail(session, window, before, WINDOW_WEEKS)
        else:
            detail = _detail(session, span(week), span(series[-2]), 1)
        return DigestInput(
            company=company,
            week_label=week.label,
            week_start=weekly[-1].week_start,
            weekly=weekly,
            delivered=tuple(store.delivered_count(session=session, span=span(w)) for w in series),
            previous=weekly[-2].counts,
            answered_of_delivered=store.answered_of_delivered(session=session, span=span(week)),
            commented=commented,
            platforms=tuple(store.platform_figures(session=session, span=span(week))),
            detail=detail,
            told=store.told_count(session=session, span=span(week)),
            followup=store.case_counts(session=session, span=span(week)),
        )
