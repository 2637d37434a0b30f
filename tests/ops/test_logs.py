"""No secret in any output: a full `npsbot run` at DEBUG, both platforms, grepped for each.

Slack (Socket Mode and signed HTTP), Telegram long polling (httpx logs every Bot API URL, and
the token is in the path), the trigger API with its bearer token; anonymous mode is on, so no
name and no comment may appear either. Every line is JSON with NPSBOT_LOG_FORMAT=json.
"""

from __future__ import annotations

import asyncio
import json
import logging
import signal
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import httpx

from bot import store
from bot.db import Database
from bot.logs import Masker, MaskingFormatter
from bot.models import InvitationSource
from channels.sandbox.slack import SlackRequestSigner, SlackSandbox
from channels.sandbox.slack_payloads import message_event
from channels.sandbox.telegram import TelegramSandbox
from tests.channels.slack.harness import click
from tests.ops.process import Npsbot, environment
from tests.waits import PATIENCE

BOT_TOKEN = "xoxb-1111111111-2222222222222-SlackBotSecretPart0123456"
APP_TOKEN = "xapp-1-A0SANDBOX-3333333333-SlackAppSecretPart0123456789abcdef"
SIGNING = "SigningSecretPart0123456789abcdef"
TELEGRAM_TOKEN = "7654321098:AAHtelegramSecretPart0123456789abcdEF"
API_TOKEN = "ApiTokenSecretPart0123456789"
SECRETS = [BOT_TOKEN, APP_TOKEN, SIGNING, TELEGRAM_TOKEN, API_TOKEN]
SECRET_PARTS = ["SlackBotSecretPart", "SlackAppSecretPart", "telegramSecretPart", "AAHtelegram"]
NAME = "Zebediah Quartermaine"
COMMENT = "the onboarding call was a mess"


def seed_slack_invitation(db: Database, team_id: str) -> None:
    now = datetime.now(UTC)
    with db.session() as session:
        workspace = store.get_or_create_workspace(
            session=session, platform="slack", external_id=team_id, now=now
        )
        respondent = store.upsert_respondent(
            session=session,
            workspace=workspace,
            platform_user_id="U1",
            now=now,
            display_name=NAME,
        )
        store.create_invitation(
            session=session,
            respondent=respondent,
            source=InvitationSource.MANUAL,
            due_at=now,
            now=now,
        )


async def test_a_full_run_logs_no_secret_name_or_comment(db: Database, tmp_path: Path) -> None:
    async with (
        SlackSandbox(bot_token=BOT_TOKEN, app_token=APP_TOKEN) as slack,
        TelegramSandbox(token=TELEGRAM_TOKEN, bot_id=7654321098) as telegram,
        SlackRequestSigner(signing_secret=SIGNING, sandbox=slack) as signer,
    ):
        slack.add_user("U1", name="zeb", real_name=NAME)
        telegram.add_user(4242, first_name="Zebediah", last_name="Quartermaine")
        seed_slack_invitation(db, slack.workspace.team_id)
        env = environment(
            SLACK_BOT_TOKEN=BOT_TOKEN,
            SLACK_APP_TOKEN=APP_TOKEN,
            SLACK_SIGNING_SECRET=SIGNING,
            TELEGRAM_BOT_TOKEN=TELEGRAM_TOKEN,
            NPSBOT_SLACK_API_URL=slack.api_url,
            NPSBOT_TELEGRAM_API_URL=telegram.base_url,
            NPSBOT_DATABASE_URL=db.url,
            NPSBOT_API_TOKEN=API_TOKEN,
            NPSBOT_ANONYMOUS="true",
            NPSBOT_LOG_LEVEL="debug",
            NPSBOT_LOG_FORMAT="json",
            NPSBOT_PRELOAD_MODELS="true",  # a full run, as in production
        )
        bot = await Npsbot.start(env, tmp_path)
        try:
            base = await bot.url()
            async with httpx.AsyncClient(base_url=base) as http:
                await _wait(bot, lambda: slack.messages_in("DU1"))
                question = slack.messages_in("DU1")[0]
                status = await click(signer, f"{base}/slack/events", question, "nps_score_2")
                assert status == 200
                await _wait(bot, lambda: len(slack.messages_in("DU1")) >= 2)  # the follow-up
                comment = message_event(user_id="U1", text=COMMENT, channel_id="DU1")
                assert (await signer.deliver_event(f"{base}/slack/events", comment))[0] == 200
                telegram.send_text(4242, "/start")
                await telegram.wait_for_calls("sendMessage", timeout=15)
                trigger = {"platform": "slack", "user_id": "U1", "event": "order_delivered"}
                headers = {"Authorization": f"Bearer {API_TOKEN}"}
                answer = await http.post("/api/v1/triggers", json=trigger, headers=headers)
                assert answer.status_code == 202, answer.text
                wrong = {"Authorization": f"Bearer {API_TOKEN}x"}
                refused = await http.post("/api/v1/triggers", json=trigger, headers=wrong)
                assert refused.status_code == 401
                thanked = lambda: "Thank you for" in (slack.messages_in("DU1")[-1].text or "")  # noqa: E731
                await _wait(bot, thanked)
            bot.process.send_signal(signal.SIGTERM)
            assert await bot.exit_code(timeout=10) == 0, bot.output
        finally:
            await bot.kill()
    output = bot.output
    assert "listening on" in output and "Running job" in output, "DEBUG shows the ticks"
    for line in bot.lines:
        json.loads(line)
    for secret in [*SECRETS, *SECRET_PARTS]:
        assert secret not in output, f"{secret[:12]}... leaked"
    assert "***" in output, "the Telegram URLs were logged, masked"
    for private in (NAME, "Zebediah", "Quartermaine", COMMENT):
        leaks = [line for line in bot.lines if private in line]
        assert not leaks, leaks[0][:600]


async def _wait(bot: Npsbot, check: Callable[[], object], timeout: float = PATIENCE) -> None:
    """Until `check()` holds; a timeout shows what the bot printed meanwhile."""
    try:
        async with asyncio.timeout(timeout):
            while not check():
                assert bot.process.returncode is None, bot.output[-4000:]
                await asyncio.sleep(0.05)
    except TimeoutError:
        raise AssertionError(f"not within {timeout} s:\n{bot.output[-4000:]}") from None


def test_masker_covers_token_shapes_in_urls_and_tracebacks() -> None:
    mask = Masker([SIGNING])
    url = f"POST https://api.telegram.org/bot{TELEGRAM_TOKEN}/getMe"
    assert mask(url) == "POST https://api.telegram.org/bot***/getMe"
    assert mask(f"token={BOT_TOKEN}&x=1") == "token=***&x=1"
    assert mask(f"postgresql+psycopg://npsbot:hunter2@db/npsbot {SIGNING}") == (
        "postgresql+psycopg://***@db/npsbot ***"
    )
    formatter = MaskingFormatter(masker=mask, json_lines=False)
    try:
        raise ValueError(f"The token `{TELEGRAM_TOKEN}` was rejected by the server.")
    except ValueError:
        record = logging.LogRecord("telegram", logging.ERROR, __file__, 1, "boom", (), None)
        import sys

        record.exc_info = sys.exc_info()
    assert "telegramSecretPart" not in formatter.format(record)
