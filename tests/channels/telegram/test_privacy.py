"""A person's rights from the chat: `/mydata` sends what is stored as JSON (sendDocument),
`/forget` erases identity, comments and conversations from every table, the alert and the
export, keeps the scores so the digest still adds up, and a later CSV import leaves the
person out unless told otherwise."""

from __future__ import annotations

import json
from typing import Any

import pytest
import sqlalchemy as sa
from sqlmodel import SQLModel

from bot.app import NpsBot
from bot.audience_csv import parse
from bot.audience_import import apply_import
from bot.db import Database
from bot.digest.week import Week
from bot.export import export_rows
from bot.models import Respondent
from channels.sandbox.telegram import TelegramSandbox
from tests.channels.telegram.conftest import (
    ADMIN,
    GROUP,
    JANE,
    eventually,
    imported_jane,
    said,
)
from tests.phrases import phrase

SECRETS = (str(JANE), "Jane", "jane@example.com", "checkout ate my card", "plan-secret")


def every_row(db: Database) -> str:
    """Every value of every table, as one string to search."""
    with db.session() as session:
        return "\n".join(
            repr(row)
            for table in SQLModel.metadata.sorted_tables
            for row in session.execute(sa.select(table)).all()
        )


def counts(bot: NpsBot) -> tuple[int, int, int, int]:
    week = Week.of(bot.clock.now().date(), bot.settings.digest_timezone)
    digest, _ = bot.digests.build(week)
    c = digest.counts
    return c.promoters, c.passives, c.detractors, digest.delivered


async def answered_with_comment(bot: NpsBot, sandbox: TelegramSandbox) -> None:
    sandbox.send_text(ADMIN, "/nps alerts here", chat_id=GROUP)
    await said(sandbox, GROUP, "Detractor alerts will be posted to this chat")
    jane = imported_jane(bot, sandbox, plan="plan-secret")
    with bot.db.session() as session:
        row = session.get(Respondent, jane)
        assert row is not None
        row.email, row.person_key = "jane@example.com", "jane@example.com"
        session.add(row)
    assert (await bot.dispatcher.invite_now(respondent_id=jane)).sent
    question = await said(sandbox, JANE, "How likely")
    invitation = question["reply_markup"]["inline_keyboard"][0][0]["callback_data"].split(":")[1]
    sandbox.press_button(JANE, message_id=question["message_id"], data=f"nps:{invitation}:2")
    await said(sandbox, GROUP, "Detractor alert: score 2/10")
    sandbox.send_text(JANE, "checkout ate my card")
    await said(sandbox, JANE, phrase("survey.thanks"))
    await said(sandbox, GROUP, "checkout ate my card")


async def test_mydata_sends_everything_stored_as_a_json_document(
    bot: NpsBot, sandbox: TelegramSandbox
) -> None:
    await answered_with_comment(bot, sandbox)
    sandbox.send_text(JANE, "/mydata")
    (document,) = await eventually(lambda: sandbox.documents)
    assert document.chat_id == JANE and document.file_name == "npsbot-my-data.json"
    assert document.caption == "Everything we store about you."
    stored: dict[str, Any] = json.loads(document.data)
    (workspace,) = stored["workspaces"]
    assert workspace["person"]["email"] == "jane@example.com"
    assert workspace["person"]["attributes"] == {"plan": "plan-secret"}
    (response,) = workspace["responses"]
    assert (response["score"], response["comment"]) == (2, "checkout ate my card")


@pytest.mark.database
async def test_forget_erases_the_person_everywhere_and_the_digest_still_adds_up(
    bot: NpsBot, sandbox: TelegramSandbox, db: Database
) -> None:
    await answered_with_comment(bot, sandbox)
    before = counts(bot)
    assert before[2] == 1 and all(secret in every_row(db) for secret in SECRETS)

    sandbox.send_text(JANE, "/forget")
    confirm = await said(sandbox, JANE, "Delete everything we store about you?")
    assert every_row(db).count("checkout ate my card") == 1  # nothing happens before the press
    sandbox.press_button(JANE, message_id=confirm["message_id"], data="forget:yes")
    await said(sandbox, JANE, "Your data was deleted.")
    await bot.jobs.idle()  # the update's own job row (which names Jane) leaves when it ends

    rows = every_row(db)
    assert [secret for secret in SECRETS if secret in rows] == []
    assert counts(bot) == before
    exported = list(export_rows(db))
    assert [(row["score"], row["comment"], row["display_name"]) for row in exported] == [
        (2, None, None)
    ]
    assert str(JANE) not in json.dumps(exported)

    alert = await eventually(
        lambda: [
            m
            for m in sandbox.sent_messages(GROUP)
            if "Detractor alert" in m["text"] and "checkout" not in m["text"]
        ]
    )
    assert "Jane" not in alert[-1]["text"]

    csv = parse(f"platform,user_id,name\ntelegram,{JANE},Jane\n".encode(), name="again.csv")
    report = apply_import(db=db, parsed=csv, now=bot.clock.now())
    assert (report.added, report.forgotten) == (0, 1)
    assert str(JANE) not in every_row(db)
    report = apply_import(db=db, parsed=csv, now=bot.clock.now(), include_forgotten=True)
    assert (report.added, report.forgotten) == (1, 0)


async def test_anonymous_mode_keeps_names_and_ids_off_alerts(
    bot: NpsBot, sandbox: TelegramSandbox
) -> None:
    sandbox.send_text(ADMIN, "/nps anonymous on", chat_id=GROUP)
    await eventually(lambda: len(sandbox.sent_messages(GROUP)) == 1)
    await answered_with_comment(bot, sandbox)
    alerts = [m["text"] for m in sandbox.sent_messages(GROUP) if "Detractor alert" in m["text"]]
    assert alerts and not any("Jane" in text or str(JANE) in text for text in alerts)
