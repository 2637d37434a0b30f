"""Uncertain sends: claimed for a look at the person's chat history, then settled.

A send whose outcome is unknown (`uncertain`: the process died, or the call timed out, while
the row was `sending`) is claimed the way a due invitation is: a conditional UPDATE naming
the worker and moving `reconcile_at` past the look, so on several replicas one looks at a row
at a time (PostgreSQL also skips rows another replica is locking). A claim whose worker died
comes due again by itself. Every settlement is conditional on the row still being `uncertain`
and the claim the worker's, so a click, or a replica that took the row over, wins.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlmodel import Session, col, select

from bot.models import Invitation, InvitationStatus, Respondent, Workspace
from bot.store.claims import LOST_AGAIN, RESENT

UNCERTAIN = InvitationStatus.UNCERTAIN
FOUND = "found in the chat's history after its answer was lost"
GAVE_UP = "not in the chat's history after its one resend: counted as asked, not sent again"
RELEASED = "outcome never known; counted as asked until its expiry, never resent"


def claim_uncertain(
    *,
    session: Session,
    now: datetime,
    settled_before: datetime,
    worker: str,
    platforms: list[str],
    limit: int,
    hold: timedelta,
    skip_locked: bool,
) -> list[int]:
    """Claim up to `limit` uncertain rows of `platforms` that are ready for a look, for `hold`.

    Ready: never looked at and quiet since `settled_before` (the send's last sign of life is
    its `claimed_at`), or due for another look (`reconcile_at`).
    """
    ready = sa.or_(
        sa.and_(
            col(Invitation.reconcile_at).is_(None),
            sa.or_(
                col(Invitation.claimed_at).is_(None), col(Invitation.claimed_at) <= settled_before
            ),
        ),
        col(Invitation.reconcile_at) <= now,
    )
    query = (
        select(Invitation.id)
        .join(Respondent, col(Respondent.id) == col(Invitation.respondent_id))
        .where(Invitation.status == UNCERTAIN, col(Respondent.platform).in_(platforms), ready)
        .order_by(col(Invitation.id))
        .limit(limit)
    )
    if skip_locked:
        query = query.with_for_update(skip_locked=True, of=Invitation)
    ids = [row for row in session.exec(query).all() if row is not None]
    if not ids:
        return []
    claimed = session.execute(
        sa.update(Invitation)
        .where(col(Invitation.id).in_(ids), col(Invitation.status) == UNCERTAIN, ready)
        .values(claimed_by=worker, reconcile_at=now + hold)
        .returning(col(Invitation.id))
    ).all()
    return [row[0] for row in claimed]


def uncertain_claims(
    *, session: Session, ids: list[int], worker: str
) -> list[tuple[Invitation, Respondent]]:
    """Our claimed uncertain rows among `ids`, each with its respondent."""
    rows = session.execute(
        sa.select(Invitation, Respondent)
        .join(Respondent, col(Respondent.id) == col(Invitation.respondent_id))
        .where(
            col(Invitation.id).in_(ids),
            col(Invitation.status) == UNCERTAIN,
            col(Invitation.claimed_by) == worker,
        )
        .order_by(col(Invitation.id))
    ).all()
    return [(invitation, respondent) for invitation, respondent in rows]


def _ours(invitation_id: int, worker: str) -> sa.ColumnElement[bool]:
    return sa.and_(
        col(Invitation.id) == invitation_id,
        col(Invitation.status) == UNCERTAIN,
        col(Invitation.claimed_by) == worker,
    )


def reconciled_sent(
    *,
    session: Session,
    invitation_id: int,
    respondent_id: int,
    worker: str,
    chat_id: str,
    message_id: str,
    sent_at: datetime,
) -> bool:
    """The question is in the chat: `sent` as if its answer had come, with the message's
    place (a click then updates it) and its expiry counted from when it was posted."""
    expiry = session.execute(
        sa.select(col(Workspace.expiry_days))
        .join(Invitation, col(Invitation.workspace_id) == col(Workspace.id))
        .where(col(Invitation.id) == invitation_id)
    ).scalar_one()
    done = session.exec(
        sa.update(Invitation)
        .where(_ours(invitation_id, worker))
        .values(
            status=InvitationStatus.SENT,
            sent_at=sent_at,
            expires_at=sent_at + timedelta(days=expiry),
            chat_ref=chat_id,
            message_ref=message_id,
            reason=FOUND,
            reconcile_at=None,
        )
    ).rowcount
    if done:
        session.execute(
            sa.update(Respondent)
            .where(col(Respondent.id) == respondent_id, col(Respondent.dm_channel).is_(None))
            .values(dm_channel=chat_id)
        )
    return bool(done)


def reconciled_missing(*, session: Session, invitation_id: int, worker: str, now: datetime) -> str:
    """The question never arrived: pending again, due now, to be sent once more. A resend
    that was lost in turn (`LOST_AGAIN`) is not: it is closed as `expired`, counted as asked
    (the unanswered gap runs from the attempt), so the person is asked in the next cycle.
    Returns "resent", "released", or "" when the row is no longer ours."""
    resend = sa.update(Invitation).where(
        _ours(invitation_id, worker), col(Invitation.reason) != LOST_AGAIN
    )
    done = session.exec(
        resend.values(
            status=InvitationStatus.PENDING,
            due_at=now,
            claimed_by=None,
            reason=RESENT,
            reconcile_at=None,
        )
    ).rowcount
    if done:
        return "resent"
    closed = session.exec(
        sa.update(Invitation)
        .where(_ours(invitation_id, worker), col(Invitation.reason) == LOST_AGAIN)
        .values(
            status=InvitationStatus.EXPIRED,
            expires_at=now,
            claimed_by=None,
            reason=GAVE_UP,
            reconcile_at=None,
        )
    ).rowcount
    return "released" if closed else ""


def still_uncertain(
    *, session: Session, invitation_id: int, worker: str, reason: str, look_again_at: datetime
) -> bool:
    """The history could not be read: uncertain still, with why, looked at again later."""
    done = session.exec(
        sa.update(Invitation)
        .where(_ours(invitation_id, worker))
        .values(reason=reason[:200], claimed_by=None, reconcile_at=look_again_at)
    ).rowcount
    return bool(done)


def release_uncertain(*, session: Session, now: datetime) -> int:
    """Uncertain rows past their expiry become `expired`: still counted as asked (the gap for
    unanswered invitations runs from the attempt), never resent, never "answered"."""
    attempted = sa.func.coalesce(Invitation.claimed_at, Invitation.due_at, Invitation.created_at)
    rows = session.execute(
        sa.select(col(Invitation.id), attempted, col(Workspace.expiry_days))
        .join(Workspace, col(Workspace.id) == col(Invitation.workspace_id))
        .where(col(Invitation.status) == UNCERTAIN)
    ).all()
    released = 0
    for invitation_id, at, expiry_days in rows:
        expires = (at or now) + timedelta(days=expiry_days)
        if expires > now:
            continue
        released += (
            session.exec(
                sa.update(Invitation)
                .where(col(Invitation.id) == invitation_id, col(Invitation.status) == UNCERTAIN)
                .values(
                    status=InvitationStatus.EXPIRED,
                    expires_at=expires,
                    reason=RELEASED,
                    reconcile_at=None,
                )
            ).rowcount
            or 0
        )
    return released
