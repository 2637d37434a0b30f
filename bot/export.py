"""Every response with its respondent, for spreadsheets and BI tools."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

from bot import store
from bot.db import Database

FIELDS = [
    "response_id",
    "platform",
    "user_id",
    "display_name",
    "attributes",
    "score",
    "comment",
    "polarity",
    "subjectivity",
    "answered_at",
    "commented_at",
    "reply_text",
    "replied_by",
]


def export_rows(
    db: Database, *, since: datetime | None = None, until: datetime | None = None, batch: int = 5000
) -> Iterator[dict[str, Any]]:
    """Stream rows in id order, a batch at a time, so a large export stays small in memory."""
    last_id = 0
    while True:
        with db.session() as session:
            rows = store.responses_after(
                session=session, after_id=last_id, limit=batch, since=since, until=until
            )
        if not rows:
            return
        for response, respondent in rows:
            yield {
                "response_id": response.id,
                "platform": response.platform,
                "user_id": respondent.platform_user_id,
                "display_name": respondent.display_name,
                "attributes": response.attributes,
                "score": response.score,
                "comment": response.comment,
                "polarity": response.polarity,
                "subjectivity": response.subjectivity,
                "answered_at": _iso(response.answered_at),
                "commented_at": _iso(response.commented_at),
                "reply_text": response.reply_text,
                "replied_by": response.replied_by,
            }
        last_id = rows[-1][0].id or last_id


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None
