"""Claim leases: a live worker's claims are renewed, a dead one's are taken back within a minute.

A claim (`claimed` or `sending`) names its worker and the time of its lease. While a pass
runs, a heartbeat renews the lease of every claim the worker holds every `HEARTBEAT`; a claim
whose lease is older than `LEASE` belongs to a process that died (SIGKILL, a lost machine) and
is settled by whichever replica looks next: `claimed` back to pending, `sending` uncertain.
Recovery runs every `RECOVERY_INTERVAL`, apart from the dispatch tick (a long pass cannot
delay it), so a dead worker's claims are back within LEASE + RECOVERY_INTERVAL = 40 s.

Taking back a live worker's claim by mistake (its heartbeat stalled on a slow database) sends
nobody twice: marking `sending` and recording are conditional on the claim still being the
worker's, so the pass skips the row another replica now holds.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from datetime import timedelta

from bot import store
from bot.clock import Clock
from bot.db import Database

log = logging.getLogger(__name__)

LEASE = timedelta(seconds=30)
HEARTBEAT = timedelta(seconds=10)
RECOVERY_INTERVAL = timedelta(seconds=10)


def renew(*, db: Database, clock: Clock, worker: str) -> int:
    """One heartbeat: every claim `worker` holds gets a fresh lease."""
    with db.session() as session:
        return store.renew_claims(session=session, worker=worker, now=clock.now())


def recover(*, db: Database, clock: Clock, older_than: timedelta = LEASE) -> tuple[int, int]:
    """Settle claims whose lease ran out: retry `claimed`, flag `sending` uncertain."""
    with db.session() as session:
        return store.release_stale_claims(session=session, cutoff=clock.now() - older_than)


@contextlib.asynccontextmanager
async def held(*, db: Database, clock: Clock, worker: str) -> AsyncIterator[None]:
    """Renew `worker`'s leases every HEARTBEAT while the block runs (a pass, a single send)."""

    async def beat() -> None:
        while True:
            await asyncio.sleep(HEARTBEAT.total_seconds())
            try:
                await db.call(renew, db=db, clock=clock, worker=worker)
            except Exception as exc:  # the database is away: the next beat tries again
                log.warning("could not renew the claims of %s: %s", worker, exc)

    task = asyncio.create_task(beat())
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
