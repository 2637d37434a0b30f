"""Per-person invitation history, read in bulk for the planner and the manual/triggered path.

One human may hold several respondent rows (Slack and Telegram, any workspace) joined by a
`person_key`; gaps and "already open" must see all of them, so history is keyed by person,
not by row. Reads are a fixed number of statements however big the audience: one query for
the other selves and one GROUP BY over the invitations, each in chunks a driver accepts.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlmodel import Session, col, select

from bot.models import Invitation, InvitationStatus, Respondent, Response

OPEN = (InvitationStatus.PENDING, InvitationStatus.CLAIMED, InvitationStatus.SENDING)
# Reached (or may have reached) the person: these start gaps.
DELIVERED = (
    InvitationStatus.SENT,
    InvitationStatus.ANSWERED,
    InvitationStatus.EXPIRED,
    InvitationStatus.UNCERTAIN,
)
# Count as "asked" for the rotation and against the daily cap.
ASKED = (*OPEN, *DELIVERED)
_CHUNK = 1000
_T = TypeVar("_T")


@dataclass
class Facts:
    """One person's invitation history, merged over all their respondent rows."""

    last_sent_at: datetime | None = None
    last_unanswered_sent_at: datetime | None = None
    last_answered_at: datetime | None = None
    last_asked_at: datetime | None = None
    has_open: bool = False

    def merge(self, other: Facts) -> None:
        for name in ("last_sent_at", "last_unanswered_sent_at", "last_answered_at"):
            setattr(self, name, _latest(getattr(self, name), getattr(other, name)))
        self.last_asked_at = _latest(self.last_asked_at, other.last_asked_at)
        self.has_open = self.has_open or other.has_open

    def last_asked_day(self) -> date | None:
        return self.last_asked_at.date() if self.last_asked_at else None


@dataclass(frozen=True)
class Member:
    """One respondent row as the planner needs it: just the columns of `MEMBER_COLUMNS`.

    Plain tuples rather than ORM objects, so a 10,000-person audience loads cheaply.
    """

    id: int
    person: str
    slot: int
    joined: date | None
    timezone: str | None
    opted_out: bool
    unreachable: bool


MEMBER_COLUMNS = (
    col(Respondent.id),
    col(Respondent.person_key),
    col(Respondent.timezone),
    col(Respondent.rotation_slot),
    col(Respondent.joined_at),
    col(Respondent.opted_out),
    col(Respondent.unreachable),
)


def _latest(a: datetime | None, b: datetime | None) -> datetime | None:
    if a is None or b is None:
        return a or b
    return max(a, b)


def _person(respondent_id: int, person_key: str | None) -> str:
    """Rows without a person_key are people of their own, keyed "#<id>" (never a real key)."""
    return person_key or f"#{respondent_id}"


def asked_at() -> sa.ColumnElement[datetime]:
    """When an invitation counts as asked: sent, else due, else created."""
    return sa.func.coalesce(Invitation.sent_at, Invitation.due_at, Invitation.created_at)


def member_from_row(row: sa.Row[*tuple[Any, ...]]) -> Member:
    """A `Member` from a row selected with `MEMBER_COLUMNS`."""
    rid, key, tz, slot, joined, opted_out, unreachable = row
    return Member(
        id=rid,
        person=_person(rid, key),
        slot=slot,
        joined=joined.date() if joined else None,
        timezone=tz,
        opted_out=opted_out,
        unreachable=unreachable,
    )


def member(*, session: Session, respondent_id: int) -> Member:
    """One respondent as a `Member`, for the manual and triggered paths and `explain`."""
    return member_from_row(
        session.execute(sa.select(*MEMBER_COLUMNS).where(col(Respondent.id) == respondent_id)).one()
    )


def other_selves(*, session: Session, members: list[Member]) -> dict[int, str]:
    """Respondent id -> person for the members and their rows sharing a person_key.

    One human on Slack and Telegram (any workspace) shares a single history.
    """
    persons = {member.id: member.person for member in members}
    keys = sorted({member.person for member in members if not member.person.startswith("#")})
    for chunk in _chunks(keys):
        rows = session.execute(
            select(Respondent.id, Respondent.person_key).where(
                col(Respondent.person_key).in_(chunk)
            )
        ).all()
        persons.update({rid: key for rid, key in rows})
    return persons


def _chunks(items: Sequence[_T]) -> Iterator[Sequence[_T]]:
    """Slices small enough for any driver's bound-parameter limit."""
    for start in range(0, len(items), _CHUNK):
        yield items[start : start + _CHUNK]


def load_facts(
    *, session: Session, persons: dict[int, str], now: datetime, since: datetime | None
) -> dict[str, Facts]:
    """One GROUP BY over the invitations of these respondents, merged per person."""
    if not persons:
        return {}
    status = col(Invitation.status)
    answered = sa.or_(col(Response.id).is_not(None), status == InvitationStatus.ANSWERED)
    reached_at = sa.func.coalesce(Invitation.sent_at, Invitation.claimed_at)
    is_open = sa.or_(
        status.in_(OPEN),
        sa.and_(
            status == InvitationStatus.SENT,
            col(Response.id).is_(None),
            sa.or_(col(Invitation.expires_at).is_(None), col(Invitation.expires_at) > now),
        ),
    )
    query = (
        sa.select(
            col(Invitation.respondent_id),
            sa.func.max(sa.case((status.in_(DELIVERED), reached_at))),
            sa.func.max(sa.case((sa.and_(status.in_(DELIVERED), ~answered), reached_at))),
            sa.func.max(Response.answered_at),
            sa.func.max(sa.case((status.in_(ASKED), asked_at()))),
            sa.func.max(sa.case((is_open, 1), else_=0)),
        )
        .select_from(Invitation)
        .outerjoin(Response, col(Response.invitation_id) == col(Invitation.id))
        .group_by(col(Invitation.respondent_id))
    )
    if since is not None:
        recent = sa.or_(asked_at() >= since, col(Response.answered_at) >= since, status.in_(OPEN))
        query = query.where(recent)
    facts: dict[str, Facts] = {}
    for chunk in _chunks(sorted(persons)):
        rows = session.execute(query.where(col(Invitation.respondent_id).in_(chunk))).all()
        for rid, sent, unanswered, answered_at, asked, has_open in rows:
            fact = Facts(sent, unanswered, answered_at, asked, bool(has_open))
            if persons[rid] in facts:
                facts[persons[rid]].merge(fact)
            else:
                facts[persons[rid]] = fact
    return facts


def open_invitation(*, session: Session, respondent_ids: Sequence[int]) -> Invitation | None:
    """The earliest-due invitation still open for any of these rows (one person's selves)."""
    return session.exec(
        select(Invitation)
        .where(
            col(Invitation.respondent_id).in_(list(respondent_ids)),
            col(Invitation.status).in_(OPEN),
        )
        .order_by(col(Invitation.due_at))
    ).first()


def last_trigger(*, session: Session, respondent_ids: Sequence[int], event: str) -> datetime | None:
    """When this person was last triggered by `event` (suppressed triggers do not count)."""
    last: datetime | None = session.execute(
        sa.select(sa.func.max(Invitation.created_at)).where(
            col(Invitation.respondent_id).in_(list(respondent_ids)),
            col(Invitation.source) == "triggered",
            col(Invitation.event) == event,
            col(Invitation.status) != InvitationStatus.SUPPRESSED,
        )
    ).scalar_one_or_none()
    return last
