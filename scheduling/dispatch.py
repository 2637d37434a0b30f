"""Crash-safe sending: claim -> send -> record.

A survey sent twice is worse than one sent late. An invitation moves
pending -> claimed -> sending -> sent, each step committed before the next. After a crash a
`claimed` row never reached the platform and goes back to pending; a `sending` row may have
reached it and becomes `uncertain` instead of being sent blindly again.

A pass runs at the platform's rate (`scheduling.pacing`) with `concurrency` sends in flight.
An invitation becomes `sending` only once it holds a pacing token, and a worker takes the next
one only after the previous outcome is committed, so a crash leaves at most `concurrency`
invitations uncertain. The steps of many sends share one transaction (group commit), so the
database keeps up with a few hundred sends a second even on SQLite. A person in Do Not
Disturb (`Channel.busy_until`) is not sent to: the invitation goes back to pending until then.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import os
import socket
import warnings
from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Literal

import sqlalchemy as sa
from sqlmodel import Session, col, select

from bot import store
from bot.admin import InviteResult
from bot.clock import Clock
from bot.db import Database
from bot.models import Invitation, InvitationSource, InvitationStatus, Respondent, Workspace
from bot.settings import Settings
from bot.survey import question_for, recipient_of
from channels.base import Channel, ChannelError, MessageRef, Recipient, RecipientUnreachable
from scheduling.pacing import Pacing
from scheduling.planner import admit
from scheduling.policy import Decision

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 5
MAX_BOUNCES = 5
"""429s one invitation may meet in a pass before it waits for the next attempt instead."""
SUPPRESSED = ("opted out", "unreachable")
DO_NOT_DISTURB = "do not disturb"
CLAIM_SECONDS = 2.0
"""A claim holds at most this many seconds of sends at the paced rate (or `batch` rows)."""


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


@dataclass
class PassReport:
    """What one dispatch pass did."""

    sent: int = 0
    failed: int = 0
    unreachable: int = 0
    retried: int = 0
    rate_limited: int = 0
    deferred: int = 0
    skipped: dict[str, int] = field(default_factory=dict)

    def skip(self, reason: str) -> None:
        self.skipped[reason] = self.skipped.get(reason, 0) + 1


@dataclass(slots=True)
class Send:
    """A claimed invitation with what sending it needs, loaded along with the claim."""

    invitation_id: int
    respondent_id: int
    platform: str
    recipient: Recipient
    expiry_days: int
    attempts: int
    bounces: int = 0


class Dispatcher:
    """Sends due invitations through the right channel, at most once each."""

    def __init__(
        self,
        *,
        db: Database,
        channels: dict[str, Channel],
        settings: Settings,
        clock: Clock,
        worker: str | None = None,
        concurrency: int = 16,
        rates: Mapping[str, float | None] | None = None,
    ) -> None:
        self.db = db
        self.channels = channels
        self.settings = settings
        self.clock = clock
        self.worker = worker or worker_name()
        self.concurrency = concurrency
        self.pacing = Pacing(rates)

    # -- claiming --------------------------------------------------------------------------

    def claim_due(self, *, limit: int) -> list[int]:
        """Claim up to `limit` due invitations; rows another replica holds are skipped."""
        with self.db.session() as session:
            return self._claim_due(session, limit)

    def _claim_due(self, session: Session, limit: int) -> list[int]:
        now = self.clock.now()
        query = (
            select(Invitation.id)
            .where(
                Invitation.status == InvitationStatus.PENDING,
                col(Invitation.due_at) <= now,
            )
            .order_by(col(Invitation.due_at), col(Invitation.id))
            .limit(limit)
        )
        if self.db.is_postgres:
            query = query.with_for_update(skip_locked=True)
        ids = [row for row in session.exec(query).all() if row is not None]
        return self._claim(session, ids, now) if ids else []

    def _claim(self, session: Session, ids: list[int], now: datetime) -> list[int]:
        """Move pending rows to claimed; a row someone else claimed first is left alone."""
        claimed = session.execute(
            sa.update(Invitation)
            .where(
                col(Invitation.id).in_(ids),
                col(Invitation.status) == InvitationStatus.PENDING,
            )
            .values(
                status=InvitationStatus.CLAIMED,
                claimed_at=now,
                claimed_by=self.worker,
                attempts=Invitation.attempts + 1,
            )
            .returning(Invitation.id)
        ).all()
        return [row[0] for row in claimed]

    def _claim_batch(self, limit: int, report: PassReport) -> tuple[int, list[Send]]:
        """Claim and load a batch in one transaction; returns (rows claimed, sendable)."""
        with self.db.session() as session:
            ids = self._claim_due(session, limit)
            return len(ids), self._load(session, ids, report)

    def _load(self, session: Session, ids: list[int], report: PassReport) -> list[Send]:
        """What sending our claimed `ids` needs; people who cannot be asked are suppressed."""
        if not ids:
            return []
        rows = session.execute(
            sa.select(Invitation, Respondent, Workspace.expiry_days)
            .join(Respondent, col(Respondent.id) == col(Invitation.respondent_id))
            .join(Workspace, col(Workspace.id) == col(Invitation.workspace_id))
            .where(
                col(Invitation.id).in_(ids),
                col(Invitation.status) == InvitationStatus.CLAIMED,
                col(Invitation.claimed_by) == self.worker,
            )
            .order_by(col(Invitation.due_at), col(Invitation.id))
        ).all()
        sends: list[Send] = []
        for invitation, respondent, expiry_days in rows:
            if respondent.opted_out or respondent.unreachable:
                reason = "opted out" if respondent.opted_out else "unreachable"
                invitation.status = InvitationStatus.SUPPRESSED
                invitation.reason = reason
                session.add(invitation)
                report.skip(reason)
                continue
            sends.append(
                Send(
                    invitation_id=invitation.id or 0,
                    respondent_id=respondent.id or 0,
                    platform=respondent.platform,
                    recipient=recipient_of(respondent),
                    expiry_days=expiry_days,
                    attempts=invitation.attempts,
                )
            )
        return sends

    # -- sending ---------------------------------------------------------------------------

    async def run_pass(self, *, batch: int = 200) -> PassReport:
        """Send everything due now at the paced rate, `concurrency` sends in flight."""
        report = PassReport()
        journal = self._journal()
        queue: deque[Send] = deque()
        refill = asyncio.Lock()
        exhausted = False
        limit = self._claim_size(batch)

        async def next_send() -> Send | None:
            nonlocal exhausted
            async with refill:
                while not queue and not exhausted:
                    claimed, sends = await asyncio.to_thread(self._claim_batch, limit, report)
                    queue.extend(sends)
                    exhausted = claimed == 0
                return queue.popleft() if queue else None

        async def work() -> None:
            while (send := await next_send()) is not None:
                await self._send(send, journal, report)

        await asyncio.gather(*(work() for _ in range(self.concurrency)))
        return report

    def _claim_size(self, batch: int) -> int:
        rate = self.pacing.sends_per_second(list(self.channels))
        if rate is None:
            return batch
        return max(1, min(batch, max(2 * self.concurrency, round(rate * CLAIM_SECONDS))))

    def _journal(self) -> Journal:
        return Journal(db=self.db, clock=self.clock, worker=self.worker)

    async def deliver(self, invitation_id: int, report: PassReport | None = None) -> str:
        """Send one invitation this worker claimed and record the outcome; returns its status."""
        report = report or PassReport()
        with self.db.session() as session:
            sends = self._load(session, [invitation_id], report)
            if not sends:
                invitation = session.get(Invitation, invitation_id)
                return invitation.status if invitation else "missing"
        return await self._send(sends[0], self._journal(), report)

    async def _send(self, send: Send, journal: Journal, report: PassReport) -> str:
        """Pace, mark `sending`, send, record; a 429 waits and tries again (it sent nothing)."""
        channel = self.channels[send.platform]
        question = question_for(send.invitation_id, self.settings)
        busy = await self._busy_until(channel, send)
        if busy is not None:
            report.deferred += 1
            return await journal.record(Outcome.deferred(send, busy))
        while True:
            await self.pacing.acquire(send.platform)
            skipped = await journal.mark_sending(send)
            if skipped is not None:
                report.skip(skipped)
                return InvitationStatus.SUPPRESSED if skipped in SUPPRESSED else skipped
            try:
                ref = await channel.send_question(recipient=send.recipient, question=question)
            except RecipientUnreachable as exc:
                report.unreachable += 1
                return await journal.record(Outcome.unreachable(send, str(exc)))
            except ChannelError as exc:
                retry_after = rate_limit_wait(exc)
                if retry_after is not None and send.bounces < MAX_BOUNCES:
                    send.bounces += 1
                    report.rate_limited += 1
                    self.pacing.slow_down(send.platform, retry_after)
                    await journal.record(Outcome.bounced(send, str(exc)))
                    continue
                report.failed += 1
                return await journal.record(Outcome.failed(send, str(exc), self.clock.now()))
            report.sent += 1
            return await journal.record(Outcome.sent(send, ref, self.clock.now()))

    async def _busy_until(self, channel: Channel, send: Send) -> datetime | None:
        """Until when the person asked not to be disturbed; a failed check does not stop a send."""
        try:
            return await channel.busy_until(user_id=send.recipient.user_id)
        except ChannelError as exc:
            log.info("no do-not-disturb status for invitation %s: %s", send.invitation_id, exc)
            return None

    # -- one person, by hand -----------------------------------------------------------------

    async def invite_now(self, *, respondent_id: int, force: bool = False) -> InviteResult:
        """Invite one person (admin `send`, CLI `survey send`) under the fatigue policy.

        Without `force` the gaps, the daily cap and the person's send window apply: outside
        the window the invitation is scheduled for the next opening instead. `force` sends
        now whatever the gaps and window say, but never to someone who opted out.
        """
        now = self.clock.now()
        with self.db.session() as session:
            respondent = session.get(Respondent, respondent_id)
            if respondent is None:
                return InviteResult(False, "unknown respondent")
            if respondent.opted_out:
                return InviteResult(False, "they opted out of surveys")
            if respondent.unreachable:
                return InviteResult(False, "the platform says they cannot be messaged")
            decision = admit(
                session=session,
                respondent_id=respondent_id,
                now=now,
                source="manual",
                force=force,
                cap_timezone=self.settings.digest_timezone,
            )
            if not force and not decision.allowed and not decision.deferrable:
                return InviteResult(False, _explain(decision))
            due = decision.not_before if not force and decision.deferrable else None
            invitation = store.create_invitation(
                session=session,
                respondent=respondent,
                source=InvitationSource.MANUAL,
                due_at=due or now,
                now=now,
            )
            invitation_id = invitation.id or 0
            if due is not None:
                return InviteResult(False, _explain(decision), scheduled_for=due)
            self._claim(session, [invitation_id], now)
        status = await self.deliver(invitation_id)
        if status == InvitationStatus.SENT:
            return InviteResult(True)
        with self.db.session() as session:
            invitation = session.get(Invitation, invitation_id)
            reason = (invitation.reason or invitation.last_error) if invitation else None
        if invitation is not None and invitation.reason == DO_NOT_DISTURB and invitation.due_at:
            due = invitation.due_at
            return InviteResult(False, f"{reason}; scheduled for {due:%Y-%m-%d %H:%M} UTC", due)
        return InviteResult(False, reason or status)

    # -- after a crash, and reminders --------------------------------------------------------

    def recover(self, *, older_than: timedelta = timedelta(minutes=5)) -> tuple[int, int]:
        """Settle claims left by a dead process: retry `claimed`, flag `sending` uncertain."""
        cutoff = self.clock.now() - older_than
        with self.db.session() as session:
            retried = session.execute(
                sa.update(Invitation)
                .where(
                    col(Invitation.status) == InvitationStatus.CLAIMED,
                    col(Invitation.claimed_at) < cutoff,
                )
                .values(status=InvitationStatus.PENDING, claimed_by=None)
            ).rowcount
            uncertain = session.execute(
                sa.update(Invitation)
                .where(
                    col(Invitation.status) == InvitationStatus.SENDING,
                    col(Invitation.claimed_at) < cutoff,
                )
                .values(
                    status=InvitationStatus.UNCERTAIN,
                    reason="process stopped while sending; not resent to avoid a duplicate",
                )
            ).rowcount
        return retried or 0, uncertain or 0

    async def remind(self, invitation_ids: list[int]) -> int:
        """Ask once more, never twice: `reminded_at` is set before the send, like a claim."""
        now = self.clock.now()
        reminded = 0
        for invitation_id in invitation_ids:
            with self.db.session() as session:
                claimed = session.execute(
                    sa.update(Invitation)
                    .where(
                        col(Invitation.id) == invitation_id,
                        col(Invitation.status) == InvitationStatus.SENT,
                        col(Invitation.reminded_at).is_(None),
                    )
                    .values(reminded_at=now, remind_at=None)
                ).rowcount
                respondent = session.get(
                    Respondent, session.get(Invitation, invitation_id).respondent_id
                )  # type: ignore[union-attr]
            if not claimed or respondent is None or respondent.opted_out or respondent.unreachable:
                continue
            await self.pacing.acquire(respondent.platform)
            try:
                await self.channels[respondent.platform].send_question(
                    recipient=recipient_of(respondent),
                    question=question_for(invitation_id, self.settings, reminder=True),
                )
                reminded += 1
            except RecipientUnreachable as exc:
                with self.db.session() as session:
                    store_unreachable(session, respondent.id or 0, str(exc))
            except ChannelError:
                log.warning("reminder for invitation %s failed; not retried", invitation_id)
        return reminded


def store_unreachable(session: Session, respondent_id: int, error: str) -> None:
    session.execute(
        sa.update(Respondent)
        .where(col(Respondent.id) == respondent_id)
        .values(unreachable=True, unreachable_reason=error[:200])
    )


def rate_limit_wait(exc: ChannelError) -> float | None:
    """Seconds to wait when `exc` is a 429 the adapter's own retries gave up on, else None.

    The adapters do not raise a type of their own for it yet, so this reads the SDK error they
    chain with `raise ... from`: PTB's RetryAfter carries `retry_after`; a SlackApiError's
    response has status 429 and a Retry-After header. Duck-typed, so the core imports no SDK.
    """
    for error in (exc, exc.__cause__):
        with warnings.catch_warnings():  # PTB warns that `retry_after` becomes a timedelta
            warnings.simplefilter("ignore")
            value: Any = getattr(error, "retry_after", None)
        if isinstance(value, timedelta):
            return value.total_seconds()
        if isinstance(value, int | float):
            return float(value)
        response = getattr(error, "response", None)
        if getattr(response, "status_code", None) == 429:
            headers = getattr(response, "headers", None) or {}
            for name, header in dict(headers).items():
                if str(name).lower() == "retry-after":
                    header = header[0] if isinstance(header, list | tuple) else header
                    try:
                        return float(header)
                    except (TypeError, ValueError):
                        break
            return 1.0
    return None


# -- group commit --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Outcome:
    """How one send ended, as the journal writes it."""

    send: Send
    kind: Literal["sent", "unreachable", "failed", "bounced", "deferred"]
    status: str
    ref: MessageRef | None = None
    error: str | None = None
    at: datetime | None = None

    @classmethod
    def sent(cls, send: Send, ref: MessageRef, at: datetime) -> Outcome:
        return cls(send, "sent", InvitationStatus.SENT, ref=ref, at=at)

    @classmethod
    def unreachable(cls, send: Send, error: str) -> Outcome:
        return cls(send, "unreachable", InvitationStatus.FAILED, error=error)

    @classmethod
    def failed(cls, send: Send, error: str, now: datetime) -> Outcome:
        """A send the platform refused: try again later, up to MAX_ATTEMPTS."""
        gave_up = send.attempts >= MAX_ATTEMPTS
        status = InvitationStatus.FAILED if gave_up else InvitationStatus.PENDING
        return cls(
            send, "failed", status, error=error, at=now + timedelta(minutes=2**send.attempts)
        )

    @classmethod
    def deferred(cls, send: Send, until: datetime) -> Outcome:
        """Do not disturb: back to pending until then, the claim not counted as an attempt."""
        return cls(send, "deferred", InvitationStatus.PENDING, at=until)

    @classmethod
    def bounced(cls, send: Send, error: str) -> Outcome:
        """A 429: nothing reached the platform, so the claim stands and the send is retried."""
        return cls(send, "bounced", InvitationStatus.CLAIMED, error=error)

    def row(self) -> dict[str, Any]:
        """The invitation's new columns, for an UPDATE by primary key."""
        row: dict[str, Any] = {"id": self.send.invitation_id, "status": self.status}
        error = self.error[:500] if self.error else None
        if self.kind == "sent":
            assert self.ref is not None and self.at is not None
            expires = self.at + timedelta(days=self.send.expiry_days)
            row |= {"sent_at": self.at, "expires_at": expires, "last_error": None}
            row |= {"chat_ref": self.ref.chat_id, "message_ref": self.ref.message_id}
        elif self.kind == "unreachable":
            row |= {"reason": "unreachable", "last_error": error}
        elif self.kind == "failed":
            row |= {"due_at": self.at, "last_error": error}
        elif self.kind == "deferred":
            row |= {"due_at": self.at, "claimed_by": None, "reason": DO_NOT_DISTURB}
            row |= {"attempts": max(0, self.send.attempts - 1)}
        else:
            row |= {"last_error": error}
        return row


