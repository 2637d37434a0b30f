"""An answer is safe before it is acknowledged.

Adapters call `accept` before they acknowledge a delivery and `finish` after. `accept` makes
the event durable one of three ways: an answer (score, comment) is stored outright in its one
transaction, with its effects queued as jobs; any other event is queued as a job; and when
the database does not answer, the event goes to the local spool. Only then does the platform
hear back. The spool is replayed in order once the database returns, and while it holds
anything new events queue behind it, so one person's events keep their order.

Deduplication lives in the database (`ProcessedEvent`), so it holds across replicas.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from sqlmodel import Session

from bot import store
from bot.answer import Stored
from bot.clock import SystemClock
from bot.db import Database, is_unavailable
from bot.event_codec import decode, encode, lane
from bot.events import ActorEvent, CommentSubmitted, ScoreSubmitted
from bot.jobs import JobRunner
from bot.models import Job
from bot.router import Router
from bot.settings import Settings
from bot.spool import Entry, Spool

log = logging.getLogger(__name__)

EVENT_JOB = "inbound.event"


@dataclass
class Reply:
    """What the core answered the actor, filled in when the event's job runs."""

    text: str | None = None


@dataclass
class Receipt:
    """How `accept` made an event durable; `finish` acts on it after the acknowledgement."""

    stored: Stored | None = None
    job: Job | None = None
    spooled: bool = False
    duplicate: bool = False
    reply: Reply = field(default_factory=Reply)


class Turns:
    """Deliveries an adapter is still handling, from before `accept` to its reply.

    The work goes on after the platform's acknowledgement, so "nothing else happened" can only
    be told once every turn has ended: `Inbound.settled` waits on this, never on a time.
    """

    def __init__(self) -> None:
        self._open = 0
        self._quiet = asyncio.Event()
        self._quiet.set()

    def begin(self) -> None:
        self._open += 1
        self._quiet.clear()

    def end(self) -> None:
        self._open -= 1
        if self._open == 0:
            self._quiet.set()

    @contextlib.contextmanager
    def turn(self) -> Iterator[None]:
        self.begin()
        try:
            yield
        finally:
            self.end()

    @property
    def idle(self) -> bool:
        return self._open == 0

    async def quiet(self) -> None:
        await self._quiet.wait()


