"""`/nps report` through the real PTB stack: posted in the team group (chart, then the
text with claim buttons), refused from a customer's private chat."""

from __future__ import annotations

from sqlmodel import select

from bot.app import NpsBot
from bot.db import Database
from bot.models import Case, Response
from channels.sandbox.telegram import TelegramSandbox
from channels.telegram.html_split import CAPTION_LIMIT, MESSAGE_LIMIT
from tests.channels.telegram.conftest import (
    ADMIN,
    GROUP,
    JANE,
    MEMBER,
    detractor_alert,
    eventually,
    said,
)

BUILD = 30.0
"""A first report starts the chart's worker process: seconds on a busy machine."""


async def test_report_in_the_team_group(
    bot: NpsBot, sandbox: TelegramSandbox, db: Database
) -> None:
    await detractor_alert(bot, sandbox, score=3)
    with db.session() as session:
        response_id = session.exec(select(Response.id)).one()
    sandbox.send_text(MEMBER, "/nps report", chat_id=GROUP)
    (photo,) = await eventually(lambda: sandbox.photos, timeout=BUILD)
    assert photo.chat_id == GROUP and photo.data.startswith(b"\x89PNG")
    assert photo.caption is not None and len(photo.caption) <= CAPTION_LIMIT
    assert "This week so far" in photo.caption and "n = 1" in photo.caption
    body = await said(sandbox, GROUP, "Open cases (1)")
    assert len(body["text"]) <= MESSAGE_LIMIT and "3/10" in body["text"]
    (row,) = body["reply_markup"]["inline_keyboard"]
    assert row[0]["callback_data"] == f"claim:{response_id}"

    sandbox.press_button(
        MEMBER, message_id=body["message_id"], data=row[0]["callback_data"], chat_id=GROUP
    )

    def owner() -> str | None:
        with db.session() as session:
            return session.exec(select(Case.claimed_by)).one()

    assert await eventually(owner)


async def test_report_refused_in_a_customers_private_chat(
    bot: NpsBot, sandbox: TelegramSandbox, db: Database
) -> None:
    await detractor_alert(bot, sandbox, score=3)
    sandbox.send_text(JANE, "/nps report")
    await said(sandbox, JANE, "The live report is shown only in the team's alerts or digest chats")
    assert not sandbox.photos


async def test_report_refused_in_a_group_that_is_no_team_chat(
    bot: NpsBot, sandbox: TelegramSandbox
) -> None:
    sandbox.send_text(ADMIN, "/nps report", chat_id=GROUP)
    await said(sandbox, GROUP, "The live report is shown only in the team's alerts or digest chats")
    assert not sandbox.photos
