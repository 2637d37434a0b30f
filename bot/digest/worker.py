"""The digest is built in a worker process, so the event loop never waits for it.

Composing a week (segments, themes over every comment, the chart) is seconds of CPU at
production size; on the loop it held every Slack ack past its 3-second deadline. One
long-lived worker process (started on first use, with `spawn`, so no lock of this process is
inherited) builds it from the database by itself and hands back the digest and the PNG.
"""

from __future__ import annotations

import asyncio
import gc
import logging
import multiprocessing
import os
import threading
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from datetime import date, timedelta
from typing import TypeVar

from bot.clock import SystemClock
from bot.db import Database
from bot.digest.week import Week
from bot.i18n import build_catalogue
from bot.settings import Settings
from scoring.digest import Digest
from scoring.nps import Counts

log = logging.getLogger(__name__)
T = TypeVar("T")
_POOL: ProcessPoolExecutor | None = None
PARENT_CHECK_SECONDS = 0.5


def pool() -> ProcessPoolExecutor:
    """The one worker of this process (several bots in one test process share it)."""
    global _POOL
    if _POOL is None:
        _POOL = ProcessPoolExecutor(
            max_workers=1,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=_follow_parent,
            initargs=(os.getpid(),),
        )
    return _POOL


def _follow_parent(parent: int) -> None:
    """In the worker: end with the bot. A bot killed outright (SIGKILL, the OOM killer)
    cannot stop its pool, and its worker would wait for work forever, holding the bot's
    stdout and stderr open (so whoever reads the bot's output never sees it end)."""

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(PARENT_CHECK_SECONDS)
        os._exit(0)

    threading.Thread(target=watch, name="follow-parent", daemon=True).start()


def discard(*, terminate: bool = False) -> None:
    """Forget a broken worker; the next digest starts a new one. `terminate` ends its
    process at once, rather than letting this process's exit wait for its task."""
    global _POOL
    if _POOL is not None:
        if terminate:  # no public way before Python 3.14's terminate_workers()
            processes = getattr(_POOL, "_processes", None) or {}
            for process in list(processes.values()):
                process.terminate()
        _POOL.shutdown(wait=False, cancel_futures=True)
    _POOL = None


async def off_loop(fn: Callable[..., T], *args: object, fallback: Callable[[], T]) -> T:
    """`fn(*args)` in the worker process; if the worker died, `fallback()` in a thread (and
    the next call starts a new worker)."""
    try:
        return await asyncio.get_running_loop().run_in_executor(pool(), fn, *args)
    except BrokenProcessPool:
        log.error("the digest worker died; building in a thread instead")
        discard()
        return await asyncio.to_thread(fallback)


def warm_up(settings: Settings) -> None:
    """In the worker, at start-up: draw a two-week chart, find themes in two comments and
    build the digest of a week without answers (which reads none), so the first digest or
    report does not pay for loading matplotlib, its fonts and the themes' word lists, nor
    for compiling the digest's queries (together about a second of CPU, cold); then what it
    loaded is frozen out of the collector's full passes."""
    from scoring.chart import render_trend_chart
    from scoring.themes import CommentRow, themes
    from scoring.trend import WeekPoint, trend

    monday = date(2026, 11, 23)
    points = [
        WeekPoint(monday - timedelta(weeks=1), Counts(3, 2, 1)),
        WeekPoint(monday, Counts(2, 2, 2)),
    ]
    words = build_catalogue(settings).team
    render_trend_chart(trend(points, end=monday), title=settings.company_name, words=words)
    themes([CommentRow(2, "slow checkout"), CommentRow(10, "friendly staff")])
    build_digest(settings, Week.parse(EMPTY_WEEK, settings.digest_timezone))
    # What is loaded by now (modules, matplotlib's fonts, the compiled queries: some 200,000
    # objects) lives as long as the worker: frozen, the collector's full passes no longer
    # walk it. Each such pass cost a build about 150 ms (one build in two had one).
    gc.collect()
    gc.freeze()


EMPTY_WEEK = "2999-W01"
"""A week no answer is stamped in (answers carry the time they came)."""
_DATABASE: Database | None = None


def database(url: str) -> Database:
    """The worker's one `Database`, kept between builds for its engine's statement cache
    (compiling the digest's queries anew cost a tenth of a second a build); its connections
    are closed after each build, so none stays open between digests."""
    global _DATABASE
    if _DATABASE is None or _DATABASE.url != url:
        _DATABASE = Database(url)
    return _DATABASE


def build_digest(settings: Settings, week: Week) -> tuple[Digest, bytes]:
    """In the worker: the same build as `Digests.build`, on its own connection."""
    from bot.digest.service import Digests

    db = database(settings.database_url)
    try:
        return Digests(db=db, channels={}, settings=settings, clock=SystemClock()).build(week)
    finally:
        db.dispose()
