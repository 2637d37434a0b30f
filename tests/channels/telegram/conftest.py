"""The real npsbot (core + TelegramAdapter + PTB) against the Telegram sandbox.

`bot` runs long polling unless a test asks for `webhook` through indirect parametrisation;
both run on every database the `db` fixture offers.
"""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

import pytest
from sqlmodel import select

from bot import store
from bot.app import NpsBot
from bot.clock import FakeClock, SystemClock
from bot.db import Database
from bot.events import Event
from bot.models import Respondent, Workspace
from bot.settings import Settings
from channels.sandbox.telegram import TelegramSandbox
from channels.telegram import TelegramAdapter
from channels.telegram.webhook import PATH
from tests.phrases import CATALOGUE
from tests.waits import PATIENCE

JANE = 412345678
ADMIN = 398765432  # an administrator of GROUP, not in NPSBOT_ADMINS
MEMBER = 555000111  # a plain member of GROUP
GROUP = -1001987654321
SECRET = "webhook_SECRET-123"
BOT_ID = "123456"  # the sandbox bot: the Telegram workspace's external id


@pytest.fixture
async def sandbox() -> AsyncIterator[TelegramSandbox]:
    async with TelegramSandbox(webhook_retry_delay=0.05) as fake:
        fake.add_user(JANE, first_name="Jane", last_name="Doe", language_code="en-gb")
        fake.add_user(ADMIN, first_name="Oscar", last_name="Ops")
        fake.add_user(MEMBER, first_name="Mia")
        fake.add_group(GROUP, title="Acme CS", admins=[ADMIN], members=[MEMBER])
        yield fake


@pytest.fixture
async def bot(
    request: pytest.FixtureRequest, db: Database, sandbox: TelegramSandbox, clock: FakeClock
) -> AsyncIterator[NpsBot]:
    """The whole bot on a Tuesday at 11:00 UTC, inside the default send window."""
    mode = getattr(request, "param", "polling")
    webhook = mode == "webhook"
    async with running_bot(db=db, sandbox=sandbox, clock=clock, webhook=webhook) as npsbot:
        yield npsbot


async def ignore(event: Event) -> None:
    return None


@pytest.fixture
async def adapter(sandbox: TelegramSandbox) -> AsyncIterator[TelegramAdapter]:
    """The adapter alone (no core, no database): enough to send and to look people up."""
    adapter = TelegramAdapter(
        settings=telegram_settings(sandbox).telegram,
        handle=ignore,
        clock=SystemClock(),
        catalogue=CATALOGUE,
    )
    await adapter.start()
    try:
        yield adapter
    finally:
        await adapter.stop()


