"""Invitations: created, withdrawn, expired."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Session, col, select

from bot.models import Invitation, InvitationStatus, Respondent
from bot.store.rows import columns_of, detached, table_of

_INVITATION = columns_of(Invitation)
_RESPONDENT = columns_of(Respondent)
_WITH_RESPONDENT = (
    sa.select(*_INVITATION, *_RESPONDENT)
    .join_from(
        table_of(Invitation),
        table_of(Respondent),
        table_of(Respondent).c.id == table_of(Invitation).c.respondent_id,
    )
    .where(table_of(Invitation).c.id == sa.bindparam("invitation_id"))
)
_ANSWERED = (
    sa.update(table_of(Invitation))
    .where(table_of(Invitation).c.id == sa.bindparam("invitation_id"))
    .values(status=InvitationStatus.ANSWERED)
)


def withdraw_pending(*, session: Session, respondent_id: int, reason: str) -> int:
    result = session.exec(
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


def invitation_with_respondent(
    *, session: Session, invitation_id: int
) -> tuple[Invitation, Respondent] | None:
    """An invitation and the person it went to, in one query (a click needs both); read in
    Core, in no session (`bot.store.rows`): change the invitation with `mark_answered`."""
    row = session.connection().execute(_WITH_RESPONDENT, {"invitation_id": invitation_id}).first()
    if row is None:
        return None
    split = len(_INVITATION)
    return (
        detached(Invitation, _INVITATION, row[:split]),
        detached(Respondent, _RESPONDENT, row[split:]),
    )


def mark_answered(*, session: Session, invitation: Invitation) -> None:
    """The invitation has its answer (one UPDATE; the instance is told too)."""
    session.connection().execute(_ANSWERED, {"invitation_id": invitation.id})
    invitation.status = InvitationStatus.ANSWERED


def expire_invitations(*, session: Session, now: datetime) -> int:
    """Close invitations whose time is up; answered ones keep their answer."""
    result = session.exec(
        sa.update(Invitation)
        .where(col(Invitation.status) == InvitationStatus.SENT, col(Invitation.expires_at) <= now)
        .values(status=InvitationStatus.EXPIRED)
    )
    return result.rowcount or 0


def sent_invitations(*, session: Session) -> Sequence[tuple[Invitation, Respondent]]:
    """Every invitation out and unanswered, with its respondent (the demo's customers)."""
    return session.exec(
        select(Invitation, Respondent)
        .join(Respondent, col(Respondent.id) == Invitation.respondent_id)
        .where(Invitation.status == InvitationStatus.SENT)
    ).all()


def oldest_due(*, session: Session, now: datetime) -> datetime | None:
    """When the longest-waiting pending invitation was due (the dispatch lag's start)."""
    return session.exec(
        select(sa.func.min(Invitation.due_at)).where(
            col(Invitation.status) == InvitationStatus.PENDING, col(Invitation.due_at) <= now
        )
    ).one()


def make_due(*, session: Session, invitation_ids: list[int], now: datetime) -> None:
    """Pending invitations among `invitation_ids` become due now (a lifted pause's backlog)."""
    if invitation_ids:
        session.execute(
            sa.update(Invitation)
            .where(
                col(Invitation.id).in_(invitation_ids),
                col(Invitation.status) == InvitationStatus.PENDING,
            )
            .values(due_at=now)
        )
