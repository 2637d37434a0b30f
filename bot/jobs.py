"""The job runner: durable work on the event loop, retried with exponential back-off.

Work that must survive a crash or a passing platform error is written as a `Job` row in the
same transaction as the change that calls for it. The writer hands the job straight to
`start` (it was born leased to this worker), so it runs at once with no second read; the
poll loop picks up whatever is due and unleased: retries, and jobs a dead process held.
Each job is its own task: one failing or slow never holds up another, except that jobs of
one lane (one person) keep their order.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from sqlmodel import Session

from bot import store
from bot.clock import Clock
from bot.db import Database
from bot.group_write import GroupWrite
from bot.job_retry import Retry
from bot.models import Job

log = logging.getLogger(__name__)

FINISH_LINGER = 0.02
"""Seconds a finished job's DELETE waits for others to share its transaction: a job ran
twice only if the process dies in the meantime, as it would between the work and any
commit."""

JobHandler = Callable[[dict[str, Any], Any], Awaitable[None]]
"""Runs one job: its payload, and the context its writer passed along in memory (or None
when the job is picked up later, and must read what it needs)."""
GiveUp = Callable[[Session, dict[str, Any], str], None]
"""Records, in the transaction that marks a job dead, that its work was given up (payload,
last error), where a person will look for it."""


@dataclass(frozen=True, slots=True)
class _Kind:
    """A registered kind: its handler, retries, own concurrency limit and give-up record."""

    handler: JobHandler
    retry: Retry | None
    gate: asyncio.Semaphore | None
    give_up: GiveUp | None


class JobRunner:
    """Runs jobs by kind; `start()` the poll loop once the loop is running."""

    def __init__(
        self,
        *,
        db: Database,
        clock: Clock,
        lease: float = 60.0,
        poll: float = 1.0,
        retry_base: float = 1.0,
        retry_max: float = 300.0,
        max_attempts: int = 25,
        concurrency: int = 32,
    ) -> None:
        self.db = db
        self.clock = clock
        self.worker = f"{socket.gethostname()}:{os.getpid()}:jobs"
        self.lease = timedelta(seconds=lease)
        self.poll = poll
        self.retry = Retry(base=retry_base, cap=retry_max, max_attempts=max_attempts)
        self._kinds: dict[str, _Kind] = {}
        self._gate = asyncio.Semaphore(concurrency)
        self._running: set[int] = set()
        self._lanes: dict[str, _Lane] = {}
        self._tasks: set[asyncio.Task[bool]] = set()
        self._wake = asyncio.Event()
        self._loop_task: asyncio.Task[None] | None = None
        self._finished = GroupWrite[int](
            db=db,
            write=lambda session, ids: store.finish_jobs(session=session, ids=ids),
            linger=FINISH_LINGER,
        )

    def register(
        self,
        kind: str,
        handler: JobHandler,
        *,
        retry: Retry | None = None,
        concurrency: int | None = None,
        give_up: GiveUp | None = None,
    ) -> None:
        """Run jobs of `kind` with `handler`; a kind with its own `concurrency` waits on its
        own limit (slow receivers never take every slot from the survey's effects)."""
        gate = asyncio.Semaphore(concurrency) if concurrency is not None else None
        self._kinds[kind] = _Kind(handler=handler, retry=retry, gate=gate, give_up=give_up)

    def lease_until(self) -> Any:
        return self.clock.now() + self.lease

    def start_jobs(self, jobs: list[Job], context: Any = None) -> None:
        """Run jobs this worker just wrote, each in its own task; a job born unleased (its
        lane was busy elsewhere) is left to the poll loop."""
        for job in jobs:
            if job.locked_by == self.worker:
                self._spawn(job, context)

    async def run_now(self, job: Job, context: Any = None) -> bool:
        """Run one job this worker just wrote in the caller's task; True when it is done
        (False too when it was born unleased and will run from the queue)."""
        if job.locked_by != self.worker:
            return False
        return await self._run(job, context)

    def wake(self) -> None:
        """Look for due jobs now rather than at the next poll (new work was queued)."""
        self._wake.set()

    def start(self) -> None:
        if self._loop_task is None:
            self._loop_task = asyncio.create_task(self._poll_loop())

    async def release_dead_leases(self) -> int:
        """Free at once the jobs of a process on this host that died (SIGKILL, a crash),
        instead of waiting for their leases to run out; other hosts' leases just expire."""

        def release(session: Session) -> int:
            dead = [w for w in store.leaseholders(session=session) if _dead_here(w)]
            return store.release_leases(session=session, workers=dead)

        return await self.db.run(release)

    async def stop(self) -> None:
        task, self._loop_task = self._loop_task, None
        if task is not None:
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)
        if self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)

    async def run_due(self, *, limit: int = 100) -> int:
        """Claim the jobs due now and start them; how many were claimed."""
        jobs = await self.db.run(
            lambda session: store.claim_jobs(
                session=session,
                now=self.clock.now(),
                worker=self.worker,
                lease_until=self.lease_until(),
                limit=limit,
                skip_locked=self.db.is_postgres,
            )
        )
        fresh = [job for job in jobs if job.id not in self._running]
        self.start_jobs(fresh)
        return len(fresh)

    async def idle(self, *, timeout: float = 10.0) -> None:
        """Until no job runs in this process (for tests and shutdown)."""
        async with asyncio.timeout(timeout):
            while self._tasks:
                await asyncio.gather(*list(self._tasks), return_exceptions=True)

    async def _poll_loop(self) -> None:
        try:
            if released := await self.release_dead_leases():
                log.info("took over %s jobs of a process that is gone", released)
        except Exception:
            log.warning("leases of dead processes not released; they will expire", exc_info=True)
        while True:
            try:
                await self.run_due()
            except Exception:
                log.warning("jobs could not be claimed; trying again", exc_info=True)
            # asyncio.timeout, not wait_for: Python 3.11's wait_for swallows a cancel that
            # lands as the event is set, and `stop` would then wait for this loop forever.
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(self.poll):
                    await self._wake.wait()
            self._wake.clear()

    def _spawn(self, job: Job, context: Any) -> None:
        self._running.add(job.id or 0)
        task = asyncio.create_task(self._run(job, context))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _run(self, job: Job, context: Any) -> bool:
        job_id = job.id or 0
        self._running.add(job_id)
        try:
            async with self._lane(job) as lane:
                if lane.failed:
                    await self._settle(
                        self.db.run(lambda s: store.release_job(session=s, job_id=job_id))
                    )
                    return False
                try:
                    kind = self._kinds.get(job.kind)
                    if kind is None:
                        raise LookupError(f"no handler for job kind {job.kind!r}")
                    async with kind.gate or self._gate:
                        await kind.handler(job.payload, context)
                except Exception as exc:
                    lane.failed = True
                    await self._failed(job, exc)
                    return False
                await self._settle(self._finished(job_id))
            if job.lane is not None:
                self.wake()  # the lane's next job, queued behind this one, may run now
            return True
        finally:
            self._running.discard(job_id)

    @contextlib.asynccontextmanager
    async def _lane(self, job: Job) -> AsyncIterator[_Lane]:
        """One lane's jobs run one at a time here, in the order they were started (asyncio's
        lock wakes its waiters first come, first served). Once one fails, the lane's waiters
        go back to the queue, to run after its retry."""
        if job.lane is None:
            yield _Lane()
            return
        lane = self._lanes.setdefault(job.lane, _Lane())
        lane.users += 1
        try:
            async with lane.lock:
                yield lane
        finally:
            lane.users -= 1
            if not lane.users:
                del self._lanes[job.lane]

    async def _failed(self, job: Job, exc: Exception) -> None:
        attempts = job.attempts + 1
        kind = self._kinds.get(job.kind)
        retry = kind.retry if kind is not None and kind.retry is not None else self.retry
        now = self.clock.now()
        age = now - job.created_at if job.created_at is not None else timedelta(0)
        dead = retry.gives_up(attempts=attempts, age=age)
        delay = retry.delay(attempts)
        run_after = now + timedelta(seconds=delay)
        error = f"{type(exc).__name__}: {exc}"
        log.log(
            logging.ERROR if dead else logging.WARNING,
            "job %s (%s) failed, attempt %s%s: %s",
            job.id,
            job.kind,
            attempts,
            "; given up" if dead else f"; again in {delay:.1f}s",
            exc,
        )
        give_up = kind.give_up if dead and kind is not None else None

        def settle(session: Session) -> None:
            store.retry_job(
                session=session, job_id=job.id or 0, error=error, run_after=run_after, dead=dead
            )
            if give_up is not None:
                give_up(session, job.payload, error)

        await self._settle(self.db.run(settle))

    async def _settle(self, writing: Awaitable[None]) -> None:
        """Record a job's end; if the database is away, the lease runs out and it runs again."""
        try:
            await writing
        except Exception:
            log.warning("a job's outcome could not be recorded; it will run again", exc_info=True)


@dataclass
class _Lane:
    """A lane's jobs in this process: who waits, and whether one of them failed."""

    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    users: int = 0
    failed: bool = False


def _dead_here(worker: str) -> bool:
    """A worker name (`host:pid:jobs`) of this host whose process no longer exists."""
    host, _, rest = worker.partition(":")
    pid = rest.partition(":")[0]
    if host != socket.gethostname() or not pid.isdigit() or int(pid) == os.getpid():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False
