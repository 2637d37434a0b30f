"""The digest is built in a worker process, so the event loop never waits for it.

Composing a week (segments, themes over every comment, the chart) is seconds of CPU at
production size; on the loop it held every Slack ack past its 3-second deadline. One
long-lived worker process (started on first use, with `spawn`, so no lock of this process is
inherited) builds it from the database by itself and hands back the digest and the PNG.
"""

from __future__ import annotations

import multiprocessing
from concurrent.futures import ProcessPoolExecutor

from bot.clock import SystemClock
from bot.db import Database
from bot.digest.week import Week
from bot.settings import Settings
from scoring.digest import Digest

_POOL: ProcessPoolExecutor | None = None


def pool() -> ProcessPoolExecutor:
    """The one worker of this process (several bots in one test process share it)."""
    global _POOL
    if _POOL is None:
        _POOL = ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn"))
    return _POOL


def discard() -> None:
    """Forget a broken worker; the next digest starts a new one."""
    global _POOL
    if _POOL is not None:
        _POOL.shutdown(wait=False, cancel_futures=True)
    _POOL = None


def build_digest(settings: Settings, week: Week) -> tuple[Digest, bytes]:
    """In the worker: the same build as `Digests.build`, on its own connection."""
    from bot.digest.service import Digests

    db = Database(settings.database_url)
    try:
        return Digests(db=db, channels={}, settings=settings, clock=SystemClock()).build(week)
    finally:
        db.dispose()
