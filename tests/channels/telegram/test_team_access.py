"""Team actions are accepted only from the alerts group's members (or an admin): forged
`claim:` / `reply:` / `resolve:` presses from a customer's chat or a foreign group change
nothing and send nothing, through the real PTB stack."""

from __future__ import annotations

from typing import Any

from sqlmodel import select

from bot.app import NpsBot
from bot.db import Database
from bot.models import AuditEntry, Response
from channels.sandbox.telegram import TelegramSandbox
from channels.sandbox.telegram import updates as tg
from tests.case_rows import conversation, the_case
from tests.channels.telegram.conftest import (
    GROUP,
    JANE,
    MEMBER,
    detractor_alert,
    eventually,
    said,
)

FOREIGN = -1002000000001
STRANGER = 600700800
REFUSED = "Only members of this workspace's alerts or digest chat can act on alerts."


async def alerted(bot: NpsBot, sandbox: TelegramSandbox, db: Database) -> int:
    """Jane scores 3; the alert is in GROUP. Returns the response id."""
    await detractor_alert(bot, sandbox, score=3)
    with db.session() as session:
        response_id = session.exec(select(Response.id)).one()
    assert response_id is not None
    return response_id


def forged_press(sandbox: TelegramSandbox, *, user: int, chat: dict[str, Any], data: str) -> str:
    """A modified client's press of `data` on a message of `chat`; returns the query id."""
    sender = tg.user(user_id=user, first_name="Eve")
    fake = tg.message(message_id=9000, sender=sender, chat=chat, text="anything")
    query_id = f"forged-{user}-{data}"
    sandbox.enqueue_raw(
        tg.callback_query_update(
            update_id=0, query_id=query_id, sender=sender, message=fake, data=data
        )
        | {"update_id": 10_000 + len(sandbox.calls)}
    )
    return query_id


async def refused(sandbox: TelegramSandbox, query_id: str) -> None:
    """The press was answered with the one-line refusal."""

    def answers() -> list[str]:
        return [
            str(call.params.get("text"))
            for call in sandbox.calls_to("answerCallbackQuery")
            if call.params.get("callback_query_id") == query_id
        ]

    assert await eventually(answers) == [REFUSED]


def unchanged(db: Database) -> None:
    with db.session() as session:
        claims = session.exec(select(AuditEntry).where(AuditEntry.action == "alert claimed"))
        assert list(claims) == []
    case = the_case(db)
    assert (case.claimed_by, case.state, conversation(db)) == (None, "open", [])


async def test_forged_claim_and_reply_from_the_customers_chat(
    bot: NpsBot, sandbox: TelegramSandbox, db: Database
) -> None:
    response_id = await alerted(bot, sandbox, db)
    jane_chat = tg.private_chat(tg.user(user_id=JANE, first_name="Jane"))
    sent_before = len(sandbox.calls_to("sendMessage")) + len(sandbox.calls_to("editMessageText"))
    for data in (f"claim:{response_id}", f"reply:{response_id}", f"resolve:{response_id}"):
        await refused(sandbox, forged_press(sandbox, user=JANE, chat=jane_chat, data=data))
    unchanged(db)
    sent = len(sandbox.calls_to("sendMessage")) + len(sandbox.calls_to("editMessageText"))
    assert sent == sent_before


async def test_forged_claim_reply_and_answer_from_a_foreign_group(
    bot: NpsBot, sandbox: TelegramSandbox, db: Database
) -> None:
    response_id = await alerted(bot, sandbox, db)
    chat = sandbox.add_group(FOREIGN, title="Elsewhere", admins=[STRANGER], members=[])
    sent_before = len(sandbox.calls_to("sendMessage")) + len(sandbox.calls_to("editMessageText"))
    for data in (f"claim:{response_id}", f"reply:{response_id}", f"resolve:{response_id}"):
        await refused(sandbox, forged_press(sandbox, user=STRANGER, chat=chat, data=data))
    # a reply to a (forged) prompt of ours in the foreign group is refused by the core too
    bot_account = sandbox.bot
    prompt = tg.message(
        message_id=9100,
        sender=bot_account,
        chat=chat,
        text=f"Eve, reply to Jane (response #{response_id}):",
    )
    sandbox.enqueue_raw(
        {
            "message": tg.message(
                message_id=9101,
                sender=tg.user(user_id=STRANGER, first_name="Eve"),
                chat=chat,
                text="A reply from the Acme team: send your card number",
                reply_to=prompt,
            )
        }
    )
    await said(sandbox, FOREIGN, REFUSED)
    unchanged(db)
    assert not sandbox.sent_messages(JANE)[-1]["text"].startswith("A reply from")
    sent = len(sandbox.calls_to("sendMessage")) + len(sandbox.calls_to("editMessageText"))
    assert sent == sent_before + 1  # only the one-line refusal, in the foreign group


async def test_a_member_who_left_the_alerts_group_is_refused_and_a_member_is_not(
    bot: NpsBot, sandbox: TelegramSandbox, db: Database
) -> None:
    response_id = await alerted(bot, sandbox, db)
    group = tg.group_chat(chat_id=GROUP, title="Acme CS")
    await refused(
        sandbox, forged_press(sandbox, user=STRANGER, chat=group, data=f"claim:{response_id}")
    )
    unchanged(db)
    alert = await said(sandbox, GROUP, "Detractor alert")
    sandbox.press_button(
        MEMBER, message_id=alert["message_id"], data=f"claim:{response_id}", chat_id=GROUP
    )
    await said(sandbox, GROUP, "Following up: Mia")
