"""A real `npsbot run` SIGKILLed after an answer, before its webhook got through: the event
waits in the outbox, and the next process delivers it, the same event, signed, once."""

from __future__ import annotations

import asyncio
import signal
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlmodel import select

from bot import store
from bot.db import Database
from bot.models import WebhookDelivery
from channels.sandbox.slack import SlackRequestSigner, SlackSandbox
from tests.channels.slack.harness import click
from tests.ops.process import Npsbot, environment
from tests.ops.test_logs import seed_slack_invitation
from tests.webhook_receiver import Receiver

pytestmark = pytest.mark.database  # replays after a crash

SIGNING = "s" * 32
SECRET = "crash-secret"


def seed(db: Database, team_id: str, url: str) -> None:
    """U1 with an invitation due now, and the team's endpoint."""
    seed_slack_invitation(db, team_id)
    with db.session() as session:
        store.add_webhook(session=session, url=url, secret=SECRET, events=[], now=datetime.now(UTC))


def deliveries(db: Database) -> list[WebhookDelivery]:
    with db.session() as session:
        return list(session.exec(select(WebhookDelivery)).all())


async def until(check, timeout: float = 30) -> None:  # type: ignore[no-untyped-def]
    async with asyncio.timeout(timeout):
        while not check():
            await asyncio.sleep(0.05)


async def test_sigkill_between_the_answer_and_the_delivery_loses_nothing(
    db: Database, tmp_path: Path
) -> None:
    async with (
        SlackSandbox() as slack,
        SlackRequestSigner(signing_secret=SIGNING, sandbox=slack) as signer,
        Receiver(otherwise=500) as receiver,
    ):
        slack.add_user("U1", name="jane")
        seed(db, slack.workspace.team_id, receiver.url)
        env = environment(
            SLACK_BOT_TOKEN=slack.bot_token,
            SLACK_SIGNING_SECRET=SIGNING,
            NPSBOT_SLACK_API_URL=slack.api_url,
            NPSBOT_DATABASE_URL=db.url,
            NPSBOT_JOB_POLL_SECONDS=0.1,
            NPSBOT_WEBHOOK_RETRY_SECONDS=0.1,
        )
        bot = await Npsbot.start(env, tmp_path)
        try:
            base = await bot.url()
            await until(lambda: slack.messages_in("DU1"))
            question = slack.messages_in("DU1")[0]
            assert await click(signer, f"{base}/slack/events", question, "nps_score_2") == 200
            (refused,) = (await receiver.wait_for(1))[:1]
        finally:
            await bot.kill()
        assert bot.process.returncode == -signal.SIGKILL
        (waiting,) = deliveries(db)
        assert waiting.status == "pending" and waiting.event_id == refused.event["id"]

        receiver.otherwise = 200
        again = await Npsbot.start(env, tmp_path)
        try:
            await until(lambda: receiver.delivered())
            await until(lambda: deliveries(db)[0].status == "delivered")
            again.process.send_signal(signal.SIGTERM)
            assert await again.exit_code(timeout=10) == 0, again.output
        finally:
            await again.kill()
    (delivered,) = receiver.delivered()
    assert delivered.event["id"] == refused.event["id"], "the same event, deduplicable by id"
    assert delivered.body == refused.body and delivered.signed_with(SECRET)
    assert delivered.type == "response.created" and delivered.event["data"]["score"] == 2
