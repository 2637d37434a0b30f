"""Every response with its respondent, for spreadsheets and BI tools."""

from __future__ import annotations

import hashlib
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
    db: Database,
    *,
    since: datetime | None = None,
    until: datetime | None = None,
    batch: int = 5000,
    anonymous: bool | None = False,
) -> Iterator[dict[str, Any]]:
    """Stream rows in id order, a batch at a time, so a large export stays small in memory.

    Where anonymous mode is on (`anonymous` True for every workspace, else each workspace's
    own switch; None means identified on purpose) a row carries a stable pseudonym instead
    of the user id, and no name.
    """
    with db.session() as session:
        hidden = {
            workspace.id: workspace.external_id
            for workspace in store.list_workspaces(session=session)
            if anonymous is not None and (anonymous or workspace.anonymous)
        }
    last_id = 0
    while True:
        with db.session() as session:
            rows = store.responses_after(
                session=session, after_id=last_id, limit=batch, since=since, until=until
            )
            replies = store.team_replies(
                session=session, response_ids=[response.id or 0 for response, _ in rows]
            )
        if not rows:
            return
        for response, respondent in rows:
            masked = respondent.workspace_id in hidden
            reply = replies.get(response.id or 0)
            yield {
                "response_id": response.id,
                "platform": response.platform,
                "user_id": (
                    pseudonym(hidden[respondent.workspace_id], respondent.id or 0)
                    if masked
                    else respondent.platform_user_id
                ),
                "display_name": None if masked else respondent.display_name,
                "attributes": response.attributes,
                "score": response.score,
                "comment": response.comment,
                "polarity": response.polarity,
                "subjectivity": response.subjectivity,
                "answered_at": _iso(response.answered_at),
                "commented_at": _iso(response.commented_at),
                "reply_text": reply.text if reply else None,
                "replied_by": reply.author if reply else None,
            }
        last_id = rows[-1][0].id or last_id


def pseudonym(workspace_key: str, respondent_id: int) -> str:
    """The same person gets the same id in every export, and it names nobody."""
    digest = hashlib.sha256(f"npsbot:{workspace_key}:{respondent_id}".encode()).hexdigest()
    return f"p-{digest[:16]}"


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None
