"""`/nps` in the team's group: Telegram's chat admins may change things, members may not."""

from __future__ import annotations

from sqlmodel import select

from bot.app import NpsBot
from bot.db import Database
from bot.models import AuditEntry
from channels.sandbox.telegram import TelegramSandbox
from tests.channels.telegram.conftest import ADMIN, GROUP, MEMBER, cadence_days, said


async def test_cadence_needs_a_chat_admin(
    bot: NpsBot, sandbox: TelegramSandbox, db: Database
) -> None:
    sandbox.send_text(MEMBER, "/nps cadence days 30", chat_id=GROUP)
    refusal = await said(sandbox, GROUP, "only npsbot admins")
    assert refusal["reply_to_message"]["from"]["id"] == MEMBER
    assert cadence_days(db) in (None, 90)

    sandbox.send_text(ADMIN, "/nps@npsbot_sandbox_bot cadence days 30", chat_id=GROUP)
    await said(sandbox, GROUP, "Cadence updated: every 30 days")
    assert cadence_days(db) == 30
    with db.session() as session:
        [entry] = session.exec(select(AuditEntry)).all()
    assert (entry.actor, entry.action, entry.detail) == (
        f"telegram:{ADMIN}",
        "cadence",
        "cadence days 30",
    )
    checked = [call.params["user_id"] for call in sandbox.calls_to("getChatMember")]
    assert checked == [MEMBER, ADMIN]

    sandbox.send_text(MEMBER, "/nps status", chat_id=GROUP)  # read-only: anyone may look
    await said(sandbox, GROUP, "every 30 days;")
    [commands] = [
        call for call in sandbox.calls_to("setMyCommands") if "language_code" not in call.params
    ]
    assert [c["command"] for c in commands.params["commands"]] == [
        "start",
        "stop",
        "help",
        "skip",
        "timezone",
        "language",
        "nps",
    ]