class Inbound:
    """The durable front door every adapter uses for what people send."""

    def __init__(
        self,
        *,
        db: Database,
        jobs: JobRunner,
        router: Router | None = None,
        spool: Spool,
        replay_every: float = 1.0,
    ) -> None:
        self.db = db
        self.router = router
        self.jobs = jobs
        self.spool = spool
        self.replay_every = replay_every
        self._replay = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self.turns = Turns()
        jobs.register(EVENT_JOB, self._handle_event)

    @classmethod
    def build(cls, *, db: Database, settings: Settings) -> Inbound:
        """The front door with its job runner and spool, as the settings describe them."""
        jobs = JobRunner(
            db=db,
            clock=SystemClock(),
            lease=settings.job_lease_seconds,
            poll=settings.job_poll_seconds,
            retry_base=settings.job_retry_seconds,
        )
        return cls(
            db=db,
            jobs=jobs,
            spool=Spool(settings.spool_dir),
            replay_every=settings.job_poll_seconds,
        )

    @property
    def _router(self) -> Router:
        assert self.router is not None, "the wiring sets the router once it is built"
        return self.router

    # -- the front door --------------------------------------------------------------------

    async def accept(self, event: ActorEvent) -> Receipt:
        """Store or queue the event, else spool it; return only once it is durable."""
        key = _key(event)
        if self.spool.empty:
            try:
                if isinstance(event, ScoreSubmitted | CommentSubmitted):
                    return Receipt(stored=await self._router.store(event))
                job = await self.db.run(
                    self._queue, key, EVENT_JOB, lane(event.origin), encode(event)
                )
                return Receipt(job=job, duplicate=job is None)
            except Exception as exc:
                if not is_unavailable(exc):
                    raise
                log.warning("database unavailable; %s spooled locally", type(event).__name__)
        return await self._spool(key, EVENT_JOB, lane(event.origin), encode(event))

    async def finish(self, receipt: Receipt) -> str | None:
        """After the acknowledgement: run the work and return text for the actor, if any."""
        if receipt.stored is not None:
            self.jobs.start_jobs(receipt.stored.jobs, receipt.stored.context)
            return receipt.stored.outcome.tell
        if receipt.job is not None:
            await self.jobs.run_now(receipt.job, receipt.reply)
            return receipt.reply.text
        return None

    async def settled(self, *, timeout: float = 10.0) -> None:
        """Until every delivery taken is handled to its reply and no job runs here."""
        async with asyncio.timeout(timeout):
            while True:
                await self.turns.quiet()
                await self.jobs.idle(timeout=timeout)
                if self.turns.idle:
                    return

    async def record(
        self, *, kind: str, key: str, lane: str | None, payload: dict[str, Any]
    ) -> Job | None:
        """A raw platform delivery (a Telegram update) made durable; the job to run now, or
        None when it was a duplicate or went to the spool (it runs on replay)."""
        if self.spool.empty:
            try:
                return await self.db.run(self._queue, key, kind, lane, payload)
            except Exception as exc:
                if not is_unavailable(exc):
                    raise
                log.warning("database unavailable; %s %s spooled locally", kind, key)
        await self._spool(key, kind, lane, payload)
        return None

    def _queue(
        self,
        session: Session,
        key: str | None,
        kind: str,
        lane: str | None,
        payload: dict[str, Any],
    ) -> Job | None:
        """The dedupe mark and the job in one transaction; None for a delivery seen before."""
        now = self.jobs.clock.now()
        if key is not None and not store.mark_processed(session=session, key=key, now=now):
            return None
        return store.enqueue(
            session=session,
            kind=kind,
            lane=lane,
            payload=payload,
            now=now,
            worker=self.jobs.worker,
            lease_until=self.jobs.lease_until(),
        )

    async def _spool(
        self, key: str | None, kind: str, lane: str | None, payload: dict[str, Any]
    ) -> Receipt:
        fresh = await self.spool.append(key=key, kind=kind, lane=lane, payload=payload)
        self._replay.set()
        return Receipt(spooled=fresh, duplicate=not fresh)

    async def _handle_event(self, payload: dict[str, Any], context: Any) -> None:
        text = await self._router.handle(decode(payload))
        if isinstance(context, Reply):
            context.text = text

    # -- replaying the spool ---------------------------------------------------------------

    def start(self) -> None:
        """Take over spools of processes that died, replay them (and ours) when we can, and
        run the jobs."""
        self.spool.adopt_orphans()
        self.jobs.start()
        if self._task is None:
            self._task = asyncio.create_task(self._replay_loop())

    async def stop(self) -> None:
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)
        await self.jobs.stop()

    async def _replay_loop(self) -> None:
        while True:
            if not self.spool.empty:
                try:
                    await self.replay()
                except Exception as exc:
                    level = logging.INFO if is_unavailable(exc) else logging.ERROR
                    log.log(level, "spool not replayed yet: %s", exc)
            with contextlib.suppress(TimeoutError):  # not wait_for: see JobRunner._poll_loop
                async with asyncio.timeout(self.replay_every):
                    await self._replay.wait()
            self._replay.clear()

    async def replay(self) -> int:
        """Move spooled entries into the database, oldest first; how many were moved."""
        moved = 0
        while entries := await self.spool.oldest(limit=100):
            await self.db.run(self._move, entries)
            await self.spool.remove([entry.seq for entry in entries])
            moved += len(entries)
            self.jobs.wake()
        if moved:
            log.info("replayed %s spooled deliveries", moved)
        return moved

    def _move(self, session: Session, entries: list[Entry]) -> None:
        now = self.jobs.clock.now()
        for entry in entries:
            if entry.key is not None and not store.mark_processed(
                session=session, key=entry.key, now=now
            ):
                continue
            store.enqueue(
                session=session, kind=entry.kind, lane=entry.lane, payload=entry.payload, now=now
            )


def _key(event: ActorEvent) -> str | None:
    """The dedupe key of a delivery (its platform id); answers carry their own in the survey."""
    origin = event.origin
    if origin.delivery_id is None:
        return None
    return f"{origin.platform}:inbox:{origin.delivery_id}"
