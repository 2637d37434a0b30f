"""A running NpsBot on the Slack sandbox, with job retries scaled down for fault tests."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from bot.app import NpsBot
from bot.db import Database
from bot.settings import Settings
from channels.sandbox.slack import SlackRequestSigner, SlackSandbox
from tests.channels.slack.harness import SlackHarness

SIGNING_SECRET = "sandbox-signing-secret"


@pytest.fixture
async def slack(db: Database) -> AsyncIterator[SlackHarness]:
    async with SlackSandbox() as sandbox:
        sandbox.add_user("U1", name="jane.doe", real_name="Jane Doe")
        sandbox.add_user("UADMIN", name="ada")
        sandbox.add_channel("C0ALERTS", ["UADMIN", "U0BOT"], name="alerts")
        settings = Settings(
            SLACK_BOT_TOKEN=sandbox.bot_token,
            SLACK_SIGNING_SECRET=SIGNING_SECRET,
            NPSBOT_SLACK_API_URL=sandbox.api_url,
            NPSBOT_DATABASE_URL=db.url,
            NPSBOT_COMPANY_NAME="Acme",
            NPSBOT_ADMINS="UADMIN",
            NPSBOT_JOB_RETRY_SECONDS=0.1,
            NPSBOT_JOB_POLL_SECONDS=0.1,
            NPSBOT_WEBHOOK_RETRY_SECONDS=0.1,
        )
        bot = NpsBot(settings, db=db, platforms=["slack"])
        serving = asyncio.create_task(bot.serve(port=0))
        await bot.wait_started()
        signer = SlackRequestSigner(signing_secret=SIGNING_SECRET, sandbox=sandbox)
        try:
            yield SlackHarness(bot=bot, sandbox=sandbox, signer=signer)
        finally:
            await bot.stop()
            await serving
            await signer.close()
