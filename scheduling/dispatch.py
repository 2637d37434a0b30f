"""Crash-safe sending: claim -> send -> record.

A survey sent twice is worse than one sent late. An invitation moves
pending -> claimed -> sending -> sent, each step committed before the next. After a crash a
`claimed` row never reached the platform and goes back to pending; a `sending` row may have
reached it and becomes `uncertain` instead of being sent blindly again (`scheduling.lease`).
A 429 sent nothing: the row goes back to pending, released, until its Retry-After.

A pass runs at the platform's rate (`scheduling.pacing`) with `concurrency` sends in flight.
An invitation becomes `sending` only once it holds a pacing token, and a worker's next send is
marked `sending` only in the transaction that commits its previous outcome (or a later one), so
a crash leaves at most `concurrency` invitations uncertain. The steps of many sends share one
transaction (`scheduling.journal`), so the database keeps up with a thousand sends a second
even on SQLite. A person in Do Not
Disturb (`Channel.busy_until`) is not sent to: the invitation goes back to pending until then.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Mapping
from contextlib import AbstractAsyncContextManager
from datetime import datetime, timedelta

from sqlmodel import Session

from bot import store, wording
from bot.answer import words_for
from bot.channel import (
    Channel,
    ChannelError,
    DeliveryUncertain,
    Question,
    RateLimited,
    Recipient,
    RecipientUnreachable,
    WorkspaceUnauthorized,
)
from bot.clock import Clock
from bot.db import Database
from bot.i18n import Catalogue
from bot.invites import InviteResult
from bot.metrics import Metrics
from bot.models import Invitation, InvitationStatus
from bot.settings import Settings
from scheduling.claims import ClaimFeed, load_claimed, reclaim, worker_name
from scheduling.journal import Journal, Outcome, PassReport, Send
from scheduling.lease import LEASE, held, recover
from scheduling.pacing import Pacing
from scheduling.reminders import send_reminders
from scheduling.single_sends import invite_now
from scheduling.token_pause import TokenPause

log = logging.getLogger(__name__)

MAX_BOUNCES = 5
"""429s one invitation may meet in a pass before it is left, pending, to a later pass."""
BOUNCED = "rate limited"
"""What `_send` returns after a 429: the row is pending again, to be claimed after Retry-After."""
SUPPRESSED = ("opted out", "unreachable")
CLAIM_SECONDS = 2.0
"""A claim holds at most this many seconds of sends at the paced rate (or `batch` rows)."""
TOKEN_HOLD = timedelta(minutes=5)


class Dispatcher:
    """Sends due invitations through the right channel, at most once each."""

    def __init__(
        self,
        *,
        db: Database,
        channels: dict[str, Channel],
        settings: Settings,
        catalogue: Catalogue,
        clock: Clock,
        worker: str | None = None,
        concurrency: int = 16,
        rates: Mapping[str, float | None] | None = None,
        metrics: Metrics | None = None,
    ) -> None:
        self.db = db
        self.metrics = metrics or Metrics()
        self.channels = channels
        self.settings = settings
        self.catalogue = catalogue
        self.clock = clock
        self.worker = worker or worker_name()
        self.concurrency = concurrency
        self.pacing = Pacing(rates)
        self.token_pause = TokenPause(db=db, clock=clock, resume=self._resume, team=catalogue.team)
        self.stopping = False
        """Set on shutdown: sends in flight finish, no new one starts, claims go back."""

    def claim_due(self, *, limit: int) -> list[int]:
        """Claim up to `limit` due invitations; rows another replica holds are skipped."""
        with self.db.session() as session:
            return store.claim_due(
                session=session,
                now=self.clock.now(),
                worker=self.worker,
                limit=limit,
                skip_locked=self.db.is_postgres,
            )

    # -- sending ---------------------------------------------------------------------------

    async def run_pass(self, *, batch: int = 200) -> PassReport:
        """Send everything due now at the paced rate, `concurrency` sends in flight.

        A 429 puts its invitation back in the queue (released, not due before Retry-After);
        the pass claims it again once the platform takes it, up to MAX_BOUNCES times.
        """
        report = PassReport()
        journal = self._journal(pipelined=True)
        feed = ClaimFeed(
            db=self.db,
            clock=self.clock,
            worker=self.worker,
            limit=self._claim_size(batch),
            report=report,
            stopping=lambda: self.stopping,
        )

        async def work() -> None:
            while (send := await feed.next()) is not None:
                status = await self._send(send, journal, report)
                if status == BOUNCED and send.bounces < MAX_BOUNCES:
                    feed.retry(send)

        try:
            async with self._leased():
                try:
                    await asyncio.gather(*(work() for _ in range(self.concurrency)))
                finally:
                    await journal.drain()  # every outcome committed, within the lease
        finally:
            if unsent := await feed.close():
                await self.db.call(self.hand_back, unsent)
            self.metrics.record_pass(report)
        return report

    def hand_back(self, invitation_ids: list[int]) -> int:
        """Return claims this worker will not send (shutting down) to the queue, uncounted."""
        with self.db.session() as session:
            return store.hand_back_claims(
                session=session, invitation_ids=invitation_ids, worker=self.worker
            )

    def settle_own(self) -> tuple[int, int]:
        """After a stopped pass: this worker's claims back to pending, its sends uncertain."""
        with self.db.session() as session:
            return store.settle_worker(session=session, worker=self.worker)

    def _claim_size(self, batch: int) -> int:
        rate = self.pacing.sends_per_second(list(self.channels))
        if rate is None:
            return batch
        return max(1, min(batch, max(2 * self.concurrency, round(rate * CLAIM_SECONDS))))

    def _journal(self, *, pipelined: bool = False) -> Journal:
        return Journal(db=self.db, clock=self.clock, worker=self.worker, pipelined=pipelined)

    async def deliver(self, invitation_id: int, report: PassReport | None = None) -> str:
        """Send one invitation this worker claimed and record the outcome; returns its status."""
        report = report or PassReport()

        def load(session: Session) -> list[Send] | str:
            sends = load_claimed(
                session=session, ids=[invitation_id], worker=self.worker, report=report
            )
            if not sends:
                invitation = session.get(Invitation, invitation_id)
                return invitation.status if invitation else "missing"
            return sends

        sends = await self.db.run(load)
        if isinstance(sends, str):
            return sends
        send, journal = sends[0], self._journal()
        try:
            async with self._leased():
                return await self._deliver(send, journal, report)
        finally:
            self.metrics.record_pass(report)

    async def _deliver(self, send: Send, journal: Journal, report: PassReport) -> str:
        """Send one, waiting out its 429s with the row released, then claiming it again."""
        while (status := await self._send(send, journal, report)) == BOUNCED:
            if send.bounces >= MAX_BOUNCES:
                return InvitationStatus.PENDING
            await asyncio.sleep(max(0.0, send.retry_at - time.monotonic()))
            now = self.clock.now()
            again = await self.db.call(
                reclaim, db=self.db, worker=self.worker, now=now, sends=[send], report=report
            )
            if not again:
                return InvitationStatus.PENDING
            send = again[0]
        return status

    async def _send(self, send: Send, journal: Journal, report: PassReport) -> str:
        """Pace, mark `sending`, send, record.

        A 429 sent nothing: the row goes back to pending, not due before Retry-After, and the
        send returns BOUNCED for the caller to claim it again then (no back-off is waited out
        while the row is `sending`). A timeout is the opposite case: the message may be there,
        so the invitation becomes `uncertain`, as after a crash while `sending`, and is not
        sent again.
        """
        channel = self.channels[send.platform]
        question = self._question(send.invitation_id, send.recipient)
        if self.token_pause.paused(send.platform):
            return await self._hold(send, journal, report)
        busy = await self._busy_until(channel, send)
        if busy is not None:
            report.deferred += 1
            return await journal.record(Outcome.deferred(send, busy))
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
        except DeliveryUncertain as exc:
            report.uncertain += 1
            return await journal.record(Outcome.uncertain(send, str(exc)))
        except WorkspaceUnauthorized as exc:
            self.token_pause.pause(send.platform, channel, str(exc))
            return await self._hold(send, journal, report)
        except RateLimited as exc:
            send.bounces += 1
            send.retry_at = time.monotonic() + exc.retry_after
            report.rate_limited += 1
            self.pacing.slow_down(send.platform, exc.retry_after)
            until = self.clock.now() + timedelta(seconds=exc.retry_after)
            await journal.record(Outcome.bounced(send, str(exc), until))
            return BOUNCED
        except ChannelError as exc:
            report.failed += 1
            return await journal.record(Outcome.failed(send, str(exc), self.clock.now()))
        report.sent += 1
        return await journal.record(Outcome.sent(send, ref, self.clock.now()))

    async def _hold(self, send: Send, journal: Journal, report: PassReport) -> str:
        """Back to pending while the platform refuses our token; first to go when it lifts."""
        self.token_pause.hold(send.platform, send.invitation_id)
        report.deferred += 1
        return await journal.record(Outcome.deferred(send, self.clock.now() + TOKEN_HOLD))

    async def _resume(self, held: list[int]) -> None:
        with self.db.session() as session:
            store.make_due(session=session, invitation_ids=held, now=self.clock.now())
        await self.run_pass()

    def _question(
        self, invitation_id: int, recipient: Recipient, *, reminder: bool = False
    ) -> Question:
        return wording.question(
            words_for(self.catalogue, recipient),
            invitation_id=invitation_id,
            company=self.settings.company_name,
            reminder=reminder,
        )

    async def _busy_until(self, channel: Channel, send: Send) -> datetime | None:
        """Until when the person asked not to be disturbed; a failed check does not stop a send."""
        try:
            return await channel.busy_until(user_id=send.recipient.user_id)
        except ChannelError as exc:
            log.info("no do-not-disturb status for invitation %s: %s", send.invitation_id, exc)
            return None

    async def invite_now(self, *, respondent_id: int, force: bool = False) -> InviteResult:
        """Invite one person now under the fatigue rules (see `scheduling.single_sends`)."""
        return await invite_now(
            db=self.db,
            settings=self.settings,
            clock=self.clock,
            worker=self.worker,
            deliver=self.deliver,
            respondent_id=respondent_id,
            force=force,
        )

    # -- after a crash, and reminders --------------------------------------------------------

    def recover(self, *, older_than: timedelta = LEASE) -> tuple[int, int]:
        """Settle claims whose lease ran out (`scheduling.lease`)."""
        return recover(db=self.db, clock=self.clock, older_than=older_than)

    def _leased(self) -> AbstractAsyncContextManager[None]:
        return held(db=self.db, clock=self.clock, worker=self.worker)

    async def remind(self, invitation_ids: list[int]) -> int:
        """Send the reminders `plan_reminders` found (see `scheduling.reminders`)."""
        return await send_reminders(
            db=self.db,
            channels=self.channels,
            pacing=self.pacing,
            question=self._question,
            clock=self.clock,
            invitation_ids=invitation_ids,
        )
