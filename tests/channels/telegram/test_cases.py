"""An alert's case in the team's group, through PTB and the sandbox: claimed, answered, the
customer's next messages relayed as replies to the alert, answered again from there,
resolved with a note and counted in the digest; the SLA reminder; the window closing."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlmodel import select

from bot.app import NpsBot
from bot.clock import FakeClock
from bot.db import Database
from bot.digest.week import Week
from bot.models import Workspace
from channels.sandbox.telegram import TelegramSandbox
from channels.telegram.digest_html import render_digest_html
from tests.case_rows import conversation, the_case
from tests.channels.telegram.conftest import (
    ADMIN,
    GROUP,
    JANE,
    MEMBER,
    detractor_alert,
    eventually,
    said,
    texts,
)
from tests.phrases import EN, phrase

pytestmark = (
    pytest.mark.database
)  # the conversation window and its erasure: the case store's time queries


async def detractor(bot: NpsBot, sandbox: TelegramSandbox, *, comment: str) -> dict[str, Any]:
    """Jane scores 2 and answers the follow-up; returns the alert once it shows the comment."""
    await detractor_alert(bot, sandbox, score=2)
    sandbox.send_text(JANE, comment)
    await said(sandbox, JANE, phrase("survey.thanks"))
    return await said(sandbox, GROUP, f"Comment: {comment}")


async def team_reply(sandbox: TelegramSandbox, alert: dict[str, Any], text: str) -> None:
    """Oscar presses Reply and answers the prompt; Jane receives it, and once the reply is
    stored Oscar is told."""
    response_id = the_case_response(alert)
    delivered = len(texts(sandbox, GROUP, "Your reply was delivered."))
    sandbox.press_button(
        ADMIN, message_id=alert["message_id"], data=f"reply:{response_id}", chat_id=GROUP
    )
    prompt = await said(sandbox, GROUP, f"(response #{response_id}):")
    sandbox.send_text(ADMIN, text, chat_id=GROUP, reply_to_message_id=prompt["message_id"])
    await said(sandbox, JANE, text)
    await eventually(lambda: len(texts(sandbox, GROUP, "Your reply was delivered.")) > delivered)


def the_case_response(alert: dict[str, Any]) -> str:
    data = alert["reply_markup"]["inline_keyboard"][0][0]["callback_data"]
    return str(data.split(":")[1])


async def test_a_case_from_alert_to_resolution_with_a_conversation(
    bot: NpsBot, sandbox: TelegramSandbox, db: Database, clock: FakeClock
) -> None:
    alert = await detractor(bot, sandbox, comment="checkout is broken")
    assert "Status: open" in alert["text"]
    response_id = the_case_response(alert)
    sandbox.press_button(
        MEMBER, message_id=alert["message_id"], data=f"claim:{response_id}", chat_id=GROUP
    )
    claimed = await said(sandbox, GROUP, "Status: claimed by Mia at 2026-11-24 11:00 UTC")
    assert "Following up: Mia" in claimed["text"]

    clock.advance(timedelta(minutes=42))
    await team_reply(sandbox, alert, "Sorry! Which browser?")
    assert texts(sandbox, JANE, "Oscar Ops from the Acme team:")[-1].endswith("Which browser?")
    await said(sandbox, GROUP, "Status: replied to, first reply at 2026-11-24 11:42 UTC")

    sandbox.send_text(JANE, "still broken")
    relayed = await said(sandbox, GROUP, "Jane wrote: still broken")
    assert relayed["reply_to_message"]["message_id"] == alert["message_id"]
    assert the_case(db).state == "replied"

    sandbox.send_text(
        MEMBER, "A fix ships today.", chat_id=GROUP, reply_to_message_id=relayed["message_id"]
    )
    again = await said(sandbox, JANE, "A fix ships today.")
    assert again["text"] == "Mia from the Acme team:\n\nA fix ships today."
    await said(sandbox, GROUP, "Your reply was delivered.")

    sandbox.press_button(
        MEMBER, message_id=alert["message_id"], data=f"resolve:{response_id}", chat_id=GROUP
    )
    prompt = await said(sandbox, GROUP, f"(note on response #{response_id}):")
    assert sandbox.calls_to("sendMessage")[-1].params["reply_markup"]["force_reply"] is True
    await said(sandbox, GROUP, "Status: resolved by Mia")
    sandbox.send_text(MEMBER, "refunded", chat_id=GROUP, reply_to_message_id=prompt["message_id"])
    await said(sandbox, GROUP, "The note was added to the resolution.")
    toasts = [call.params.get("text") for call in sandbox.calls_to("answerCallbackQuery")]
    assert "Resolved by Mia." in toasts
    resolved = await said(sandbox, GROUP, "Note: refunded")
    assert "Resolved" not in str(resolved["reply_markup"])

    case = the_case(db)
    assert (case.state, case.resolved_by, case.resolution_note) == ("resolved", "Mia", "refunded")
    assert conversation(db) == [
        (True, "Oscar Ops", "Sorry! Which browser?"),
        (False, "Jane", "still broken"),
        (True, "Mia", "A fix ships today."),
    ]
    digest, _ = bot.digests.build(Week.of(clock.now().date(), "UTC"))
    assert (digest.followup.alerted, digest.followup.claimed, digest.followup.replied) == (1, 1, 1)
    _, body = render_digest_html(digest, EN)
    assert "Detractors followed up: 1 of 1 claimed (100%), 1 of 1 replied to (100%)" in body
    assert "median time to first reply 42 min · open cases: 0" in body


async def test_an_unclaimed_alert_is_reminded_once(
    bot: NpsBot, sandbox: TelegramSandbox, clock: FakeClock
) -> None:
    alert = await detractor(bot, sandbox, comment="slow")
    clock.advance(timedelta(hours=23))
    assert await bot.case_threads.remind_due() == 0
    clock.advance(timedelta(hours=2))
    assert await bot.case_threads.remind_due() == 1
    reminder = await said(sandbox, GROUP, "Nobody has claimed this alert in 24 hours.")
    assert reminder["reply_to_message"]["message_id"] == alert["message_id"]
    clock.advance(timedelta(days=3))
    assert await bot.case_threads.remind_due() == 0
    await bot.jobs.idle()
    assert len(texts(sandbox, GROUP, "Nobody has claimed")) == 1


async def test_the_conversation_closes_days_after_the_teams_last_reply(
    bot: NpsBot, sandbox: TelegramSandbox, db: Database, clock: FakeClock
) -> None:
    alert = await detractor(bot, sandbox, comment="slow")
    await team_reply(sandbox, alert, "Looking into it.")
    clock.advance(timedelta(days=6, hours=23))
    sandbox.send_text(JANE, "any news?")
    await said(sandbox, GROUP, "Jane wrote: any news?")

    clock.advance(timedelta(hours=2))  # 7 days and an hour after the team wrote
    sandbox.send_text(JANE, "hello?")
    sandbox.send_text(JANE, "/help")  # answered after "hello?": Jane's updates keep their order
    await said(sandbox, JANE, "/stop")
    assert texts(sandbox, GROUP, "hello?") == []
    assert [text for _, _, text in conversation(db)] == ["Looking into it.", "any news?"]


async def test_anonymous_mode_names_neither_side(
    bot: NpsBot, sandbox: TelegramSandbox, db: Database
) -> None:
    alert = await detractor(bot, sandbox, comment="slow")
    with db.session() as session:
        workspace = session.exec(select(Workspace)).one()
        workspace.anonymous = True
        session.add(workspace)
    await team_reply(sandbox, alert, "Looking into it.")
    assert texts(sandbox, JANE, "Looking into it.") == [
        "A reply from the Acme team about your feedback:\n\nLooking into it."
    ]
    sandbox.send_text(JANE, "still slow")
    relayed = await said(sandbox, GROUP, "still slow")
    assert relayed["text"] == "Anonymous respondent wrote: still slow"


async def test_forgetting_the_customer_erases_their_conversation(
    bot: NpsBot, sandbox: TelegramSandbox, db: Database
) -> None:
    alert = await detractor(bot, sandbox, comment="slow")
    await team_reply(sandbox, alert, "Looking into it.")
    sandbox.send_text(JANE, "my card ends 4242")
    await said(sandbox, GROUP, "Jane wrote: my card ends 4242")
    sandbox.send_text(JANE, "/forget")
    confirm = await said(sandbox, JANE, "Delete everything we store about you?")
    sandbox.press_button(JANE, message_id=confirm["message_id"], data="forget:yes")
    await said(sandbox, JANE, "Your data was deleted.")
    await eventually(lambda: conversation(db) == [(True, "Oscar Ops", None), (False, None, None)])
