"""Claims: how an invitation moves pending -> claimed -> sending -> its outcome, safely.

Several replicas share one database: a claim is a conditional UPDATE, so a row is sent by
whoever moved it first. The journal's writes are Core statements built once per shape,
because at a few hundred sends a second building statements costs more than running them.
"""

from __future__ import annotations

import functools
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from bot.models import Invitation, InvitationStatus, Respondent, Workspace

INVITATIONS: sa.Table = Invitation.__table__  # type: ignore[attr-defined]  # set by SQLModel, undeclared
RESPONDENTS: sa.Table = Respondent.__table__  # type: ignore[attr-defined]  # set by SQLModel, undeclared
WORKSPACES: sa.Table = Workspace.__table__  # type: ignore[attr-defined]  # set by SQLModel, undeclared
CLAIMED_RESPONDENT = (
    "platform",
    "platform_user_id",
    "dm_channel",
    "display_name",
    "locale",
    "language",
    "opted_out",
    "unreachable",
)
"""The respondent's columns a claim loads: where to send, in which words, and whether to."""
CRASHED_WHILE_SENDING = (
    "process stopped while sending; not resent unless the chat shows it never arrived"
)
NO_ANSWER = "no answer from the platform; not resent unless the chat shows it never arrived"
"""The reason of a send the platform never answered (a timeout): reconciliation decides."""
RESENT = "not in the chat's history: sent again, once"
"""The reason of an invitation reconciliation found missing (`bot.store.reconcile`)."""
LOST_AGAIN = "its one resend's outcome is unknown too; not sent again"
"""The reason of a resend that became uncertain in turn: it is never sent a third time."""
IN_FLIGHT = (InvitationStatus.CLAIMED, InvitationStatus.SENDING, InvitationStatus.UNCERTAIN)
"""Where a send's outcome finds its invitation: claimed (deferred before marking), sending, or
uncertain (its lease ran out meanwhile and another process settled it)."""


def claim_due(
    *, session: Session, now: datetime, worker: str, limit: int, skip_locked: bool
) -> list[int]:
    """Claim up to `limit` due invitations; with `skip_locked` (PostgreSQL) rows another
    replica is claiming are passed over instead of waited for."""
    query = (
        select(Invitation.id)
        .where(Invitation.status == InvitationStatus.PENDING, col(Invitation.due_at) <= now)
        .order_by(col(Invitation.due_at), col(Invitation.id))
        .limit(limit)
    )
    if skip_locked:
        query = query.with_for_update(skip_locked=True)
    ids = [row for row in session.exec(query).all() if row is not None]
    return claim(session=session, ids=ids, now=now, worker=worker) if ids else []


def claim(*, session: Session, ids: list[int], now: datetime, worker: str) -> list[int]:
    """Move pending rows to claimed; a row someone else claimed first is left alone."""
    claimed = session.execute(
        sa.update(Invitation)
        .where(col(Invitation.id).in_(ids), col(Invitation.status) == InvitationStatus.PENDING)
        .values(
            status=InvitationStatus.CLAIMED,
            claimed_at=now,
            claimed_by=worker,
            attempts=Invitation.attempts + 1,
        )
        .returning(col(Invitation.id))
    ).all()
    return [row[0] for row in claimed]


def claimed_by(*, session: Session, ids: list[int], worker: str) -> list[sa.Row[Any]]:
    """Our claimed invitations among `ids`, with what sending each needs (invitation `id`,
    `attempts`, `reason`; the respondent's columns; `expiry_days`), as plain rows: loading
    them as objects cost more than the rest of a claim."""
    rows = session.execute(
        sa.select(
            INVITATIONS.c.id,
            INVITATIONS.c.attempts,
            INVITATIONS.c.reason,
            INVITATIONS.c.respondent_id,
            *(RESPONDENTS.c[name] for name in CLAIMED_RESPONDENT),
            WORKSPACES.c.expiry_days,
        )
        .join(RESPONDENTS, RESPONDENTS.c.id == INVITATIONS.c.respondent_id)
        .join(WORKSPACES, WORKSPACES.c.id == INVITATIONS.c.workspace_id)
        .where(
            INVITATIONS.c.id.in_(ids),
            INVITATIONS.c.status == InvitationStatus.CLAIMED,
            INVITATIONS.c.claimed_by == worker,
        )
        .order_by(INVITATIONS.c.due_at, INVITATIONS.c.id)
    ).all()
    return list(rows)


