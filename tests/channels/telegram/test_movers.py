"""Mover alerts in the team's group: `/nps alerts movers` from the group, the move on the
alert, and a detractor's previous score."""

from __future__ import annotations

from datetime import timedelta

from bot.app import NpsBot
from bot.clock import FakeClock
from channels.sandbox.telegram import TelegramSandbox
from tests.channels.telegram.conftest import ADMIN, GROUP, JANE, imported_jane, said, texts
from tests.phrases import phrase


async def score(bot: NpsBot, sandbox: TelegramSandbox, jane: int, value: int) -> None:
    """Invite Jane and let her press `value`."""
    assert (await bot.dispatcher.invite_now(respondent_id=jane, force=True)).sent
    question = await said(sandbox, JANE, "How likely")
    invitation = question["reply_markup"]["inline_keyboard"][0][0]["callback_data"].split(":")[1]
    sandbox.press_button(JANE, message_id=question["message_id"], data=f"nps:{invitation}:{value}")
    await said(sandbox, JANE, f"You answered {value} out of 10")


async def test_mover_and_detractor_alerts_in_the_group(
    bot: NpsBot, sandbox: TelegramSandbox, clock: FakeClock
) -> None:
    sandbox.send_text(ADMIN, "/nps alerts here", chat_id=GROUP)
    await said(sandbox, GROUP, "Detractor alerts will be posted to this chat")
    sandbox.send_text(ADMIN, "/nps alerts movers 2", chat_id=GROUP)
    await said(sandbox, GROUP, "Mover alerts are on: a fall of 2 or more points")
    sandbox.send_text(ADMIN, "/nps status", chat_id=GROUP)
    await said(sandbox, GROUP, "mover alerts on (a fall of 2+ points")

    jane = imported_jane(bot, sandbox)
    await score(bot, sandbox, jane, 9)
    clock.advance(timedelta(days=90))
    await score(bot, sandbox, jane, 7)
    alert = await said(sandbox, GROUP, "Mover alert: 9 -> 7")
    assert "Respondent: Jane" in alert["text"]

    clock.advance(timedelta(days=90))
    await score(bot, sandbox, jane, 3)
    await said(sandbox, GROUP, "Detractor alert: score 3/10 (previously 7)")
    assert len(texts(sandbox, GROUP, "alert: ")) == 2


async def test_the_followup_remembers_the_last_theme(
    bot: NpsBot, sandbox: TelegramSandbox, clock: FakeClock
) -> None:
    jane = imported_jane(bot, sandbox)
    await score(bot, sandbox, jane, 4)
    followup = await said(sandbox, JANE, "/skip")
    sandbox.send_text(
        JANE, "The slow checkout drives me mad", reply_to_message_id=followup["message_id"]
    )
    await said(sandbox, JANE, phrase("survey.thanks"))

    clock.advance(timedelta(days=90))
    await score(bot, sandbox, jane, 8)
    asked = await said(sandbox, JANE, "Last time you mentioned slow checkout. Better now?")
    assert asked["text"].startswith("Thanks. Last time") and "make it a 10" in asked["text"]
