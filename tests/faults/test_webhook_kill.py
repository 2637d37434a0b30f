"""300 Telegram webhook /start updates acknowledged, SIGKILL a second later: none lost.

The webhook answers 2xx only once an update is stored (or spooled), so what Telegram was
told is safe survives the kill: after a restart every one of the 300 people is subscribed,
once, and has been answered.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
import sqlalchemy as sa

from bot.db import Database
from bot.models import Respondent
from channels.sandbox.telegram import TelegramSandbox
from channels.telegram.webhook import PATH
from tests.channels.telegram.conftest import free_port
from tests.ops.process import Npsbot, environment

pytestmark = pytest.mark.database  # replays after a crash

PEOPLE = [700_000_000 + i for i in range(300)]
SECRET = "kill-test-secret"


def subscribed(db: Database) -> list[str]:
    with db.engine.connect() as connection:
        return list(connection.execute(sa.select(Respondent.platform_user_id)).scalars())


async def answered(sandbox: TelegramSandbox, timeout: float) -> None:
    async with asyncio.timeout(timeout):
        while {m["chat"]["id"] for m in sandbox.sent_messages()} < set(PEOPLE):
            await asyncio.sleep(0.05)


async def test_acknowledged_webhook_updates_survive_a_sigkill(db: Database, tmp_path: Path) -> None:
    async with TelegramSandbox(webhook_retry_delay=0.05) as sandbox:
        for user in PEOPLE:
            sandbox.add_user(user, first_name=f"P{user}")
        port = free_port()
        env = environment(
            TELEGRAM_BOT_TOKEN=sandbox.token,
            NPSBOT_TELEGRAM_API_URL=sandbox.base_url,
            TELEGRAM_WEBHOOK_URL=f"http://127.0.0.1:{port}{PATH}",
            TELEGRAM_WEBHOOK_SECRET=SECRET,
            NPSBOT_DATABASE_URL=db.url,
            NPSBOT_HTTP_PORT=port,
            NPSBOT_SPOOL_DIR=tmp_path / "spool",
        )
        bot = await Npsbot.start(env, tmp_path)
        try:
            await bot.url()
            for user in PEOPLE:
                sandbox.send_text(user, "/start")
            await sandbox.wait_idle(timeout=60)  # every update acknowledged with a 2xx
            await asyncio.sleep(1.0)  # the scenario: the kill comes a second later
        finally:
            await bot.kill()
        assert bot.process.returncode == -9
        at_kill = len({m["chat"]["id"] for m in sandbox.sent_messages()})
        assert at_kill < len(PEOPLE), "the kill must land while acknowledged work is pending"

        again = await Npsbot.start(env, tmp_path)
        try:
            await again.url()
            await answered(sandbox, timeout=90)
        finally:
            await again.kill()
    people = subscribed(db)
    assert sorted(people) == sorted(str(user) for user in PEOPLE), "all 300, each once"
