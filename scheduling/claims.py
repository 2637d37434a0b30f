"""This worker's claims: due invitations taken in batches and loaded for sending.

Several replicas share one database. A claim is a conditional UPDATE in the store, so a row
is sent by whoever moved it first; PostgreSQL's SKIP LOCKED keeps replicas from waiting on
each other. People who opted out or became unreachable since planning are suppressed here.
"""

from __future__ import annotations

import asyncio
import os
import socket
import time
from collections import deque
from collections.abc import Callable
from datetime import datetime

from sqlmodel import Session

from bot import store
from bot.channel import Recipient
from bot.clock import Clock
from bot.db import Database
from bot.store.claims import RESENT
from scheduling.journal import PassReport, Send

POLL_SECONDS = 1.0
"""How long a pass waiting for a 429's Retry-After sleeps before looking at `stopping` again."""


def worker_name() -> str:
    """This process's name on its claims: host and pid."""
    return f"{socket.gethostname()}:{os.getpid()}"


def claim_batch(
    *, db: Database, worker: str, now: datetime, limit: int, report: PassReport
) -> tuple[int, list[Send]]:
    """Claim and load a batch in one transaction; returns (rows claimed, sendable)."""
    with db.session() as session:
        ids = store.claim_due(
            session=session, now=now, worker=worker, limit=limit, skip_locked=db.is_postgres
        )
        return len(ids), load_claimed(session=session, ids=ids, worker=worker, report=report)


def reclaim(
    *, db: Database, worker: str, now: datetime, sends: list[Send], report: PassReport
) -> list[Send]:
    """Claim again invitations a 429 put back in the queue, unless someone else took them
    meanwhile (another replica, once they were due); their bounces carry over."""
    bounces = {send.invitation_id: send.bounces for send in sends}
    with db.session() as session:
        ids = store.claim(session=session, ids=list(bounces), now=now, worker=worker)
        claimed = load_claimed(session=session, ids=ids, worker=worker, report=report)
    for send in claimed:
        send.bounces = bounces[send.invitation_id]
    return claimed


def load_claimed(
    *, session: Session, ids: list[int], worker: str, report: PassReport
) -> list[Send]:
    """What sending our claimed `ids` needs; people who cannot be asked are suppressed."""
    if not ids:
        return []
    sends: list[Send] = []
    suppressed: dict[int, str] = {}
    for row in store.claimed_by(session=session, ids=ids, worker=worker):
        if row.opted_out or row.unreachable:
            suppressed[row.id] = "opted out" if row.opted_out else "unreachable"
            report.skip(suppressed[row.id])
            continue
        recipient = Recipient(
            user_id=row.platform_user_id,
            chat_id=row.dm_channel,
            name=row.display_name,
            locale=row.locale,
            language=row.language,
        )
        sends.append(
            Send(
                invitation_id=row.id,
                respondent_id=row.respondent_id,
                platform=row.platform,
                recipient=recipient,
                expiry_days=row.expiry_days,
                attempts=row.attempts,
                resent=row.reason == RESENT,
            )
        )
    if suppressed:
        store.suppress_claims(session=session, reasons=suppressed)
    return sends


class ClaimFeed:
    """What a pass sends next: its claimed batch, refilled from the queue, and the invitations
    a 429 put back, claimed again once their Retry-After has passed.

    The next batch is claimed while half of this one is still to send, so the workers do not
    all stand still (and the pace lose its slots) while a claim runs."""

    def __init__(
        self,
        *,
        db: Database,
        clock: Clock,
        worker: str,
        limit: int,
        report: PassReport,
        stopping: Callable[[], bool],
    ) -> None:
        self.db = db
        self.clock = clock
        self.worker = worker
        self.limit = limit
        self.report = report
        self.stopping = stopping
        self.queue: deque[Send] = deque()
        """Claimed and not yet taken: handed back if the pass stops."""
        self._bounced: list[Send] = []
        self._refill = asyncio.Lock()
        self._exhausted = False
        self._topping_up: asyncio.Task[None] | None = None

    def retry(self, send: Send) -> None:
        """Claim `send` again after its `retry_at` (its row is pending meanwhile)."""
        self._bounced.append(send)

    async def next(self) -> Send | None:
        """The next send, None once nothing is due and no 429 waits (or the pass stops)."""
        while not self.stopping():
            if self.queue:
                send = self.queue.popleft()
                if len(self.queue) <= self.limit // 2 and not self._exhausted:
                    self._top_up()
                return send
            if self._exhausted and not self._bounced:
                return None
            async with self._refill:  # what was true before the wait may have changed
                more = self._bounced or not self._exhausted
                if not self.queue and more and not self.stopping():
                    await self._claim_more()
        return None

    async def close(self) -> list[int]:
        """After the pass: the claims it did not take, to hand back (a top-up finished first;
        one that failed left nothing more, and the workers' own claims met the same error)."""
        if self._topping_up is not None:
            await asyncio.gather(self._topping_up, return_exceptions=True)
        return [send.invitation_id for send in self.queue]

    def _top_up(self) -> None:
        if self._topping_up is None or self._topping_up.done():
            self._topping_up = asyncio.create_task(self._claim_ahead())

    async def _claim_ahead(self) -> None:
        async with self._refill:
            low = 0 < len(self.queue) <= self.limit // 2
            if low and not self._exhausted and not self.stopping():
                await self._claim_fresh()

    async def _claim_more(self) -> None:
        ready = [send for send in self._bounced if send.retry_at <= time.monotonic()]
        if ready:
            self._bounced = [send for send in self._bounced if send not in ready]
            self.queue.extend(
                await self.db.call(
                    reclaim,
                    db=self.db,
                    worker=self.worker,
                    now=self.clock.now(),
                    sends=ready,
                    report=self.report,
                )
            )
        elif not self._exhausted:
            await self._claim_fresh()
        else:
            wait = min(send.retry_at for send in self._bounced) - time.monotonic()
            await asyncio.sleep(min(max(wait, 0.0), POLL_SECONDS))

    async def _claim_fresh(self) -> None:
        claimed, sends = await self.db.call(
            claim_batch,
            db=self.db,
            worker=self.worker,
            now=self.clock.now(),
            limit=self.limit,
            report=self.report,
        )
        self.queue.extend(sends)
        self._exhausted = claimed == 0