class Journal:
    """Group commit: the steps of the sends in flight, written together in one transaction.

    A worker waits for its step to be committed before it goes on, exactly as with a
    transaction of its own; what changes is that the steps that arrive while one write runs
    share the next one. Writes run in a thread, so the event loop keeps sending meanwhile.
    """

    def __init__(self, *, db: Database, clock: Clock, worker: str) -> None:
        self.db = db
        self.clock = clock
        self.worker = worker
        self._marks: list[tuple[Send, asyncio.Future[str | None]]] = []
        self._outcomes: list[tuple[Outcome, asyncio.Future[str | None]]] = []
        self._flusher: asyncio.Task[None] | None = None

    async def mark_sending(self, send: Send) -> str | None:
        """claimed -> sending; returns None to go ahead, else why the send is skipped."""
        return await self._enqueue(self._marks, send)

    async def record(self, outcome: Outcome) -> str:
        """Write how a send ended; returns the invitation's new status."""
        await self._enqueue(self._outcomes, outcome)
        return outcome.status

    async def _enqueue(self, queue: list[tuple[Any, asyncio.Future[str | None]]], item: Any) -> Any:
        future: asyncio.Future[str | None] = asyncio.get_running_loop().create_future()
        queue.append((item, future))
        if self._flusher is None or self._flusher.done():
            self._flusher = asyncio.create_task(self._flush())
        return await future

    async def _flush(self) -> None:
        while self._marks or self._outcomes:
            marks, self._marks = self._marks, []
            outcomes, self._outcomes = self._outcomes, []
            try:
                skipped = await asyncio.to_thread(
                    self._write, [send for send, _ in marks], [outcome for outcome, _ in outcomes]
                )
            except Exception as exc:
                for _, future in [*marks, *outcomes]:
                    if not future.done():
                        future.set_exception(exc)
                continue
            for send, future in marks:
                if not future.done():
                    future.set_result(skipped.get(send.invitation_id))
            for _, future in outcomes:
                if not future.done():
                    future.set_result(None)

    def _write(self, marks: list[Send], outcomes: list[Outcome]) -> dict[int, str]:
        """One transaction in Core statements: the ORM's per-call cost would dominate here."""
        with self.db.engine.begin() as connection:
            if outcomes:
                self._record(connection, outcomes)
            return self._mark(connection, marks) if marks else {}

    def _record(self, connection: sa.Connection, outcomes: list[Outcome]) -> None:
        _update_rows(connection, INVITATIONS, [outcome.row() for outcome in outcomes])
        people = [
            {"id": o.send.respondent_id, "dm_channel": o.ref.chat_id}
            for o in outcomes
            if o.kind == "sent" and o.ref is not None and o.ref.chat_id != o.send.recipient.chat_id
        ] + [
            {
                "id": o.send.respondent_id,
                "unreachable": True,
                "unreachable_reason": (o.error or "")[:200],
            }
            for o in outcomes
            if o.kind == "unreachable"
        ]
        _update_rows(connection, RESPONDENTS, people)

    def _mark(self, connection: sa.Connection, sends: list[Send]) -> dict[int, str]:
        """Mark our claims `sending` unless the person opted out or became unreachable since."""
        ids = [send.invitation_id for send in sends]
        marked = set(
            connection.execute(
                _mark_statement(), {"ids": ids, "worker": self.worker, "now": self.clock.now()}
            ).scalars()
        )
        return {
            invitation_id: self._skip(connection, invitation_id)
            for invitation_id in ids
            if invitation_id not in marked
        }

    def _skip(self, connection: sa.Connection, invitation_id: int) -> str:
        """Why a claim was not marked: suppress it if the person left, else it is not ours."""
        row = connection.execute(
            sa.select(INVITATIONS.c.status, INVITATIONS.c.claimed_by, RESPONDENTS.c.opted_out)
            .join(RESPONDENTS, RESPONDENTS.c.id == INVITATIONS.c.respondent_id)
            .where(INVITATIONS.c.id == invitation_id)
        ).first()
        if row is None or row.status != InvitationStatus.CLAIMED:
            return "no longer claimed"
        if row.claimed_by != self.worker:
            return "claimed by another worker"
        reason = "opted out" if row.opted_out else "unreachable"
        connection.execute(
            sa.update(INVITATIONS)
            .where(INVITATIONS.c.id == invitation_id)
            .values(status=InvitationStatus.SUPPRESSED, reason=reason)
        )
        return reason


