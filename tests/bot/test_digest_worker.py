"""A bot that schedules digests warms the digest worker at start-up, off the loop."""

from __future__ import annotations

import sys
from collections.abc import AsyncIterator

import pytest

from bot.app import NpsBot
from bot.db import Database
from bot.digest import worker
from bot.settings import Settings
from channels.sandbox.telegram import TelegramSandbox


@pytest.fixture
async def telegram() -> AsyncIterator[TelegramSandbox]:
    async with TelegramSandbox() as sandbox:
        yield sandbox


def fresh_bot(db: Database, telegram: TelegramSandbox) -> NpsBot:
    """A Telegram bot with no digest worker yet, as in a new process."""
    settings = Settings(
        TELEGRAM_BOT_TOKEN=telegram.token,
        NPSBOT_TELEGRAM_API_URL=telegram.base_url,
        NPSBOT_DATABASE_URL=db.url,
    )
    worker.discard()
    return NpsBot(settings, db=db, platforms=["telegram"])


def loaded() -> tuple[bool, bool]:
    """In the worker: whether matplotlib was imported and its fonts found, and whether the
    worker's database has compiled the digest's queries."""
    from scoring.chart import font_families

    compiled = worker._DATABASE is not None and bool(worker._DATABASE.engine._compiled_cache)
    return "matplotlib" in sys.modules and font_families.cache_info().currsize == 1, compiled


async def test_a_scheduling_bot_starts_the_digest_worker_warm(
    db: Database, telegram: TelegramSandbox
) -> None:
    bot = fresh_bot(db, telegram)
    await bot.start(schedule=True)
    try:
        await bot.warmed_up()
        fonts, queries = await worker.off_loop(loaded, fallback=lambda: (False, False))
    finally:
        await bot.stop()
    assert fonts and queries


async def test_a_bot_that_schedules_nothing_starts_no_worker(
    db: Database, telegram: TelegramSandbox
) -> None:
    bot = fresh_bot(db, telegram)
    await bot.start()
    try:
        await bot.warmed_up()
    finally:
        await bot.stop()
    assert worker._POOL is None