def suppress_claims(*, session: Session, reasons: dict[int, str]) -> None:
    """Claims whose person opted out or became unreachable since planning: suppressed."""
    for invitation_id, reason in reasons.items():
        session.execute(
            sa.update(INVITATIONS)
            .where(INVITATIONS.c.id == invitation_id)
            .values(status=InvitationStatus.SUPPRESSED, reason=reason)
        )


def release_stale_claims(*, session: Session, cutoff: datetime) -> tuple[int, int]:
    """Claims a dead process left before `cutoff`: `claimed` back to pending, `sending` to
    uncertain (the message may be out). Returns how many of each."""
    return _settle(session, col(Invitation.claimed_at) < cutoff)


def renew_claims(*, session: Session, worker: str, now: datetime) -> int:
    """The live `worker`'s heartbeat: its claims' lease starts again at `now`.

    Rows the worker's own journal is writing at this moment are skipped, not waited for
    (PostgreSQL): the heartbeat locking its rows in table order while the journal's
    transaction locks them in id order deadlocked, and PostgreSQL then aborted the journal's
    round. A skipped row is being marked `sending` (which renews it) or given its outcome;
    the next beat renews it otherwise, well within the lease.
    """
    held = (
        sa.select(col(Invitation.id))
        .where(
            col(Invitation.status).in_([InvitationStatus.CLAIMED, InvitationStatus.SENDING]),
            col(Invitation.claimed_by) == worker,
        )
        .with_for_update(skip_locked=True)
    )
    renewed = session.exec(
        sa.update(Invitation)
        .where(col(Invitation.id).in_(held.scalar_subquery()))
        .values(claimed_at=now)
    ).rowcount
    return renewed or 0


def hand_back_claims(*, session: Session, invitation_ids: list[int], worker: str) -> int:
    """`worker`'s claims it will not send after all (shutdown): pending again, the attempt
    not counted."""
    returned = session.exec(
        sa.update(Invitation)
        .where(
            col(Invitation.id).in_(invitation_ids),
            col(Invitation.status) == InvitationStatus.CLAIMED,
            col(Invitation.claimed_by) == worker,
        )
        .values(status=InvitationStatus.PENDING, claimed_by=None, attempts=Invitation.attempts - 1)
    ).rowcount
    return returned or 0


def settle_worker(*, session: Session, worker: str) -> tuple[int, int]:
    """Everything `worker` still holds as it stops: `claimed` back to pending, `sending` (a send
    cut off on the wire) uncertain. Returns how many of each."""
    return _settle(session, col(Invitation.claimed_by) == worker)


def _settle(session: Session, held: sa.ColumnElement[bool]) -> tuple[int, int]:
    """The `held` claims nobody will finish: how many went back to pending, became uncertain."""
    returned = session.exec(
        sa.update(Invitation)
        .where(col(Invitation.status) == InvitationStatus.CLAIMED, held)
        .values(status=InvitationStatus.PENDING, claimed_by=None)
    ).rowcount
    uncertain = session.exec(
        sa.update(Invitation)
        .where(col(Invitation.status) == InvitationStatus.SENDING, held)
        .values(status=InvitationStatus.UNCERTAIN, reason=_uncertain_reason())
    ).rowcount
    return returned or 0, uncertain or 0


def claim_reminder(*, session: Session, invitation_id: int, now: datetime) -> bool:
    """Take the one reminder of a sent invitation; False when it was taken already."""
    claimed = session.exec(
        sa.update(Invitation)
        .where(
            col(Invitation.id) == invitation_id,
            col(Invitation.status) == InvitationStatus.SENT,
            col(Invitation.reminded_at).is_(None),
        )
        .values(reminded_at=now, remind_at=None)
    ).rowcount
    return bool(claimed)


def release_reminder(*, session: Session, invitation_id: int, remind_at: datetime) -> None:
    """A reminder the platform refused with a 429 (nothing sent): due again at `remind_at`."""
    session.execute(
        sa.update(Invitation)
        .where(col(Invitation.id) == invitation_id)
        .values(reminded_at=None, remind_at=remind_at)
    )


