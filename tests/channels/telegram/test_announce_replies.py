"""A reply to a "you said, we did" announcement in Telegram, through PTB and the sandbox: the
customer's private message opens a case whose alert is posted in the team group, the message
arrives as a reply to it, and a teammate's reply to that reaches the customer."""

from __future__ import annotations

from datetime import timedelta

from bot.app import NpsBot
from bot.clock import FakeClock
from bot.db import Database
from channels.sandbox.telegram import TelegramSandbox
from tests.case_rows import conversation, the_case
from tests.channels.telegram.conftest import (
    ADMIN,
    GROUP,
    JANE,
    MEMBER,
    imported_jane,
    said,
    texts,
)
from tests.channels.telegram.test_closing_the_loop import commented

TITLE = "Reply to “You said, we did” on “slow checkout”"


async def test_a_reply_to_the_announcement_reaches_the_group_and_is_answered(
    bot: NpsBot, sandbox: TelegramSandbox, db: Database, clock: FakeClock
) -> None:
    sandbox.send_text(ADMIN, "/nps alerts here", chat_id=GROUP)
    await said(sandbox, GROUP, "Detractor alerts will be posted to this chat")
    jane = imported_jane(bot, sandbox)
    await commented(bot, sandbox, jane, 9, "Love it, but the slow checkout")
    sandbox.send_text(ADMIN, '/nps announce "slow checkout" send', chat_id=GROUP)
    prompt = await said(sandbox, GROUP, '(announcement: "slow checkout"):')
    sandbox.send_text(
        ADMIN, "Checkout is fast now.", chat_id=GROUP, reply_to_message_id=prompt["message_id"]
    )
    await said(sandbox, GROUP, "queued for 1 person(s)")
    await bot.scheduler.tick()
    await said(sandbox, JANE, "Checkout is fast now.")
    assert texts(sandbox, GROUP, "alert:") == [] and texts(sandbox, GROUP, TITLE) == []

    clock.advance(timedelta(days=3))
    sandbox.send_text(JANE, "It is! Thank you")
    alert = await said(sandbox, GROUP, TITLE)
    assert "9/10" in alert["text"] and "Love it, but the slow checkout" in alert["text"]
    relayed = await said(sandbox, GROUP, "Jane Doe replied to “You said, we did”")
    assert relayed["text"].endswith("on “slow checkout”: It is! Thank you")
    assert relayed["reply_to_message"]["message_id"] == alert["message_id"]
    assert the_case(db).announcement_id is not None

    sandbox.send_text(
        MEMBER, "Glad to hear it!", chat_id=GROUP, reply_to_message_id=relayed["message_id"]
    )
    answered = await said(sandbox, JANE, "Glad to hear it!")
    assert answered["text"] == "Mia from the Acme team:\n\nGlad to hear it!"
    await said(sandbox, GROUP, "Your reply was delivered.")
    await said(sandbox, GROUP, "Status: replied to")
    assert conversation(db) == [
        (False, "Jane Doe", "It is! Thank you"),
        (True, "Mia", "Glad to hear it!"),
    ]
    assert len(texts(sandbox, GROUP, TITLE)) >= 1 and the_case(db).state == "replied"
