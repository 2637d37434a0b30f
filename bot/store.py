"""Data access: keyword-only functions over a session. Handlers never build queries."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from bot.models import (
    AudienceSource,
    AuditEntry,
    Invitation,
    InvitationStatus,
    ProcessedEvent,
    Respondent,
    Response,
    Target,
    Workspace,
)
from scheduling.cadence import slot_for


def get_or_create_workspace(
    *, session: Session, platform: str, external_id: str, now: datetime, name: str = ""
) -> Workspace:
    workspace = session.exec(
        select(Workspace).where(
            Workspace.platform == platform, Workspace.external_id == external_id
        )
    ).first()
    if workspace is None:
        workspace = Workspace(platform=platform, external_id=external_id, name=name, created_at=now)
        session.add(workspace)
        session.flush()
    return workspace


def find_workspace(*, session: Session, platform: str, external_id: str) -> Workspace | None:
    return session.exec(
        select(Workspace).where(
            Workspace.platform == platform, Workspace.external_id == external_id
        )
    ).first()


def list_workspaces(*, session: Session) -> Sequence[Workspace]:
    return session.exec(select(Workspace).order_by(col(Workspace.id))).all()


def find_respondent(
    *, session: Session, workspace_id: int, platform_user_id: str
) -> Respondent | None:
    return session.exec(
        select(Respondent).where(
            Respondent.workspace_id == workspace_id,
            Respondent.platform_user_id == platform_user_id,
        )
    ).first()


def count_respondents(*, session: Session, workspace_id: int) -> int:
    return session.exec(
        select(sa.func.count())
        .select_from(Respondent)
        .where(Respondent.workspace_id == workspace_id)
    ).one()


def respondents_by_user_id(
    *, session: Session, workspace_id: int, user_ids: Sequence[str]
) -> dict[str, Respondent]:
    """The respondents among `user_ids` (one query: bulk imports look up a batch at once)."""
    found = session.exec(
        select(Respondent).where(
            Respondent.workspace_id == workspace_id,
            col(Respondent.platform_user_id).in_(user_ids),
        )
    ).all()
    return {respondent.platform_user_id: respondent for respondent in found}


def save_respondents(
    *, session: Session, new: Sequence[dict[str, Any]], changed: Sequence[dict[str, Any]]
) -> None:
    """Insert and update many respondents in two executemany statements (`changed` has ids)."""
    if new:
        session.execute(sa.insert(Respondent), list(new))
    if changed:
        session.execute(sa.update(Respondent), list(changed))


def upsert_respondent(
    *,
    session: Session,
    workspace: Workspace,
    platform_user_id: str,
    now: datetime,
    attributes: dict[str, str] | None = None,
    **fields: object,
) -> Respondent:
    """Add someone to the audience, or refresh what we know of them.

    New attributes are merged into the old ones, so an import never erases a segment.
    """
    assert workspace.id is not None
    respondent = find_respondent(
        session=session, workspace_id=workspace.id, platform_user_id=platform_user_id
    )
    if respondent is None:
        count = count_respondents(session=session, workspace_id=workspace.id)
        respondent = Respondent(
            workspace_id=workspace.id,
            platform=workspace.platform,
            platform_user_id=platform_user_id,
            joined_at=now,
            rotation_slot=slot_for(count, workspace.cadence_days),
        )
    for name, value in fields.items():
        if value is not None:
            setattr(respondent, name, value)
    if attributes:
        respondent.attributes = {**respondent.attributes, **attributes}
    session.add(respondent)
    session.flush()
    return respondent


def set_opted_out(
    *, session: Session, respondent: Respondent, opted_out: bool, now: datetime
) -> int:
    """Opt someone out (or back in); returns how many waiting invitations were withdrawn."""
    respondent.opted_out = opted_out
    respondent.opted_out_at = now if opted_out else None
    session.add(respondent)
    if not opted_out:
        return 0
    return withdraw_pending(session=session, respondent_id=respondent.id or 0, reason="opted out")


def withdraw_pending(*, session: Session, respondent_id: int, reason: str) -> int:
    result = session.execute(
        sa.update(Invitation)
        .where(
            col(Invitation.respondent_id) == respondent_id,
            col(Invitation.status) == InvitationStatus.PENDING,
        )
        .values(status=InvitationStatus.SUPPRESSED, reason=reason)
    )
    return result.rowcount or 0


def create_invitation(
    *,
    session: Session,
    respondent: Respondent,
    source: str,
    due_at: datetime,
    now: datetime,
    event: str | None = None,
    status: str = InvitationStatus.PENDING,
    reason: str | None = None,
) -> Invitation:
    assert respondent.id is not None
    invitation = Invitation(
        workspace_id=respondent.workspace_id,
        respondent_id=respondent.id,
        source=source,
        event=event,
        status=status,
        reason=reason,
        due_at=due_at,
        created_at=now,
    )
    session.add(invitation)
    session.flush()
    return invitation


def get_invitation(*, session: Session, invitation_id: int) -> Invitation | None:
    return session.get(Invitation, invitation_id)


def response_for(*, session: Session, invitation_id: int) -> Response | None:
    return session.exec(select(Response).where(Response.invitation_id == invitation_id)).first()


def awaiting_comment(*, session: Session, respondent_id: int, since: datetime) -> Response | None:
    """The newest answer of this person still waiting for its follow-up comment."""
    return session.exec(
        select(Response)
        .where(
            Response.respondent_id == respondent_id,
            Response.followup == "awaiting",
            col(Response.answered_at) >= since,
        )
        .order_by(col(Response.answered_at).desc())
    ).first()


def mark_processed(*, session: Session, key: str, now: datetime) -> bool:
    """Remember a delivery; False when it was seen before (a retry or a replay)."""
    if session.get(ProcessedEvent, key) is not None:
        return False
    try:
        with session.begin_nested():
            session.add(ProcessedEvent(key=key, at=now))
            session.flush()
    except sa.exc.IntegrityError:
        return False
    return True


def forget_processed(*, session: Session, before: datetime) -> int:
    result = session.execute(sa.delete(ProcessedEvent).where(col(ProcessedEvent.at) < before))
    return result.rowcount or 0


def audit(
    *, session: Session, workspace_id: int, actor: str, action: str, detail: str, now: datetime
) -> None:
    session.add(
        AuditEntry(workspace_id=workspace_id, actor=actor, action=action, detail=detail, at=now)
    )


def targets(*, session: Session, workspace_id: int, kind: str) -> Sequence[Target]:
    return session.exec(
        select(Target).where(Target.workspace_id == workspace_id, Target.kind == kind)
    ).all()


def set_target(
    *, session: Session, workspace_id: int, kind: str, chat_id: str, replace: bool
) -> None:
    """Add a digest or alert destination; `replace` makes it the only one of its kind."""
    if replace:
        session.execute(
            sa.delete(Target).where(
                col(Target.workspace_id) == workspace_id, col(Target.kind) == kind
            )
        )
    exists = session.exec(
        select(Target).where(
            Target.workspace_id == workspace_id, Target.kind == kind, Target.chat_id == chat_id
        )
    ).first()
    if exists is None:
        session.add(Target(workspace_id=workspace_id, kind=kind, chat_id=chat_id))


def add_audience_source(*, session: Session, workspace_id: int, chat_id: str) -> None:
    exists = session.exec(
        select(AudienceSource).where(
            AudienceSource.workspace_id == workspace_id, AudienceSource.chat_id == chat_id
        )
    ).first()
    if exists is None:
        session.add(AudienceSource(workspace_id=workspace_id, chat_id=chat_id))


def is_audience_source(*, session: Session, workspace_id: int, chat_id: str) -> bool:
    return (
        session.exec(
            select(AudienceSource).where(
                AudienceSource.workspace_id == workspace_id, AudienceSource.chat_id == chat_id
            )
        ).first()
        is not None
    )


def expire_invitations(*, session: Session, now: datetime) -> int:
    """Close invitations whose time is up; answered ones keep their answer."""
    result = session.execute(
        sa.update(Invitation)
        .where(col(Invitation.status) == InvitationStatus.SENT, col(Invitation.expires_at) <= now)
        .values(status=InvitationStatus.EXPIRED)
    )
    return result.rowcount or 0
