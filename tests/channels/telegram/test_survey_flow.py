"""The whole survey in a private chat, through long polling and through the webhook."""

from __future__ import annotations

import pytest
from sqlmodel import select

from bot.app import NpsBot
from bot.db import Database
from bot.models import Invitation, Response
from channels.sandbox.telegram import TelegramSandbox
from tests.channels.telegram.conftest import JANE, imported_jane, respondent, said, subscribe
from tests.phrases import phrase


@pytest.mark.parametrize("bot", ["polling", "webhook"], indirect=True)
async def test_start_invite_score_comment(
    bot: NpsBot, sandbox: TelegramSandbox, db: Database
) -> None:
    jane = await subscribe(sandbox, db, "/start plan-pro")
    assert (jane.attributes, jane.locale, jane.display_name) == ({"plan": "pro"}, "en-gb", "Jane")

    result = await bot.dispatcher.invite_now(respondent_id=jane.id or 0)
    assert result.sent, result.reason
    with db.session() as session:
        invitation_id = session.exec(select(Invitation.id)).one()
    question = await said(sandbox, JANE, "How likely")
    assert "0 = not at all likely, 10 = extremely likely" in question["text"]
    rows = question["reply_markup"]["inline_keyboard"]
    assert [[button["text"] for button in row] for row in rows] == [
        ["0", "1", "2", "3", "4", "5"],
        ["6", "7", "8", "9", "10"],
        ["Don't ask me again", "Remind me later"],
    ]
    assert rows[0][4]["callback_data"] == f"nps:{invitation_id}:4"
    assert [b["callback_data"] for b in rows[2]] == [
        f"optout:{invitation_id}",
        f"later:{invitation_id}",
    ]

    sandbox.press_button(JANE, message_id=question["message_id"], data=f"nps:{invitation_id}:4")
    followup = await said(sandbox, JANE, "/skip")
    await sandbox.wait_for_calls("answerCallbackQuery")
    [shown] = [m for m in sandbox.sent_messages(JANE) if m["message_id"] == question["message_id"]]
    assert shown["text"].endswith(phrase("survey.answered", score=4))
    assert "reply_markup" not in shown
    ask = sandbox.calls_to("sendMessage")[-1].params
    assert ask["reply_markup"]["force_reply"] is True
    assert ask["reply_markup"]["input_field_placeholder"]

    sandbox.send_text(JANE, "checkout keeps failing", reply_to_message_id=followup["message_id"])
    await said(sandbox, JANE, phrase("survey.thanks"))
    with db.session() as session:
        [response] = session.exec(select(Response)).all()
    assert (response.score, response.comment, response.attributes) == (
        4,
        "checkout keeps failing",
        {"plan": "pro"},
    )
    assert [call.status for call in sandbox.calls_to("answerCallbackQuery")] == [200]
    if bot.settings.telegram_webhook_url:
        assert sandbox.calls_to("getUpdates") == []
        assert {attempt.status for attempt in sandbox.webhook_attempts} == {200}
    else:
        assert sandbox.webhook_attempts == []


async def test_skip_finishes_without_comment(
    bot: NpsBot, sandbox: TelegramSandbox, db: Database
) -> None:
    assert (await bot.dispatcher.invite_now(respondent_id=imported_jane(bot, sandbox))).sent
    question = await said(sandbox, JANE, "How likely")
    score = question["reply_markup"]["inline_keyboard"][1][4]["callback_data"]
    sandbox.press_button(JANE, message_id=question["message_id"], data=score)
    await said(sandbox, JANE, "/skip")
    sandbox.send_text(JANE, "/skip")
    await said(sandbox, JANE, phrase("survey.thanks_score"))
    with db.session() as session:
        [response] = session.exec(select(Response)).all()
    assert (response.score, response.followup, response.comment) == (10, "skipped", None)


async def test_remind_later_and_opt_out_buttons(
    bot: NpsBot, sandbox: TelegramSandbox, db: Database
) -> None:
    jane = await subscribe(sandbox, db)
    assert (await bot.dispatcher.invite_now(respondent_id=jane.id or 0)).sent
    question = await said(sandbox, JANE, "How likely")
    opt_out, later = (b["callback_data"] for b in question["reply_markup"]["inline_keyboard"][2])

    sandbox.press_button(JANE, message_id=question["message_id"], data=later)
    [toast] = await sandbox.wait_for_calls("answerCallbackQuery")
    assert toast.params["text"] == "No problem, I'll ask again in a day."
    with db.session() as session:
        assert session.exec(select(Invitation.remind_at)).one() is not None

    sandbox.press_button(JANE, message_id=question["message_id"], data=opt_out)
    await said(sandbox, JANE, phrase("survey.opted_out"))
    await sandbox.wait_for_calls("editMessageReplyMarkup")
    [shown] = [m for m in sandbox.sent_messages(JANE) if m["message_id"] == question["message_id"]]
    assert "reply_markup" not in shown
    assert respondent(db, JANE).opted_out
