"""A Slack user's `locale` picks their language; the audience CSV's `language` beats it."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlmodel import select
from typer.testing import CliRunner

from bot.cli import app
from bot.db import Database
from bot.models import Respondent
from channels.sandbox.slack import PostedMessage
from tests.channels.slack.conftest import StartBot
from tests.channels.slack.harness import TEAM, SlackHarness, eventually
from tests.phrases import phrase


def _labels(message: PostedMessage) -> list[str]:
    return [
        element["text"]["text"]
        for block in message.blocks or []
        if block["type"] == "actions" and not block["block_id"].startswith("nps_scores_")
        for element in block["elements"]
    ]


def _context(message: PostedMessage) -> str:
    block = next(block for block in message.blocks or [] if block["type"] == "context")
    return str(block["elements"][0]["text"])


async def _invite(slack: SlackHarness, user_id: str) -> PostedMessage:
    with slack.bot.db.session() as session:
        person = session.exec(
            select(Respondent).where(Respondent.platform_user_id == user_id)
        ).one()
    assert (await slack.bot.dispatcher.invite_now(respondent_id=person.id or 0, force=True)).sent
    return slack.sandbox.messages_in(f"D{user_id}")[-1]


async def test_spanish_locale_gets_the_survey_in_spanish(start_bot: StartBot) -> None:
    slack = await start_bot()
    slack.sandbox.add_user("UES", name="lucia", locale="es-ES")
    slack.sandbox.add_channel("C0ES", ["UES", "U0BOT"])
    assert "Added 1" in await slack.command("audience add <#C0ES|clientes>", user_id="UADMIN")

    question = await _invite(slack, "UES")

    assert question.text == "¿Qué probabilidad hay de que recomiende Acme a un amigo o colega?"
    assert _context(question) == "0 = nada probable / 10 = extremadamente probable"
    assert _labels(question) == ["No volver a preguntar", "Recordármelo más tarde"]

    assert await slack.click(question, "nps_score_3", user_id="UES") == 200
    followup = (await eventually(lambda: slack.sandbox.messages_in("DUES")[1:]))[0]
    assert followup.text == phrase("followup.detractor", "es")
    assert _labels(followup) == ["Omitir"]
    assert phrase("survey.answered", "es", score=3) in str(question.blocks)

    assert await slack.say("El soporte tarda demasiado", user_id="UES") == 200
    await eventually(
        lambda: "¡Gracias por su opinión! Llega directamente al equipo." in slack.dm_texts("UES")
    )


async def test_csv_language_beats_the_slack_locale(
    start_bot: StartBot, db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    slack = await start_bot()
    slack.sandbox.add_user("UNL", name="daan", locale="es-ES")
    slack.sandbox.add_user("UZH", name="wei", locale="es-ES")
    slack.sandbox.add_channel("C0MIX", ["UNL", "UZH", "U0BOT"])
    people = tmp_path / "people.csv"
    people.write_text("platform,user_id,language\nslack,UNL,nl-BE\nslack,UZH,zh-TW\n")
    monkeypatch.setenv("NPSBOT_DATABASE_URL", db.url)
    result = CliRunner().invoke(app, ["audience", "import", str(people), "--workspace", TEAM])
    assert result.exit_code == 0, result.output
    assert "2 added" in result.output and "zh-TW (1)" in result.output
    await slack.command("audience add <#C0MIX|mix>", user_id="UADMIN")  # Slack says es-ES

    dutch = await _invite(slack, "UNL")
    fallback = await _invite(slack, "UZH")  # no Chinese catalogue: the platform's language

    assert (
        dutch.text
        == "Hoe waarschijnlijk is het dat u Acme zou aanbevelen aan een vriend of collega?"
    )
    assert fallback.text == phrase("survey.question", "es", company="Acme")
    with db.session() as session:
        stored = {
            r.platform_user_id: (r.language, r.locale, r.attributes)
            for r in session.exec(select(Respondent)).all()
        }
    assert stored["UNL"] == ("nl", "es-ES", {})
    assert stored["UZH"] == (None, "es-ES", {})