INVITATIONS: sa.Table = Invitation.__table__  # type: ignore[attr-defined]
RESPONDENTS: sa.Table = Respondent.__table__  # type: ignore[attr-defined]


def _update_rows(connection: sa.Connection, table: sa.Table, rows: list[dict[str, Any]]) -> None:
    """UPDATE rows by id, one executemany per set of columns."""
    shapes: dict[tuple[str, ...], list[dict[str, Any]]] = {}
    for row in rows:
        shapes.setdefault(tuple(sorted(row)), []).append({f"b_{k}": v for k, v in row.items()})
    for columns, params in shapes.items():
        connection.execute(_update_statement(table, columns), params)


@functools.cache
def _update_statement(table: sa.Table, columns: tuple[str, ...]) -> sa.Update:
    """Built once per shape: building statements costs more than running them here."""
    return (
        sa.update(table)
        .where(table.c.id == sa.bindparam("b_id"))
        .values({name: sa.bindparam(f"b_{name}") for name in columns if name != "id"})
    )


@functools.cache
def _mark_statement() -> sa.Update:
    """claimed -> sending for our claims whose person may still be asked."""
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


def _explain(decision: Decision) -> str:
    when = (
        f" (next possible {decision.not_before:%Y-%m-%d %H:%M} UTC)" if decision.not_before else ""
    )
    if decision.deferrable:
        return f"outside their send window; scheduled for {decision.not_before:%Y-%m-%d %H:%M} UTC"
    return f"{decision.reason}{when}"