def mark_unreachable(*, session: Session, respondent_id: int, error: str) -> None:
    session.execute(
        sa.update(Respondent)
        .where(col(Respondent.id) == respondent_id)
        .values(unreachable=True, unreachable_reason=error[:200])
    )


def write_outcomes(
    *,
    connection: sa.Connection,
    invitations: list[dict[str, Any]],
    respondents: list[dict[str, Any]],
) -> None:
    """UPDATE invitation and respondent rows by id, one executemany per set of columns."""
    _update_rows(connection, INVITATIONS, invitations)
    _update_rows(connection, RESPONDENTS, respondents)


def mark_sending(
    *, connection: sa.Connection, ids: list[int], worker: str, now: datetime
) -> set[int]:
    """claimed -> sending for our claims whose person may still be asked; the ids marked."""
    return set(
        connection.execute(_mark_statement(), {"ids": ids, "worker": worker, "now": now}).scalars()
    )


def why_not_marked(*, connection: sa.Connection, invitation_id: int, worker: str) -> str:
    """Why a claim was not marked: suppress it if the person left, else it is not ours."""
    row = connection.execute(
        sa.select(INVITATIONS.c.status, INVITATIONS.c.claimed_by, RESPONDENTS.c.opted_out)
        .join(RESPONDENTS, RESPONDENTS.c.id == INVITATIONS.c.respondent_id)
        .where(INVITATIONS.c.id == invitation_id)
    ).first()
    if row is None or row.status != InvitationStatus.CLAIMED:
        return "no longer claimed"
    if row.claimed_by != worker:
        return "claimed by another worker"
    reason = "opted out" if row.opted_out else "unreachable"
    connection.execute(
        sa.update(INVITATIONS)
        .where(INVITATIONS.c.id == invitation_id)
        .values(status=InvitationStatus.SUPPRESSED, reason=reason)
    )
    return reason


def _uncertain_reason() -> sa.Case[str]:
    """Why a `sending` row is uncertain now: a resend's second loss says it is the last."""
    return sa.case((col(Invitation.reason) == RESENT, LOST_AGAIN), else_=CRASHED_WHILE_SENDING)


def _update_rows(connection: sa.Connection, table: sa.Table, rows: list[dict[str, Any]]) -> None:
    shapes: dict[tuple[str, ...], list[dict[str, Any]]] = {}
    for row in rows:
        shapes.setdefault(tuple(sorted(row)), []).append({f"b_{k}": v for k, v in row.items()})
    for columns, params in shapes.items():
        connection.execute(_update_statement(table, columns), params)


@functools.cache
def _update_statement(table: sa.Table, columns: tuple[str, ...]) -> sa.Update:
    """Built once per shape: building statements costs more than running them here.

    An invitation's status moves only from a state its send can be in (IN_FLIGHT): a click
    stored before the post's answer came back has made it `answered`, which the outcome
    written after it must not undo; its other columns (when and where it was sent) are facts
    all the same."""
    values: dict[str, Any] = {name: sa.bindparam(f"b_{name}") for name in columns if name != "id"}
    if table is INVITATIONS and "status" in values:
        in_flight = sa.or_(*(table.c.status == sa.literal(state.value) for state in IN_FLIGHT))
        values["status"] = sa.case((in_flight, values["status"]), else_=table.c.status)
    return sa.update(table).where(table.c.id == sa.bindparam("b_id")).values(values)


@functools.cache
def _mark_statement() -> sa.Update:
    askable = sa.exists().where(
        RESPONDENTS.c.id == INVITATIONS.c.respondent_id,
        sa.not_(RESPONDENTS.c.opted_out),
        sa.not_(RESPONDENTS.c.unreachable),
    )
    return (
        sa.update(INVITATIONS)
        .where(
            INVITATIONS.c.id.in_(sa.bindparam("ids", expanding=True)),
            INVITATIONS.c.status == InvitationStatus.CLAIMED,
            INVITATIONS.c.claimed_by == sa.bindparam("worker"),
            askable,
        )
        .values(status=InvitationStatus.SENDING, claimed_at=sa.bindparam("now"))
        .returning(INVITATIONS.c.id)
    )
