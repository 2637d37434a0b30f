"""Group commit: the steps of many sends written together, one transaction per round.

A dispatch pass moves each invitation claimed -> sending -> (sent | pending | failed ...), and
every step must be committed before the next one starts, or a crash could send someone twice.
One transaction per step caps a pass at what the database can commit one by one, far below
the platforms' rates on SQLite. Here the steps that arrive while one write runs share the next
one, so the database keeps up with a few hundred sends a second and every step still waits
for its own commit.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Literal

from sqlalchemy import Connection

from bot import store
from bot.channel import MessageRef, Recipient
from bot.clock import Clock
from bot.db import Database
from bot.models import InvitationStatus
from bot.store.claims import LOST_AGAIN, NO_ANSWER, RESENT

MAX_ATTEMPTS = 5
DO_NOT_DISTURB = "do not disturb"


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
    """429s met in this pass."""
    retry_at: float = 0.0
    """After a 429: the monotonic time from which the platform takes it again."""
    resent: bool = False
    """This is the one resend after reconciliation found the first send missing."""


@dataclass(frozen=True, slots=True)
class Outcome:
    """How one send ended, as the journal writes it."""

    send: Send
    kind: Literal["sent", "unreachable", "failed", "bounced", "deferred", "uncertain"]
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
    def bounced(cls, send: Send, error: str, until: datetime) -> Outcome:
        """A 429: nothing reached the platform. The row goes back to the queue, released and
        not due before `until`, so a crash during the back-off leaves it to be sent, not
        `uncertain`; the attempt is not counted."""
        return cls(send, "bounced", InvitationStatus.PENDING, error=error, at=until)

    @classmethod
    def uncertain(cls, send: Send, error: str) -> Outcome:
        """A timeout: the message may have reached the person, so it is not sent again before
        the chat's history says it never arrived (`scheduling.reconcile`)."""
        return cls(send, "uncertain", InvitationStatus.UNCERTAIN, error=error)

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
            reason = RESENT if self.send.resent else DO_NOT_DISTURB  # a resend stays the one
            row |= {"due_at": self.at, "claimed_by": None, "reason": reason}
            row |= {"attempts": max(0, self.send.attempts - 1)}
        elif self.kind == "bounced":
            row |= {"due_at": self.at, "claimed_by": None, "last_error": error}
            row |= {"attempts": max(0, self.send.attempts - 1)}
        elif self.kind == "uncertain":
            row |= {"reason": LOST_AGAIN if self.send.resent else NO_ANSWER, "last_error": error}
        return row


@dataclass
class PassReport:
    """What one dispatch pass did."""

    sent: int = 0
    failed: int = 0
    unreachable: int = 0
    rate_limited: int = 0
    uncertain: int = 0
    deferred: int = 0
    skipped: dict[str, int] = field(default_factory=dict)

    def skip(self, reason: str) -> None:
        self.skipped[reason] = self.skipped.get(reason, 0) + 1


class Journal:
    """Group commit: the steps of the sends in flight, written together in one transaction.

    A worker waits for its step to be committed before it goes on, exactly as with a
    transaction of its own; what changes is that the steps that arrive while one write runs
    share the next one. Writes run in a thread, so the event loop keeps sending meanwhile.

    `pipelined` (a dispatch pass): a worker does not wait for its outcome's commit, only
    for its next send's `sending` mark, which is written in the same transaction as that
    outcome or a later one (outcomes are written before marks, and a mark queued after an
    outcome never goes in an earlier round). So a worker still has at most one row `sending`
    at any time, and a crash leaves no more uncertain, while each send waits for one commit
    instead of two. Once an outcome's write failed, nothing more is marked: the pass stops
    rather than send past a row it could not record. `drain` waits for the outcomes.
    """

    def __init__(self, *, db: Database, clock: Clock, worker: str, pipelined: bool = False) -> None:
        self.db = db
        self.clock = clock
        self.worker = worker
        self.pipelined = pipelined
        self._marks: list[tuple[Send, asyncio.Future[str | None]]] = []
        self._outcomes: list[tuple[Outcome, asyncio.Future[str | None]]] = []
        self._unconfirmed: list[asyncio.Future[str | None]] = []
        self._failed: Exception | None = None
        self._flusher: asyncio.Task[None] | None = None

    async def mark_sending(self, send: Send) -> str | None:
        """claimed -> sending; returns None to go ahead, else why the send is skipped."""
        if self._failed is not None:
            raise self._failed
        return await self._queue(self._marks, send)

    async def record(self, outcome: Outcome) -> str:
        """Write how a send ended; returns the invitation's new status (pipelined: at once,
        the write queued)."""
        future = self._queue(self._outcomes, outcome)
        if self.pipelined:
            self._unconfirmed.append(future)
        else:
            await future
        return outcome.status

    async def drain(self) -> None:
        """Until every outcome recorded is committed; raises the first failed write."""
        unconfirmed, self._unconfirmed = self._unconfirmed, []
        results = await asyncio.gather(*unconfirmed, return_exceptions=True)
        if failed := next((r for r in results if isinstance(r, BaseException)), None):
            raise failed

    def _queue(
        self, queue: list[tuple[Any, asyncio.Future[str | None]]], item: Any
    ) -> asyncio.Future[str | None]:
        future: asyncio.Future[str | None] = asyncio.get_running_loop().create_future()
        queue.append((item, future))
        if self._flusher is None or self._flusher.done():
            self._flusher = asyncio.create_task(self._flush())
        return future

    async def _flush(self) -> None:
        while self._marks or self._outcomes:
            marks, self._marks = self._marks, []
            outcomes, self._outcomes = self._outcomes, []
            if self._failed is not None:
                for _, future in marks:
                    future.set_exception(self._failed)
                marks = []
            try:
                skipped = await self.db.call(
                    self._write, [send for send, _ in marks], [outcome for outcome, _ in outcomes]
                )
            except Exception as exc:
                if outcomes and self.pipelined:
                    self._failed = exc
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
        """One transaction for the whole round."""
        with self.db.engine.begin() as connection:
            if outcomes:
                self._record(connection, outcomes)
            return self._mark(connection, marks) if marks else {}

    def _record(self, connection: Connection, outcomes: list[Outcome]) -> None:
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
        store.write_outcomes(
            connection=connection,
            invitations=[outcome.row() for outcome in outcomes],
            respondents=people,
        )

    def _mark(self, connection: Connection, sends: list[Send]) -> dict[int, str]:
        """Mark our claims `sending` unless the person opted out or became unreachable since."""
        ids = [send.invitation_id for send in sends]
        marked = store.mark_sending(
            connection=connection, ids=ids, worker=self.worker, now=self.clock.now()
        )
        return {
            invitation_id: store.why_not_marked(
                connection=connection, invitation_id=invitation_id, worker=self.worker
            )
            for invitation_id in ids
            if invitation_id not in marked
        }
