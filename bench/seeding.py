"""Many people with a survey due now, inserted in bulk: for bench/dispatch.py and tests."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import sqlalchemy as sa

from bot.db import Database
from bot.models import Invitation, InvitationStatus, Respondent, Workspace


def user(index: int, *, platform: str = "slack") -> str:
    """A Slack user id, or a Telegram one (numeric; a private chat has the same id)."""
    return f"U{index:06d}" if platform == "slack" else str(100_000 + index)


def seed_due(db: Database, *, people: int, known_dm: bool = False, platform: str = "slack") -> None:
    """`people` respondents, each with one invitation due a minute ago."""
    now = datetime.now(UTC)
    with db.session() as session:
        workspace = Workspace(platform=platform, external_id="TCRASH")
        session.add(workspace)
        session.flush()
        workspace_id = workspace.id
    with db.engine.begin() as connection:
        connection.execute(
            sa.insert(Respondent),
            [
                {
                    "workspace_id": workspace_id,
                    "platform": platform,
                    "platform_user_id": user(i, platform=platform),
                    "dm_channel": f"D{user(i)}" if known_dm else None,
                    "attributes": {},
                }
                for i in range(people)
            ],
        )
        ids = connection.execute(sa.select(Respondent.id)).scalars().all()
        connection.execute(
            sa.insert(Invitation),
            [
                {
                    "workspace_id": workspace_id,
                    "respondent_id": respondent_id,
                    "status": InvitationStatus.PENDING,
                    "due_at": now - timedelta(minutes=1),
                    "created_at": now,
                }
                for respondent_id in ids
            ],
        )
