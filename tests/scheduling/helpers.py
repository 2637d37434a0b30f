"""Builders for scheduling tests: rows as they would look after real traffic."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.db import Database
from bot.models import Invitation, InvitationStatus, Respondent, Response, Workspace


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)  # type: ignore[misc]


def add_workspace(db: Database, **fields: object) -> int:
    with db.session() as session:
        workspace = Workspace(
            platform=str(fields.pop("platform", "slack")),
            external_id=str(fields.pop("external_id", "T1")),
            **fields,
        )
        session.add(workspace)
        session.flush()
        assert workspace.id is not None
        return workspace.id


def add_respondent(db: Database, *, workspace_id: int, user: str, **fields: object) -> int:
    with db.session() as session:
        workspace = session.get(Workspace, workspace_id)
        assert workspace is not None
        respondent = Respondent(
            workspace_id=workspace_id,
            platform=workspace.platform,
            platform_user_id=user,
            **fields,
        )
        session.add(respondent)
        session.flush()
        assert respondent.id is not None
        return respondent.id


def add_sent(
    db: Database,
    *,
    respondent_id: int,
    sent_at: datetime,
    answered_at: datetime | None = None,
    source: str = "scheduled",
    event: str | None = None,
    expiry_days: int = 7,
) -> int:
    """An invitation that already went out, optionally answered."""
    with db.session() as session:
        respondent = session.get(Respondent, respondent_id)
        assert respondent is not None
        invitation = Invitation(
            workspace_id=respondent.workspace_id,
            respondent_id=respondent_id,
            source=source,
            event=event,
            status=InvitationStatus.ANSWERED if answered_at else InvitationStatus.SENT,
            due_at=sent_at,
            sent_at=sent_at,
            expires_at=sent_at + timedelta(days=expiry_days),
            created_at=sent_at,
        )
        session.add(invitation)
        session.flush()
        assert invitation.id is not None
        if answered_at is not None:
            session.add(
                Response(
                    invitation_id=invitation.id,
                    workspace_id=respondent.workspace_id,
                    respondent_id=respondent_id,
                    platform=respondent.platform,
                    score=9,
                    answered_at=answered_at,
                )
            )
        return invitation.id