def free_port() -> int:
    """A port for the web server, known before start so setWebhook can name it."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def telegram_settings(sandbox: TelegramSandbox, **extra: Any) -> Settings:
    return Settings(
        TELEGRAM_BOT_TOKEN=sandbox.token,
        NPSBOT_TELEGRAM_API_URL=sandbox.base_url,
        NPSBOT_COMPANY_NAME="Acme",
        NPSBOT_ADMINS="777",
        **extra,
    )


@asynccontextmanager
async def running_bot(
    *, db: Database, sandbox: TelegramSandbox, clock: FakeClock, webhook: bool, **extra: str
) -> AsyncIterator[NpsBot]:
    """Serve the whole bot until the block ends; a failed start raises instead of hanging.
    `extra` settings are added (`NPSBOT_TEAM_LANGUAGE="fr"`)."""
    port = free_port()
    hook = (
        {
            "TELEGRAM_WEBHOOK_URL": f"http://127.0.0.1:{port}{PATH}",
            "TELEGRAM_WEBHOOK_SECRET": SECRET,
        }
        if webhook
        else {}
    )
    settings = telegram_settings(sandbox, NPSBOT_DATABASE_URL=db.url, **hook, **extra)
    npsbot = NpsBot(settings, db=db, clock=clock, platforms=["telegram"])
    serving = asyncio.create_task(npsbot.serve(host="127.0.0.1", port=port))
    started = asyncio.create_task(npsbot.wait_started())
    await asyncio.wait({serving, started}, return_when=asyncio.FIRST_COMPLETED)
    if serving.done():
        started.cancel()
        serving.result()
    await started
    try:
        yield npsbot
    finally:
        await npsbot.stop()
        await serving


async def eventually(check: Callable[[], Any], *, timeout: float = PATIENCE) -> Any:
    """Poll `check` until it returns something truthy; return that (the bound is for a loaded
    machine, not a deadline under test)."""
    async with asyncio.timeout(timeout):
        while not (result := check()):
            await asyncio.sleep(0.02)
    return result


async def said(sandbox: TelegramSandbox, chat_id: int, fragment: str) -> dict[str, Any]:
    """The newest bot message in the chat containing `fragment`, once there is one."""

    def newest() -> dict[str, Any] | None:
        found = [m for m in sandbox.sent_messages(chat_id) if fragment in m.get("text", "")]
        return found[-1] if found else None

    message: dict[str, Any] = await eventually(newest)
    return message


def texts(sandbox: TelegramSandbox, chat_id: int, fragment: str) -> list[str]:
    return [m["text"] for m in sandbox.sent_messages(chat_id) if fragment in m.get("text", "")]


def respondent(db: Database, user_id: int) -> Respondent:
    with db.session() as session:
        found = session.exec(
            select(Respondent).where(Respondent.platform_user_id == str(user_id))
        ).one()
        return found


def cadence_days(db: Database) -> int | None:
    """The bot workspace's cadence, None while the workspace does not exist yet."""
    with db.session() as session:
        found = session.exec(select(Workspace).where(Workspace.external_id == BOT_ID)).first()
        return found.cadence_days if found else None


def imported_jane(bot: NpsBot, sandbox: TelegramSandbox, **attributes: str) -> int:
    """Jane as an admin import leaves her: in the audience, having started the bot long ago
    (so no consent message is sent now). Returns her respondent id."""
    sandbox.add_user(JANE, first_name="Jane", last_name="Doe", language_code="en-gb", started=True)
    return imported(bot, JANE, name="Jane", **attributes)


def imported(
    bot: NpsBot, user_id: int, *, name: str, workspace: str = BOT_ID, **attributes: str
) -> int:
    """Someone already in the sandbox, added to the audience (of the bot `workspace`) as an
    import does."""
    now = bot.clock.now()
    with bot.db.session() as session:
        bot_workspace = store.get_or_create_workspace(
            session=session, platform="telegram", external_id=workspace, now=now
        )
        row = store.upsert_respondent(
            session=session,
            workspace=bot_workspace,
            platform_user_id=str(user_id),
            now=now,
            attributes=attributes,
            dm_channel=str(user_id),
            display_name=name,
        )
        return row.id or 0


async def subscribe(sandbox: TelegramSandbox, db: Database, text: str = "/start") -> Respondent:
    """Jane sends /start and gets the consent text; returns her respondent row."""
    sandbox.send_text(JANE, text)
    await said(sandbox, JANE, "subscribed")
    return respondent(db, JANE)


async def detractor_alert(bot: NpsBot, sandbox: TelegramSandbox, *, score: int) -> dict[str, Any]:
    """Alerts go to GROUP; Jane is invited and scores `score`; returns the alert posted."""
    sandbox.send_text(ADMIN, "/nps alerts here", chat_id=GROUP)
    await said(sandbox, GROUP, "Detractor alerts will be posted to this chat")
    jane = imported_jane(bot, sandbox)
    assert (await bot.dispatcher.invite_now(respondent_id=jane)).sent
    question = await said(sandbox, JANE, "How likely")
    invitation = question["reply_markup"]["inline_keyboard"][0][0]["callback_data"].split(":")[1]
    sandbox.press_button(JANE, message_id=question["message_id"], data=f"nps:{invitation}:{score}")
    return await said(sandbox, GROUP, f"Detractor alert: score {score}/10")
