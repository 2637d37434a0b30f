"""`/healthz` and `/readyz` tell the truth, and readiness recovers by itself."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import httpx
import pytest

from bot.app import NpsBot
from bot.db import Database
from bot.settings import Settings
from channels.sandbox.slack import SlackSandbox
from tests.conftest import POSTGRES_URL
from tests.tcp_proxy import TcpProxy


async def serve(bot: NpsBot) -> asyncio.Task[None]:
    task = asyncio.create_task(bot.serve(port=0, schedule=True))
    await bot.wait_started()
    return task


async def wait_status(http: httpx.AsyncClient, status: int, timeout: float) -> httpx.Response:
    """Poll /readyz until it answers `status` (the event), failing after `timeout` s."""
    async with asyncio.timeout(timeout):
        while (response := await http.get("/readyz")).status_code != status:
            await asyncio.sleep(0.1)
    return response


@pytest.fixture
async def slack() -> AsyncIterator[SlackSandbox]:
    async with SlackSandbox() as sandbox:
        yield sandbox


def slack_settings(sandbox: SlackSandbox, url: str, **extra: object) -> Settings:
    return Settings(
        SLACK_BOT_TOKEN=sandbox.bot_token,
        NPSBOT_SLACK_API_URL=sandbox.api_url,
        NPSBOT_DATABASE_URL=url,
        **{"SLACK_SIGNING_SECRET": "x", **extra},  # type: ignore[arg-type]
    )


@pytest.mark.database  # PostgreSQL only
@pytest.mark.skipif(not POSTGRES_URL, reason="needs NPSBOT_TEST_DATABASE_URL")
async def test_readyz_follows_the_database_down_and_back(db: Database, slack: SlackSandbox) -> None:
    if not db.is_postgres:
        pytest.skip("PostgreSQL only: a SQLite file cannot refuse connections")
    target = db.engine.url
    with TcpProxy(target_host=target.host or "", target_port=target.port or 5432) as proxy:
        url = target.set(port=proxy.port).render_as_string(hide_password=False)
        bot = NpsBot(slack_settings(slack, url), platforms=["slack"])
        task = await serve(bot)
        base = bot.urls()[0]
        async with httpx.AsyncClient(base_url=base, timeout=5) as http:
            assert (await wait_status(http, 200, 10)).json() == {"status": "ready"}
            proxy.cut()
            down = await wait_status(http, 503, 10)
            assert "database" in down.json()["problems"]
            assert (await http.get("/healthz")).status_code == 200, "alive while not ready"
            proxy.restore()
            await wait_status(http, 200, 10)
            scrape = (await http.get("/metrics")).text
        await bot.stop()
        await task
        bot.db.dispose()
    errors = [line for line in scrape.splitlines() if line.startswith("npsbot_database_errors")]
    assert any(not line.endswith(" 0.0") for line in errors), scrape


async def test_readyz_names_a_dropped_socket_mode_connection(
    db: Database, slack: SlackSandbox
) -> None:
    settings = slack_settings(
        slack, db.url, SLACK_SIGNING_SECRET=None, SLACK_APP_TOKEN=slack.app_token
    )
    bot = NpsBot(settings, db=db, platforms=["slack"])
    task = await serve(bot)
    async with httpx.AsyncClient(base_url=bot.urls()[0], timeout=5) as http:
        await wait_status(http, 200, 10)
        await bot.adapters["slack"]._socket.client.close()  # type: ignore[attr-defined]
        down = await wait_status(http, 503, 10)
        assert down.json()["problems"] == {"slack": "Socket Mode is not connected"}
    await bot.stop()
    await task


async def test_readyz_says_when_the_scheduler_stopped(db: Database, slack: SlackSandbox) -> None:
    bot = NpsBot(slack_settings(slack, db.url), db=db, platforms=["slack"])
    task = await serve(bot)
    async with httpx.AsyncClient(base_url=bot.urls()[0], timeout=5) as http:
        await wait_status(http, 200, 10)
        bot.scheduler.shutdown()
        response = await wait_status(http, 503, 10)
        assert response.json() == {
            "status": "not ready",
            "problems": {"scheduler": "not running"},
        }
    await bot.stop()
    await task
