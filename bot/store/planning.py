"""Planning queries: who could be due, the daily-cap counts, the bulk insert, reminders.

The planner computes the rotation (pure `scheduling.rotation` code) and hands the store a
`RotationFilter`; this module turns it into SQL, so most of a big audience never leaves the
database and the planner builds no query of its own.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import cast

import sqlalchemy as sa
from sqlmodel import Session, col, select

from bot.models import (
    Invitation,
    InvitationSource,
    InvitationStatus,
    Respondent,
    Response,
    UTCDateTime,
    Workspace,
)
from bot.store.history import ASKED, MEMBER_COLUMNS, Member, asked_at, member_from_row


@dataclass(frozen=True)
class RotationFilter:
    """What the rotation rules out before any row is read.

    Someone asked since `start` (the current cycle's first day) is not due, nor anyone whose
    slot is `begun` or later. With `old_start` (the pass straddles a cycle boundary in some
    zone), people not asked in the old cycle stay candidates whatever their slot. Otherwise a
    newcomer who joined after their slot's last day (`join_deadlines`: runs of slots below
    `end` sharing a last `day`) waits a cycle, unless this person was asked before.
    """

    cycle_days: int
    start: date
    begun: int
    old_start: date | None = None
    join_deadlines: tuple[tuple[int, date], ...] = ()


def active_workspaces(*, session: Session) -> Sequence[Workspace]:
    """Workspaces not paused, in id order."""
    return session.exec(
        select(Workspace).where(col(Workspace.paused).is_(False)).order_by(col(Workspace.id))
    ).all()


def candidates(
    *, session: Session, workspace_id: int, rotation: RotationFilter | None
) -> list[Member]:
    """Active respondents who could be due; `rotation` None reads the whole audience.

    The exact check is `due_date`, in Python, on the few rows left.
    """
    query = sa.select(*MEMBER_COLUMNS).where(
        col(Respondent.workspace_id) == workspace_id, col(Respondent.active).is_(True)
    )
    if rotation is not None:
        slot_begun = col(Respondent.rotation_slot) % rotation.cycle_days < rotation.begun
        if rotation.old_start is not None:
            query = query.where(
                ~_asked_since(rotation.start),
                sa.or_(slot_begun, ~_asked_since(rotation.old_start)),
            )
        else:
            waiting = sa.and_(_joined_after_slot(rotation), ~_person_ever_asked())
            query = query.where(~_asked_since(rotation.start), slot_begun, ~waiting)
    return [member_from_row(row) for row in session.execute(query).all()]


def _joined_after_slot(rotation: RotationFilter) -> sa.ColumnElement[bool]:
    """Joined after their slot's last possible day this cycle: a short CASE over slot runs."""
    slot = col(Respondent.rotation_slot) % rotation.cycle_days
    runs = rotation.join_deadlines

    def after(day: date) -> sa.ColumnElement[datetime]:
        return sa.literal(datetime.combine(day + timedelta(days=1), time(), UTC), UTCDateTime())

    threshold = sa.case(
        *((slot < end, after(day)) for end, day in runs[:-1]), else_=after(runs[-1][1])
    )
    joined = col(Respondent.joined_at)
    return sa.and_(joined.is_not(None), joined >= threshold)


def _person_ever_asked() -> sa.ColumnElement[bool]:
    """This row, or another row of the same person, was ever asked."""
    other = sa.orm.aliased(Respondent)
    mine = select(Invitation.id).where(
        col(Invitation.respondent_id) == col(Respondent.id), col(Invitation.status).in_(ASKED)
    )
    theirs = (
        select(Invitation.id)
        .join(other, col(other.id) == col(Invitation.respondent_id))
        .where(
            col(other.person_key) == col(Respondent.person_key),
            col(Invitation.status).in_(ASKED),
        )
    )
    return sa.or_(mine.exists(), sa.and_(col(Respondent.person_key).is_not(None), theirs.exists()))


def _asked_since(day: date) -> sa.Exists:
    return (
        select(Invitation.id)
        .where(
            col(Invitation.respondent_id) == col(Respondent.id),
            col(Invitation.status).in_(ASKED),
            asked_at() >= datetime.combine(day, time(), UTC),
        )
        .exists()
    )


def insert_planned(
    *, session: Session, workspace_id: int, planned: list[tuple[int, datetime]], now: datetime
) -> list[int]:
    """One multi-row INSERT; the rows are what `create_invitation` would make."""
    if not planned:
        return []
    rows = [
        {
            "workspace_id": workspace_id,
            "respondent_id": respondent_id,
            "source": InvitationSource.SCHEDULED.value,
            "status": InvitationStatus.PENDING.value,
            "due_at": due_at,
            "attempts": 0,
            "created_at": now,
        }
        for respondent_id, due_at in sorted(planned)
    ]
    ids = session.scalars(sa.insert(Invitation).returning(col(Invitation.id)), rows).all()
    return cast(list[int], list(ids))  # RETURNING a primary key: never NULL, unlike `id`


def asked_due_times(*, session: Session, workspace_id: int, since: datetime) -> list[datetime]:
    """When each invitation counting against the daily cap is due, from `since` on."""
    rows = session.exec(
        select(Invitation.due_at).where(
            Invitation.workspace_id == workspace_id,
            col(Invitation.status).in_(ASKED),
            col(Invitation.due_at) >= since,
        )
    ).all()
    return [due_at for due_at in rows if due_at is not None]


def asked_between(*, session: Session, workspace_id: int, start: datetime, end: datetime) -> int:
    """How many invitations counting against the daily cap are due in [start, end)."""
    return session.exec(
        select(sa.func.count())
        .select_from(Invitation)
        .where(
            Invitation.workspace_id == workspace_id,
            col(Invitation.status).in_(ASKED),
            col(Invitation.due_at) >= start,
            col(Invitation.due_at) < end,
        )
    ).one()


def reminder_candidates(
    *, session: Session, workspace: Workspace, now: datetime
) -> list[tuple[int, str | None]]:
    """(invitation id, time zone) of sent, unanswered, unexpired invitations due a reminder.

    Due means the person pressed "Remind me later" and that moment has come, or the workspace
    reminds after N days and this invitation was never reminded. Opted-out and unreachable
    people are left out; the send window is the caller's check.
    """
    asked_later = sa.and_(col(Invitation.remind_at).is_not(None), col(Invitation.remind_at) <= now)
    due = asked_later
    if workspace.reminder_after_days is not None:
        cutoff = now - timedelta(days=workspace.reminder_after_days)
        automatic = sa.and_(
            col(Invitation.remind_at).is_(None),
            col(Invitation.reminded_at).is_(None),
            col(Invitation.sent_at) <= cutoff,
        )
        due = sa.or_(asked_later, automatic)
    rows = session.execute(
        select(Invitation.id, Respondent.timezone)
        .join(Respondent, col(Respondent.id) == col(Invitation.respondent_id))
        .outerjoin(Response, col(Response.invitation_id) == col(Invitation.id))
        .where(
            Invitation.workspace_id == workspace.id,
            Invitation.status == InvitationStatus.SENT,
            due,
            sa.or_(col(Invitation.expires_at).is_(None), col(Invitation.expires_at) > now),
            col(Response.id).is_(None),
            col(Respondent.opted_out).is_(False),
            col(Respondent.unreachable).is_(False),
        )
        .order_by(col(Invitation.id))
    ).all()
    return [(invitation_id, tz) for invitation_id, tz in rows]
