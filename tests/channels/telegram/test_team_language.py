"""NPSBOT_TEAM_LANGUAGE=fr through PTB: `/nps` in the team's group answers in French, the
problem a removed bot leaves included, and none of the English catalogue's wording is left."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from sqlmodel import select

from bot.admin_parse import USAGE
from bot.app import NpsBot
from bot.clock import FakeClock
from bot.db import Database
from bot.models import Workspace
from channels.sandbox.telegram import TelegramSandbox
from tests.channels.telegram.conftest import ADMIN, GROUP, MEMBER, eventually, imported, running_bot
from tests.phrases import english_left, phrase

LEADS = -1001555000222
"""A second team group, where the status is read once the bot left the first."""


@pytest.fixture
async def french(db: Database, sandbox: TelegramSandbox, clock: FakeClock) -> AsyncIterator[NpsBot]:
    extra = {"NPSBOT_TEAM_LANGUAGE": "fr"}
    async with running_bot(db=db, sandbox=sandbox, clock=clock, webhook=False, **extra) as npsbot:
        yield npsbot


async def _reply(sandbox: TelegramSandbox, text: str, chat_id: int = GROUP) -> str:
    """Send `/nps ...` as the group's admin; the bot's next message in that chat, its bold
    parts (Telegram entities) written back as `*bold*`."""
    before = len(sandbox.sent_messages(chat_id))
    sandbox.send_text(ADMIN, f"/nps {text}", chat_id=chat_id)
    newest = await eventually(lambda: sandbox.sent_messages(chat_id)[before:])
    return _with_bold(newest[0])


def _with_bold(message: dict[str, Any]) -> str:
    units = str(message["text"]).encode("utf-16-le")  # entity offsets count UTF-16 units
    star = "*".encode("utf-16-le")
    for entity in sorted(message.get("entities", []), key=lambda e: -int(e["offset"])):
        assert entity["type"] == "bold", entity
        start, end = 2 * entity["offset"], 2 * (entity["offset"] + entity["length"])
        units = units[:start] + star + units[start:end] + star + units[end:]
    return units.decode("utf-16-le")


def _problems(db: Database) -> dict[str, str]:
    with db.session() as session:
        workspace = session.exec(select(Workspace)).first()
        return dict(workspace.problems) if workspace else {}


@pytest.mark.database  # the only cover of active_respondents
async def test_a_french_team_reads_every_nps_reply_in_french(
    french: NpsBot, sandbox: TelegramSandbox, db: Database
) -> None:
    for user_id, name in ((MEMBER, "Mia"), (700000001, "Luc"), (700000002, "Jeanne")):
        imported(french, user_id, name=name)
    replies = {
        text: await _reply(sandbox, text)
        for text in (
            "status",
            "cadence",
            "cadence days 30 quiet 22:00-07:00",
            "frobnicate",
            "optout",
            "cadence reminder soon",
            f"optout {MEMBER}",
            "audience list",
            "alerts here",
            "digest here",
        )
    }
    sandbox.remove_bot(GROUP, by=ADMIN)
    await eventually(lambda: len(_problems(db)) == 2)
    sandbox.add_group(LEADS, title="Acme leads", admins=[ADMIN], members=[])
    replies["status, after"] = await _reply(sandbox, "status", chat_id=LEADS)

    assert replies["status"].startswith("*État* : en marche\n*Cadence* : tous les 90 jours ; ")
    assert "lun.,mar.,mer.,jeu.,ven." in replies["status"]
    assert "*Dernier bilan* : jamais" in replies["status"]
    assert replies["cadence"].startswith("Cadence : tous les 90 jours ; ")
    assert replies["cadence days 30 quiet 22:00-07:00"].startswith("Cadence mise à jour : ")
    assert "heures calmes 22:00-07:00" in replies["cadence days 30 quiet 22:00-07:00"]
    assert replies["frobnicate"] == "Commande inconnue 'frobnicate'. Essayez : /nps help"
    assert replies["optout"] == "Utilisation : /nps optout @user"
    assert replies["cadence reminder soon"].startswith("'reminder' attend un nombre entier")
    assert replies["audience list"].startswith("3 répondant(s) : ")
    assert phrase("admin.audience_opted_out", "fr", name="Mia") in replies["audience list"]
    removed = phrase("removed.by", "fr", group="Acme CS", by="Oscar Ops")
    for kind in ("alerts", "digest"):
        hint = phrase("problem.add_back", "fr", reason=removed, command=f"/nps {kind} here")
        problem = phrase(f"problem.{kind}_target", "fr", chat=str(GROUP), hint=hint)
        assert problem in replies["status, after"], kind
    for command, said in replies.items():
        reply = said
        for usage in USAGE.values():
            reply = reply.replace(usage, "")
        assert not english_left(reply, "fr"), (command, reply, english_left(reply, "fr"))
