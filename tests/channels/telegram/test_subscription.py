"""Consent in the private chat: /start, /stop, /start again, /timezone."""

from __future__ import annotations

from bot.app import NpsBot
from bot.db import Database
from channels.sandbox.telegram import TelegramSandbox
from tests.channels.telegram.conftest import JANE, respondent, said, subscribe, texts
from tests.phrases import phrase


async def test_stop_refuses_invitations_until_start(
    bot: NpsBot, sandbox: TelegramSandbox, db: Database
) -> None:
    jane = await subscribe(sandbox, db)
    sandbox.send_text(JANE, "/stop")
    await said(sandbox, JANE, phrase("survey.opted_out"))
    assert len(texts(sandbox, JANE, phrase("survey.opted_out"))) == 1
    assert respondent(db, JANE).opted_out

    refused = await bot.dispatcher.invite_now(respondent_id=jane.id or 0)
    assert (refused.sent, refused.reason) == (False, "they opted out of surveys")
    assert texts(sandbox, JANE, "How likely") == []

    sandbox.send_text(JANE, "/start")
    await said(sandbox, JANE, phrase("start.welcome_back"))
    assert not respondent(db, JANE).opted_out


async def test_timezone(bot: NpsBot, sandbox: TelegramSandbox, db: Database) -> None:
    await subscribe(sandbox, db)
    sandbox.send_text(JANE, "/timezone Europe/Berlin")
    await said(sandbox, JANE, "Time zone set to Europe/Berlin")
    assert respondent(db, JANE).timezone == "Europe/Berlin"
    sandbox.send_text(JANE, "/timezone Mars/Olympus")
    await said(sandbox, JANE, "'Mars/Olympus' is not a time zone I know")
    assert respondent(db, JANE).timezone == "Europe/Berlin"
