"""Detractor alerts in the team's group: posted, claimed, and answered back to the customer."""

from __future__ import annotations

from sqlmodel import select

from bot.app import NpsBot
from bot.db import Database
from bot.models import Response
from channels.sandbox.telegram import TelegramSandbox
from tests.case_rows import conversation, the_case
from tests.channels.telegram.conftest import ADMIN, GROUP, JANE, MEMBER, imported_jane, said
from tests.phrases import phrase


def buttons(message: dict[str, object]) -> list[str]:
    markup = message.get("reply_markup") or {}
    assert isinstance(markup, dict)
    return [button["text"] for row in markup.get("inline_keyboard", []) for button in row]


async def test_alert_claim_and_reply(bot: NpsBot, sandbox: TelegramSandbox, db: Database) -> None:
    sandbox.send_text(ADMIN, "/nps alerts here", chat_id=GROUP)
    await said(sandbox, GROUP, "Detractor alerts will be posted to this chat")

    jane = imported_jane(bot, sandbox, plan="pro")
    assert (await bot.dispatcher.invite_now(respondent_id=jane)).sent
    question = await said(sandbox, JANE, "How likely")
    invitation = question["reply_markup"]["inline_keyboard"][0][0]["callback_data"].split(":")[1]
    sandbox.press_button(JANE, message_id=question["message_id"], data=f"nps:{invitation}:3")
    alert = await said(sandbox, GROUP, "Detractor alert: score 3/10")
    assert "Respondent: Jane" in alert["text"] and "plan: pro" in alert["text"]
    assert buttons(alert) == ["I'll follow up", "Reply", "Resolved"]
    with db.session() as session:
        response_id = session.exec(select(Response.id)).one()

    followup = await said(sandbox, JANE, "/skip")
    comment = "support was <rude> & slow"
    sandbox.send_text(JANE, comment, reply_to_message_id=followup["message_id"])
    await said(sandbox, JANE, phrase("survey.thanks"))
    commented = await said(sandbox, GROUP, "Comment: support was <rude> & slow")
    assert {"offset": commented["text"].index("support"), "length": 25, "type": "italic"} in (
        commented["entities"]
    )

    sandbox.press_button(
        MEMBER, message_id=alert["message_id"], data=f"claim:{response_id}", chat_id=GROUP
    )
    claimed = await said(sandbox, GROUP, "Following up: Mia")
    assert buttons(claimed) == ["Reply", "Resolved"]
    await sandbox.wait_for_calls("answerCallbackQuery", count=2)
    assert sandbox.calls_to("answerCallbackQuery")[-1].params["text"] == "Mia will follow up."

    sandbox.press_button(
        ADMIN, message_id=alert["message_id"], data=f"reply:{response_id}", chat_id=GROUP
    )
    prompt = await said(sandbox, GROUP, f"reply to Jane (response #{response_id}):")
    asked = sandbox.calls_to("sendMessage")[-1].params
    assert asked["reply_markup"]["force_reply"] is True
    [mention] = [e for e in prompt["entities"] if e["type"] == "text_mention"]
    assert (mention["user"]["id"], prompt["text"][: mention["length"]]) == (ADMIN, "Oscar")

    answer = "Sorry about that, checkout is fixed now."
    sandbox.send_text(ADMIN, answer, chat_id=GROUP, reply_to_message_id=prompt["message_id"])
    relayed = await said(sandbox, JANE, "Oscar Ops from the Acme team:")
    assert relayed["text"].endswith(answer)
    await said(sandbox, GROUP, "Your reply was delivered.")
    await said(sandbox, GROUP, f"Reply sent: {answer}")
    assert conversation(db) == [(True, "Oscar Ops", answer)]
    assert (the_case(db).claimed_by, the_case(db).state) == ("Mia", "replied")
