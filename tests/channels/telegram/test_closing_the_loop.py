"""Closing the loop from the team's group: `/nps alerts movers` and the move on the alert, a
detractor's previous score, the follow-up that remembers, and `/nps announce`."""

from __future__ import annotations

from datetime import timedelta

from bot.app import NpsBot
from bot.clock import FakeClock
from channels.sandbox.telegram import TelegramSandbox
from tests.channels.telegram.conftest import (
    ADMIN,
    GROUP,
    JANE,
    MEMBER,
    imported_jane,
    said,
    texts,
)
from tests.phrases import phrase


async def score(bot: NpsBot, sandbox: TelegramSandbox, jane: int, value: int) -> None:
    """Invite Jane and let her press `value`."""
    assert (await bot.dispatcher.invite_now(respondent_id=jane, force=True)).sent
    question = await said(sandbox, JANE, "How likely")
    invitation = question["reply_markup"]["inline_keyboard"][0][0]["callback_data"].split(":")[1]
    sandbox.press_button(JANE, message_id=question["message_id"], data=f"nps:{invitation}:{value}")
    await said(sandbox, JANE, f"You answered {value} out of 10")


async def commented(
    bot: NpsBot, sandbox: TelegramSandbox, jane: int, value: int, text: str
) -> None:
    """Jane presses `value` and answers the follow-up with `text`."""
    await score(bot, sandbox, jane, value)
    followup = await said(sandbox, JANE, "/skip")
    sandbox.send_text(JANE, text, reply_to_message_id=followup["message_id"])
    await said(sandbox, JANE, phrase("survey.thanks"))


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
    await commented(bot, sandbox, jane, 4, "The slow checkout drives me mad")

    clock.advance(timedelta(days=90))
    await score(bot, sandbox, jane, 8)
    asked = await said(sandbox, JANE, "Last time you mentioned slow checkout. Better now?")
    assert asked["text"].startswith("Thanks. Last time") and "make it a 10" in asked["text"]


async def test_announce_from_the_team_group(bot: NpsBot, sandbox: TelegramSandbox) -> None:
    """`/nps announce` previews, `... send` asks for the message with a forced reply, and
    the reply is sent to the person who mentioned the phrase, in their window."""
    jane = imported_jane(bot, sandbox)
    await commented(bot, sandbox, jane, 4, "The slow checkout drives me mad")

    sandbox.send_text(ADMIN, '/nps announce "slow checkout"', chat_id=GROUP)
    preview = await said(sandbox, GROUP, "1 person(s) who can be told mentioned")
    assert "> Jane: “The slow checkout drives me mad”" in preview["text"]
    sandbox.send_text(ADMIN, '/nps announce "slow checkout" send', chat_id=GROUP)
    prompt = await said(sandbox, GROUP, '(announcement: "slow checkout"):')
    assert sandbox.calls_to("sendMessage")[-1].params["reply_markup"]["force_reply"] is True
    sandbox.send_text(
        ADMIN, "Checkout is fast now.", chat_id=GROUP, reply_to_message_id=prompt["message_id"]
    )
    await said(sandbox, GROUP, 'Announcement on "slow checkout" queued for 1 person(s)')

    await bot.scheduler.tick()
    told = await said(sandbox, JANE, "You told Acme what to improve")
    assert told["text"].endswith("\n\nCheckout is fast now.")
    sandbox.send_text(MEMBER, '/nps announce "slow checkout" send', chat_id=GROUP)
    await said(sandbox, GROUP, "Sorry, only npsbot admins")
