"""Invitations: created, withdrawn, expired."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Session, col, select

from bot.models import Invitation, InvitationStatus, Respondent, Response
from bot.store.rows import columns_of, detached, table_of

_INVITATION = columns_of(Invitation)
_RESPONDENT = columns_of(Respondent)
_RESPONSE = columns_of(Response)
_ANSWERS = table_of(Response)
_ANSWER = _ANSWERS.alias("answer")
_INVITED = table_of(Invitation)
# The person's answer to this invitation, else their latest (to another one: this one has
# none), by the respondent's index (a respondent row and its answers are one workspace's).
# Two subqueries, as SQLite cannot order a correlated one by the outer row.
_THIS_OR_LATEST = sa.func.coalesce(
    sa.select(_ANSWERS.c.id)
    .where(_ANSWERS.c.invitation_id == _INVITED.c.id)
    .correlate(_INVITED)
    .scalar_subquery(),
    sa.select(_ANSWERS.c.id)
    .where(_ANSWERS.c.respondent_id == _INVITED.c.respondent_id)
    .order_by(_ANSWERS.c.answered_at.desc(), _ANSWERS.c.id.desc())
    .limit(1)
    .correlate(_INVITED)
    .scalar_subquery(),
)
_FOR_ANSWER = (
    sa.select(*_INVITATION, *_RESPONDENT, *(_ANSWER.c[column.key] for column in _RESPONSE))
    .join_from(
        _INVITED, table_of(Respondent), table_of(Respondent).c.id == _INVITED.c.respondent_id
    )
    .outerjoin(_ANSWER, _ANSWER.c.id == _THIS_OR_LATEST)
    .where(_INVITED.c.id == sa.bindparam("invitation_id"))
)
_ANSWERED = (
    sa.update(_INVITED)
    .where(_INVITED.c.id == sa.bindparam("invitation_id"))
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


@dataclass(frozen=True, slots=True)
class Answering:
    """What a score click reads before it writes: the invitation, the person it went to, their
    answer to it if they gave one, else their latest answer in this workspace to another one
    (what a new score is compared with, and whose comment the follow-up may recall)."""

    invitation: Invitation
    respondent: Respondent
    answer: Response | None
    earlier: Response | None


def invitation_for_answer(*, session: Session, invitation_id: int) -> Answering | None:
    """All a click reads, in one query; read in Core, in no session (`bot.store.rows`):
    change the invitation with `mark_answered` and the answer with `rescore`."""
    row = session.connection().execute(_FOR_ANSWER, {"invitation_id": invitation_id}).first()
    if row is None:
        return None
    respondent_at, answer_at = len(_INVITATION), len(_INVITATION) + len(_RESPONDENT)
    found = (
        detached(Response, _RESPONSE, row[answer_at:])
        if row[answer_at] is not None  # the answer's id: None when the outer join found none
        else None
    )
    this = found is not None and found.invitation_id == invitation_id
    return Answering(
        invitation=detached(Invitation, _INVITATION, row[:respondent_at]),
        respondent=detached(Respondent, _RESPONDENT, row[respondent_at:answer_at]),
        answer=found if this else None,
        earlier=None if this else found,
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
