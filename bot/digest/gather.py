"""The digest's input for one week: the store's aggregates, assembled for `compose`."""

from __future__ import annotations

from collections.abc import Sequence
from zoneinfo import ZoneInfo

from bot import store
from bot.db import Database
from bot.digest.week import Week
from bot.store.digest import Span
from scoring.digest import DigestInput
from scoring.trend import WeekPoint


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

    def span(w: Week) -> Span:
        return Span(w.start, w.end, workspace_ids)

    series = [week.shifted(offset, tz) for offset in range(-(max(weeks, 2) - 1), 1)]
    with db.session() as session:
        counts = store.weekly_counts(session=session, spans=[span(w) for w in series])
        weekly = tuple(
            WeekPoint(w.start.astimezone(ZoneInfo(tz)).date(), week_counts)
            for w, week_counts in zip(series, counts, strict=True)
        )
        commented, sentiment = store.week_sentiment(session=session, span=span(week))
        _, previous_sentiment = store.week_sentiment(session=session, span=span(series[-2]))
        return DigestInput(
            title=title,
            week_label=week.label,
            week_start=weekly[-1].week_start,
            weekly=weekly,
            delivered=tuple(store.delivered_count(session=session, span=span(w)) for w in series),
            previous=weekly[-2].counts,
            answered_of_delivered=store.answered_of_delivered(session=session, span=span(week)),
            commented=commented,
            sentiment=sentiment,
            previous_sentiment=previous_sentiment,
            segments=tuple(store.segment_rows(session=session, span=span(week))),
            comments=tuple(store.theme_comments(session=session, span=span(week))),
        )
