"""A running NpsBot with the real bolt stack, talking to the Slack sandbox."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator, Awaitable, Callable

import pytest

from bot.app import NpsBot
from bot.clock import Clock
from bot.db import Database
from bot.settings import Settings
from channels.sandbox.slack import SlackRequestSigner, SlackSandbox
from tests.channels.slack.harness import SlackHarness

SIGNING_SECRET = "sandbox-signing-secret"
StartBot = Callable[..., Awaitable[SlackHarness]]


@pytest.fixture
async def sandbox() -> AsyncIterator[SlackSandbox]:
    async with SlackSandbox() as sb:
        sb.add_user("U1", name="jane.doe", real_name="Jane Doe", email="jane@example.com")
        sb.add_user("U2", name="bob")
        sb.add_user("UADMIN", name="ada")
        sb.add_user("UOWNER", name="olga", is_owner=True)
        sb.add_channel("C0GENERAL", ["U1", "U2", "UADMIN", "UOWNER", "U0BOT"])
        sb.add_channel("C0ALERTS", ["UADMIN", "U0BOT"], name="alerts")
        sb.add_channel("C0CXALERTS", ["UADMIN"], name="cx-alerts")  # public, bot not in it
        sb.add_channel("G0LEADERS", ["UADMIN"], name="leadership", private=True)
        yield sb


@pytest.fixture
async def start_bot(db: Database, sandbox: SlackSandbox) -> AsyncIterator[StartBot]:
    """Start NpsBot on a free port: HTTP mode, or Socket Mode with `socket_mode=True`."""
    running: list[tuple[NpsBot, asyncio.Task[None], SlackRequestSigner]] = []

    async def start(
        *, clock: Clock | None = None, socket_mode: bool = False, public: bool = False, **extra: str
    ) -> SlackHarness:
        """`public` serves on a port chosen first, named as NPSBOT_PUBLIC_URL (the Home's chart)."""
        sockets = None
        if public:
            bound = socket.create_server(("127.0.0.1", 0))
            sockets = [bound]
            extra["NPSBOT_PUBLIC_URL"] = f"http://127.0.0.1:{bound.getsockname()[1]}"
        settings = Settings(
            SLACK_BOT_TOKEN=sandbox.bot_token,
            SLACK_SIGNING_SECRET=None if socket_mode else SIGNING_SECRET,
            SLACK_APP_TOKEN=sandbox.app_token if socket_mode else None,
            NPSBOT_SLACK_API_URL=sandbox.api_url,
            NPSBOT_DATABASE_URL=db.url,
            NPSBOT_COMPANY_NAME="Acme",
            NPSBOT_ADMINS="UADMIN",
            **extra,
        )
        bot = NpsBot(settings, db=db, platforms=["slack"], clock=clock)
        task = asyncio.create_task(bot.serve(port=0, sockets=sockets))
        await bot.wait_started()
        signer = SlackRequestSigner(signing_secret=SIGNING_SECRET, sandbox=sandbox)
        running.append((bot, task, signer))
        return SlackHarness(bot=bot, sandbox=sandbox, signer=signer)

    yield start
    for bot, task, signer in running:
        await bot.stop()
        await task
        await signer.close()


@pytest.fixture
async def slack(start_bot: StartBot) -> SlackHarness:
    """The usual case: HTTP mode on the wall clock."""
    return await start_bot()
