"""Each person in their own language: Telegram's `language_code`, then `/language xx`."""

from __future__ import annotations

from sqlmodel import select

from bot.app import NpsBot
from bot.db import Database
from bot.i18n import SUPPORTED, supported_list
from bot.models import Invitation, Response
from channels.sandbox.telegram import TelegramSandbox
from tests.channels.telegram.conftest import respondent, said, texts
from tests.phrases import phrase

HANS = 600100200
CLAIRE = 600100300


async def test_german_telegram_user_gets_a_german_survey(
    bot: NpsBot, sandbox: TelegramSandbox, db: Database
) -> None:
    sandbox.add_user(HANS, first_name="Hans", language_code="de")
    sandbox.send_text(HANS, "/start")
    consent = await said(sandbox, HANS, "Hallo Hans!")
    assert "Feedback-Umfragen von Acme" in consent["text"]
    hans = respondent(db, HANS)
    assert (hans.locale, hans.language) == ("de", None)

    assert (await bot.dispatcher.invite_now(respondent_id=hans.id or 0)).sent
    question = await said(sandbox, HANS, "Wie wahrscheinlich ist es")
    assert question["text"] == (
        "Wie wahrscheinlich ist es, dass Sie Acme einem Freund oder Kollegen weiterempfehlen?"
        "\n\n0 = überhaupt nicht wahrscheinlich, 10 = äußerst wahrscheinlich"
    )
    rows = question["reply_markup"]["inline_keyboard"]
    assert [button["text"] for button in rows[2]] == ["Nicht mehr fragen", "Später erinnern"]

    with db.session() as session:
        invitation_id = session.exec(select(Invitation.id)).one()
    sandbox.press_button(HANS, message_id=question["message_id"], data=f"nps:{invitation_id}:9")
    followup = await said(sandbox, HANS, phrase("followup.promoter", "de"))
    assert followup["text"].endswith(phrase("followup.reply_hint", "de"))
    ask = sandbox.calls_to("sendMessage")[-1].params
    assert ask["reply_markup"]["input_field_placeholder"] == "Ihr Kommentar (optional)"
    [shown] = [m for m in sandbox.sent_messages(HANS) if m["message_id"] == question["message_id"]]
    assert shown["text"].endswith("Ihre Antwort: 9 von 10. Vielen Dank!")

    sandbox.send_text(HANS, "Schneller Support", reply_to_message_id=followup["message_id"])
    await said(sandbox, HANS, "Vielen Dank für Ihr Feedback! Es geht direkt an das Team.")
    with db.session() as session:
        [response] = session.exec(select(Response)).all()
    assert (response.score, response.comment) == (9, "Schneller Support")

    sandbox.send_text(HANS, "/help")
    await said(sandbox, HANS, "Ab und zu frage ich, wie wahrscheinlich es ist, dass Sie Acme")


async def test_the_command_menu_is_set_in_every_language(
    bot: NpsBot, sandbox: TelegramSandbox
) -> None:
    menus = {
        call.params.get("language_code"): {
            c["command"]: c["description"] for c in call.params["commands"]
        }
        for call in sandbox.calls_to("setMyCommands")
    }
    assert set(menus) == {None, *SUPPORTED} - {"en"}  # English is the default menu
    assert menus["de"]["language"] == "Sprache wählen, z. B. /language de"
    assert menus[None]["stop"] == "Stop receiving surveys"
    assert menus["ja"]["start"] == "短いフィードバックアンケートに登録"


async def test_language_command_switches_and_explains(
    bot: NpsBot, sandbox: TelegramSandbox, db: Database
) -> None:
    sandbox.add_user(CLAIRE, first_name="Claire", language_code="pt-BR")
    sandbox.send_text(CLAIRE, "/start")
    await said(sandbox, CLAIRE, "Olá, Claire!")  # pt-BR has no catalogue of its own: pt

    sandbox.send_text(CLAIRE, "/language fr")
    await said(sandbox, CLAIRE, "Désormais, je vous écrirai en français.")
    claire = respondent(db, CLAIRE)
    assert (claire.language, claire.locale) == ("fr", "pt-BR")

    assert (await bot.dispatcher.invite_now(respondent_id=claire.id or 0)).sent
    question = await said(sandbox, CLAIRE, "Quelle est la probabilité que vous recommandiez Acme")
    rows = question["reply_markup"]["inline_keyboard"]
    assert [button["text"] for button in rows[2]] == [
        "Ne plus me demander",
        "Me le rappeler plus tard",
    ]

    sandbox.send_text(CLAIRE, "/language xx")
    hint = await said(sandbox, CLAIRE, "« xx » n'est pas une langue que je parle")
    assert supported_list() in hint["text"] and "\n" not in hint["text"]
    assert respondent(db, CLAIRE).language == "fr"  # an unknown code changes nothing

    sandbox.send_text(CLAIRE, "/language")
    await said(sandbox, CLAIRE, "Votre langue\u00a0: français.")

    sandbox.send_text(CLAIRE, "/language auto")
    await said(sandbox, CLAIRE, "A partir de agora vou escrever para você em português.")
    assert respondent(db, CLAIRE).language is None

    sandbox.send_text(CLAIRE, "/timezone")
    await said(sandbox, CLAIRE, phrase("timezone.usage", "pt"))


async def test_language_before_start_asks_to_subscribe(
    bot: NpsBot, sandbox: TelegramSandbox, db: Database
) -> None:
    sandbox.add_user(HANS, first_name="Hans", language_code="de-AT", started=True)
    sandbox.send_text(HANS, "/language it")
    await said(sandbox, HANS, phrase("language.not_subscribed", "de"))
    assert texts(sandbox, HANS, "Ab jetzt") == []
