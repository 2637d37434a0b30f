"""PostgreSQL stops answering while answers arrive on both platforms: none lost, none doubled.

The real bot (bolt and PTB, Slack in HTTP mode, Telegram by long polling) talks to PostgreSQL
through a TCP proxy that the test cuts. Every delivery is still acknowledged, from the local
spool, and all of it is stored once the database is back.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import AsyncIterator
from urllib.parse import urlsplit, urlunsplit

import pytest
from sqlmodel import col, select

from bot import store
from bot.app import NpsBot
from bot.db import Database
from bot.models import Invitation, Response
from bot.settings import Settings
from channels.sandbox.slack import SlackRequestSigner, SlackSandbox
from channels.sandbox.telegram import TelegramSandbox
from tests.channels.slack.harness import SlackHarness, button
from tests.conftest import POSTGRES_URL, _clean_postgres
from tests.faults.proxy import TcpProxy

pytestmark = pytest.mark.skipif(not POSTGRES_URL, reason="the outage is PostgreSQL's")

SIGNING_SECRET = "sandbox-signing-secret"
SLACK_PEOPLE = [f"U{i}" for i in range(1, 7)]  # each clicks and then comments: 12 answers
TELEGRAM_PEOPLE = [700000 + i for i in range(8)]  # each clicks: 8 answers


def through(proxy: TcpProxy, url: str) -> str:
    parts = urlsplit(url)
    netloc = parts.netloc.rsplit("@", 1)
    host = f"127.0.0.1:{proxy.port}"
    return urlunsplit(parts._replace(netloc=f"{netloc[0]}@{host}" if len(netloc) == 2 else host))


@pytest.fixture
async def proxy() -> AsyncIterator[TcpProxy]:
    assert POSTGRES_URL
    target = urlsplit(POSTGRES_URL.replace("postgresql+psycopg", "postgresql"))
    proxy = TcpProxy(target.hostname or "127.0.0.1", target.port or 5432)
    proxy.start()
    yield proxy
    proxy.close()


async def until(check: object, *, timeout: float = 20.0) -> None:
    async with asyncio.timeout(timeout):
        while not check():  # type: ignore[operator]
            await asyncio.sleep(0.05)


async def test_answers_during_an_outage_are_stored_once(proxy: TcpProxy) -> None:
    assert POSTGRES_URL
    direct = _clean_postgres(POSTGRES_URL)
    db = Database(through(proxy, POSTGRES_URL))
    async with SlackSandbox() as slack, TelegramSandbox(webhook_retry_delay=0.05) as telegram:
        for user in SLACK_PEOPLE:
            slack.add_user(user, name=user.lower())
        for user in TELEGRAM_PEOPLE:
            telegram.add_user(user, first_name=f"T{user}", started=True)
        settings = Settings(
            SLACK_BOT_TOKEN=slack.bot_token,
            SLACK_SIGNING_SECRET=SIGNING_SECRET,
            NPSBOT_SLACK_API_URL=slack.api_url,
            TELEGRAM_BOT_TOKEN=telegram.token,
            NPSBOT_TELEGRAM_API_URL=telegram.base_url,
            NPSBOT_DATABASE_URL=db.url,
            NPSBOT_COMPANY_NAME="Acme",
            NPSBOT_JOB_POLL_SECONDS=0.2,
            NPSBOT_JOB_RETRY_SECONDS=0.2,
        )
        bot = NpsBot(settings, db=db, platforms=["slack", "telegram"])
        serving = asyncio.create_task(bot.serve(port=0))
        await bot.wait_started()
        signer = SlackRequestSigner(signing_secret=SIGNING_SECRET, sandbox=slack)
        harness = SlackHarness(bot=bot, sandbox=slack, signer=signer)
        try:
            await run_outage(bot, harness, telegram, proxy, direct)
        finally:
            await bot.stop()
            await serving
            await signer.close()
    db.dispose()
    direct.dispose()


async def run_outage(
    bot: NpsBot,
    harness: SlackHarness,
    telegram: TelegramSandbox,
    proxy: TcpProxy,
    direct: Database,
) -> None:
    slack_questions = [(user, (await harness.invite(user))[1]) for user in SLACK_PEOPLE]
    telegram_questions = [
        (user, await invite_on_telegram(bot, telegram, user)) for user in TELEGRAM_PEOPLE
    ]

    proxy.cut()
    for user, question in slack_questions:
        block_id, value = button(question, "nps_score_8")
        for _ in range(2):  # Slack's retry of the same click is acknowledged and dropped
            status, _ = await harness.signer.deliver_block_action(
                harness.url,
                user_id=user,
                action_id="nps_score_8",
                value=value,
                channel_id=question.channel,
                message_ts=question.ts,
                block_id=block_id,
                trigger_id=f"trigger-{user}",
            )
            assert status == 200
        assert await harness.say(f"comment from {user}", user_id=user) == 200
    for user, (message_id, data) in telegram_questions:
        telegram.press_button(user, message_id=message_id, data=data)
    await telegram.wait_idle(timeout=10)  # every update confirmed to Telegram, while down
    assert answers(direct) == []

    proxy.restore()
    await until(lambda: len(answers(direct)) == 14 and len(commented(direct)) == 6)
    await bot.jobs.idle()
    stored = answers(direct)
    assert Counter(invitation for invitation, _ in stored).most_common(1)[0][1] == 1
    assert sorted(score for _, score in stored) == [8] * 14
    assert sorted(commented(direct)) == sorted(f"comment from {user}" for user in SLACK_PEOPLE)


async def invite_on_telegram(bot: NpsBot, telegram: TelegramSandbox, user: int) -> tuple[int, str]:
    now = bot.clock.now()
    with bot.db.session() as session:
        workspace = store.get_or_create_workspace(
            session=session, platform="telegram", external_id=str(telegram.bot["id"]), now=now
        )
        respondent = store.upsert_respondent(
            session=session,
            workspace=workspace,
            platform_user_id=str(user),
            now=now,
            dm_channel=str(user),
        )
        respondent_id = respondent.id or 0
    assert (await bot.dispatcher.invite_now(respondent_id=respondent_id, force=True)).sent
    with bot.db.session() as session:
        invitation = session.exec(
            select(Invitation).where(Invitation.respondent_id == respondent_id)
        ).one()
    return int(invitation.message_ref or 0), f"nps:{invitation.id}:8"


def answers(db: Database) -> list[tuple[int, int]]:
    with db.session() as session:
        rows = session.exec(select(Response).order_by(col(Response.id))).all()
        return [(row.invitation_id, row.score) for row in rows]


def commented(db: Database) -> list[str]:
    with db.session() as session:
        return [row.comment for row in session.exec(select(Response)).all() if row.comment]
