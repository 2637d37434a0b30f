"""`npsbot run`: validate everything, then serve until SIGTERM or SIGINT.

The order is what an operator needs to read: settings, the port (bound before anything slow),
the database and its schema, each platform's credentials; only then the bot. A mistake is one
line naming the setting, exit code 2, no traceback; a database or network that is not up yet
is retried with back-off, said once and then at most once a minute.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import signal
import socket
import sys
import time
from collections.abc import Awaitable, Callable
from typing import TypeVar

from bot import logs, preflight
from bot.db import Database
from bot.preflight import Refused, Unavailable
from bot.settings import Settings, SettingsError, load_settings

log = logging.getLogger("npsbot")

EXIT_CONFIG = 2
SAY_AGAIN_AFTER = 60.0
MAX_BACKOFF = 30.0
T = TypeVar("T")


async def retrying(
    what: str, attempt: Callable[[], Awaitable[T]], *, timeout: float, sleep: float = 1.0
) -> T:
    """Run `attempt` until it stops raising `Unavailable`, or `timeout` seconds (0: forever)."""
    started = time.monotonic()
    said_at: float | None = None
    while True:
        try:
            return await attempt()
        except Unavailable as exc:
            now = time.monotonic()
            if timeout and now - started + sleep > timeout:
                raise Refused(
                    what, f"{exc}; gave up after {now - started:.0f} s (NPSBOT_STARTUP_TIMEOUT)"
                ) from None
            if said_at is None or now - said_at >= SAY_AGAIN_AFTER:
                log.warning("%s; retrying with back-off (next in %.0f s)", exc, sleep)
                said_at = now
            await asyncio.sleep(sleep)
            sleep = min(sleep * 2, MAX_BACKOFF)


async def prepare(settings: Settings) -> tuple[socket.socket, Database]:
    """Every check before serving; returns the bound socket and the upgraded database."""
    from bot.app import configured_platforms

    platforms = configured_platforms(settings)
    if not platforms:
        raise Refused("SLACK_BOT_TOKEN", "no platform configured: set it and/or TELEGRAM_BOT_TOKEN")
    sock = preflight.bind(settings)
    try:
        db = preflight.open_database(settings.database_url)

        async def migrate() -> None:
            await asyncio.to_thread(preflight.migrate, db)

        await retrying(preflight.DATABASE, migrate, timeout=settings.startup_timeout)
        for name, check in zip(platforms, preflight.platform_checks(platforms), strict=True):
            setting = "SLACK_BOT_TOKEN" if name == "slack" else "TELEGRAM_BOT_TOKEN"
            await retrying(
                setting,
                functools.partial(check, settings.platform(name)),
                timeout=settings.startup_timeout,
            )
    except BaseException:
        sock.close()
        raise
    return sock, db


async def serve(settings: Settings) -> None:
    """Serve until SIGTERM or SIGINT, then shut down cleanly (see `NpsBot.stop`).

    A signal while start-up still waits for the database ends the wait at once.
    """
    from bot.app import NpsBot

    stopping = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stopping.set)
    waiting = asyncio.create_task(stopping.wait())
    preparing = asyncio.create_task(prepare(settings))
    await asyncio.wait({preparing, waiting}, return_when=asyncio.FIRST_COMPLETED)
    if not preparing.done():
        preparing.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await preparing
        return
    waiting.cancel()
    sock, db = preparing.result()
    bot = NpsBot(settings, db=db)
    serving = asyncio.create_task(bot.serve(sockets=[sock], schedule=True))
    waiting = asyncio.create_task(stopping.wait())
    await asyncio.wait({serving, waiting}, return_when=asyncio.FIRST_COMPLETED)
    if stopping.is_set():
        log.info("stopping: finishing the sends in flight")
        bot.begin_shutdown()
    waiting.cancel()
    await serving


def main() -> int:
    """The process: returns its exit code."""
    try:
        settings = load_settings()
    except SettingsError as exc:
        print(f"error: {logs.Masker()(str(exc))}", file=sys.stderr)
        return EXIT_CONFIG
    masker = logs.configure(
        level=settings.log_level,
        json_lines=settings.log_format == "json",
        secrets=settings.secrets(),
    )
    try:
        asyncio.run(serve(settings))
    except Refused as exc:
        if settings.log_format == "json":
            log.error("%s", exc)  # one JSON line, masked by the handler
        else:
            print(f"error: {masker(str(exc))}", file=sys.stderr)
        return EXIT_CONFIG
    except KeyboardInterrupt:
        return 0
    log.info("stopped")
    return 0
