"""The catalogues ship complete, the standard NPS wording is kept, languages resolve by
precedence, and admins' overrides are checked before a customer could read them."""

from __future__ import annotations

import shutil
from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from typer.testing import CliRunner

from bot import wording
from bot.channel import Alert
from bot.cli import app as cli
from bot.clock import FakeClock
from bot.db import Database
from bot.events import AdminCommand, Origin
from bot.i18n import SUPPORTED, Catalogue, OverrideError, build_catalogue, normalise, pick
from bot.i18n.catalogue import LOCALES
from bot.i18n.checks import keys_in_code, problems, read_catalogue
from bot.settings import Settings, SettingsError, load_settings
from channels.slack.alert_blocks import alert_blocks, alert_text
from channels.telegram.formatting import alert_html
from tests.recording import recording_bot

ROOT = Path(__file__).resolve().parents[2]
STANDARD_QUESTION = {
    "en": "How likely are you to recommend Acme to a friend or colleague?",
    "es": "¿Qué probabilidad hay de que recomiende Acme a un amigo o colega?",
    "de": "Wie wahrscheinlich ist es, dass Sie Acme einem Freund oder Kollegen weiterempfehlen?",
    "fr": "Quelle est la probabilité que vous recommandiez Acme à un ami ou à un collègue\u00a0?",
    "pt": "Qual é a probabilidade de você recomendar Acme a um amigo ou colega?",
    "it": "Con quale probabilità consiglieresti Acme a un amico o a un collega?",
    "nl": "Hoe waarschijnlijk is het dat u Acme zou aanbevelen aan een vriend of collega?",
    "ja": "Acmeを友人や同僚に薦める可能性はどのくらいありますか？",
}


def test_every_catalogue_is_complete_and_compiled() -> None:
    assert problems(LOCALES) == []


def test_the_template_holds_exactly_the_keys_the_code_uses() -> None:
    template = {str(m.id) for m in read_catalogue(LOCALES / "npsbot.pot") if m.id}
    code = ("bot", "channels", "scoring")
    assert set().union(*(keys_in_code(ROOT / part) for part in code)) == template


def test_a_missing_key_a_lost_placeholder_and_a_stale_mo_are_caught(tmp_path: Path) -> None:
    locales = shutil.copytree(LOCALES, tmp_path / "locales")
    german = locales / "de" / "LC_MESSAGES" / "npsbot.po"
    text = german.read_text(encoding="utf-8")
    thanks = "Vielen Dank für Ihr Feedback! Es geht direkt an das Team."
    text = text.replace(f'msgid "survey.thanks"\nmsgstr "{thanks}"\n', "")
    text = text.replace("{company} einem Freund", "{firma} einem Freund")
    german.write_text(text, encoding="utf-8")

    found = problems(locales)

    assert "de: 'survey.thanks' is not translated" in found
    assert "de: 'survey.question' has placeholders other than the English" in found
    assert "de: npsbot.mo is out of date; run `make i18n`" in found
    assert all(line.startswith("de: ") for line in found)


@pytest.mark.parametrize("language", SUPPORTED)
def test_the_question_is_the_standard_nps_wording(language: str) -> None:
    words = Catalogue(default_language="en", team_language="en").words(language)
    question = wording.question(words, invitation_id=1, company="Acme")
    assert question.text == STANDARD_QUESTION[language]
    assert question.low_label.startswith("0 = ") and question.high_label.startswith("10 = ")


@pytest.mark.parametrize("language", SUPPORTED)
def test_labels_fit_the_platforms(language: str) -> None:
    """Slack refuses a button text over 75 characters and a modal title over 24; Telegram a
    placeholder over 64 and a command description over 256."""
    words = Catalogue(default_language="en", team_language="en").words(language)
    question = wording.question(words, invitation_id=1, company="Acme")
    followup = wording.followup(words, invitation_id=1, score=3)
    labels = [question.opt_out_label, question.remind_label, followup.skip_label]
    assert all(0 < len(label) <= 75 for label in labels)
    assert 0 < len(followup.placeholder) <= 64
    assert 0 < len(words.t("team.reply_placeholder")) <= 64
    modal = ("team.modal_title", "team.modal_send", "team.modal_cancel")
    assert all(0 < len(words.t(key)) <= 24 for key in modal)  # Slack's limit on view texts
    assert all(0 < len(text) <= 256 for _, text in wording.command_menu(words))


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("es-ES", "es"),
        ("pt-BR", "pt"),
        ("pt_br", "pt"),
        ("DE", "de"),
        ("ja-JP", "ja"),
        ("zh", None),
        ("zh-Hans", None),
        ("", None),
        (None, None),
        ("  fr  ", "fr"),
    ],
)
def test_platform_codes_normalise(code: str | None, expected: str | None) -> None:
    assert normalise(code) == expected


def test_explicit_beats_platform_beats_default() -> None:
    assert pick(explicit="fr", platform="de-DE", default="en") == "fr"
    assert pick(explicit=None, platform="de-DE", default="en") == "de"
    assert pick(explicit=None, platform="zh-CN", default="nl") == "nl"
    assert pick(explicit="tlh", platform="pt-BR", default="en") == "pt"


def test_language_settings_are_validated() -> None:
    assert load_settings(NPSBOT_DEFAULT_LANGUAGE="DE").default_language == "de"
    with pytest.raises(SettingsError) as raised:
        load_settings(NPSBOT_DEFAULT_LANGUAGE="zh")
    message = str(raised.value)
    assert message.startswith("NPSBOT_DEFAULT_LANGUAGE: 'zh' is not a supported language")
    assert "ja (日本語)" in message and "\n" not in message
    with pytest.raises(SettingsError, match="NPSBOT_TEAM_LANGUAGE"):
        load_settings(NPSBOT_TEAM_LANGUAGE="klingon")


def test_followup_settings_override_the_default_language_only() -> None:
    settings = load_settings(
        NPSBOT_DEFAULT_LANGUAGE="de", NPSBOT_FOLLOWUP_PASSIVE="Was fehlt Ihnen zur 10?"
    )
    catalogue = build_catalogue(settings)
    german = wording.followup(catalogue.words("de"), invitation_id=1, score=8)
    english = wording.followup(catalogue.words("en"), invitation_id=1, score=8)
    assert german.text == "Was fehlt Ihnen zur 10?"
    assert english.text == "Thanks. What would make it a 10 for you?"
    assert catalogue.words(None).language == "de"


def test_blank_followup_setting_means_the_catalogue() -> None:
    catalogue = build_catalogue(load_settings(NPSBOT_FOLLOWUP_DETRACTOR="  "))
    assert catalogue.words("en").t("followup.detractor").startswith("Thanks. What is the one")


def test_an_admins_followup_wins_over_the_shipped_remembering_one() -> None:
    """NPSBOT_FOLLOWUP_DETRACTOR set, its RECALL variant not: a returning detractor reads the
    admin's question as written; the other categories and languages still remember."""
    catalogue = build_catalogue(load_settings(NPSBOT_FOLLOWUP_DETRACTOR="What should we fix?"))
    english, german = catalogue.words("en"), catalogue.words("de")
    asked = wording.followup(english, invitation_id=1, score=3, recall="slow checkout")
    assert asked.text == "What should we fix?"
    passive = wording.followup(english, invitation_id=1, score=8, recall="slow checkout")
    assert passive.text.startswith("Thanks. Last time you mentioned slow checkout.")
    deutsch = wording.followup(german, invitation_id=1, score=3, recall="slow checkout")
    assert "Letztes Mal haben Sie slow checkout erwähnt" in deutsch.text


def test_the_recall_settings_reword_the_remembering_followup() -> None:
    catalogue = build_catalogue(
        load_settings(
            NPSBOT_FOLLOWUP_DETRACTOR="What should we fix?",
            NPSBOT_FOLLOWUP_RECALL_DETRACTOR="You told us about {theme}. Fixed for you?",
            NPSBOT_FOLLOWUP_RECALL_PROMOTER=" ",
        )
    )
    english = catalogue.words("en")
    remembered = wording.followup(english, invitation_id=1, score=2, recall="slow checkout")
    assert remembered.text == "You told us about slow checkout. Fixed for you?"
    assert wording.followup(english, invitation_id=1, score=2).text == "What should we fix?"
    promoter = wording.followup(english, invitation_id=1, score=10, recall="support")
    assert promoter.text.startswith("Thank you! Last time you mentioned support.")


def test_a_recall_setting_may_only_use_theme() -> None:
    with pytest.raises(OverrideError) as raised:
        build_catalogue(load_settings(NPSBOT_FOLLOWUP_RECALL_PASSIVE="About {topic}: better?"))
    assert str(raised.value) == (
        "NPSBOT_FOLLOWUP_RECALL_PASSIVE: 'followup.recall_passive' uses {topic}; it may use {theme}"
    )


def test_a_followup_reworded_in_the_strings_dir_wins_in_that_language(tmp_path: Path) -> None:
    strings = tmp_path / "strings"
    _override(strings, "de", 'msgid "followup.passive"\nmsgstr "Was fehlt zur 10?"\n')
    catalogue = build_catalogue(load_settings(NPSBOT_STRINGS_DIR=str(strings)))
    german = wording.followup(catalogue.words("de"), invitation_id=1, score=7, recall="support")
    english = wording.followup(catalogue.words("en"), invitation_id=1, score=7, recall="support")
    assert german.text == "Was fehlt zur 10?"
    assert english.text.startswith("Thanks. Last time you mentioned support.")


def _override(directory: Path, language: str, body: str) -> None:
    directory.mkdir(exist_ok=True)
    (directory / f"{language}.po").write_text(body, encoding="utf-8")


def test_strings_dir_overrides_one_phrase_in_one_language(tmp_path: Path) -> None:
    strings = tmp_path / "strings"
    _override(strings, "de", 'msgid "survey.thanks"\nmsgstr "Danke, das Team liest mit!"\n')
    settings = load_settings(NPSBOT_STRINGS_DIR=str(strings))
    catalogue = build_catalogue(settings)
    assert catalogue.words("de").t("survey.thanks") == "Danke, das Team liest mit!"
    assert catalogue.words("de").t("survey.closed").startswith("Danke für Ihren Klick")
    assert catalogue.words("en").t("survey.thanks").startswith("Thank you for your feedback")


@pytest.mark.parametrize(
    ("name", "body", "error"),
    [
        (
            "de.po",
            'msgid "survey.thankz"\nmsgstr "Danke"\n',
            "de.po line 1: unknown key 'survey.thankz'",
        ),
        (
            "fr.po",
            '\nmsgid "survey.question"\nmsgstr "Recommanderiez-vous {firm} ?"\n',
            "fr.po line 2: 'survey.question' uses {firm}; it may use {company}",
        ),
        (
            "es.po",
            'msgid "survey.thanks"\nmsgstr "Gracias {"\n',
            "'survey.thanks' has an unpaired {",
        ),
        ("zh.po", 'msgid "survey.thanks"\nmsgstr "谢谢"\n', "zh.po should be <language>.po"),
        ("de.txt", "whatever", "de.txt should be <language>.po"),
    ],
)
def test_bad_overrides_stop_start_up_with_one_line(
    tmp_path: Path, name: str, body: str, error: str
) -> None:
    strings = tmp_path / "strings"
    strings.mkdir()
    (strings / name).write_text(body, encoding="utf-8")
    with pytest.raises(OverrideError) as raised:
        build_catalogue(load_settings(NPSBOT_STRINGS_DIR=str(strings)))
    assert error in str(raised.value) and "\n" not in str(raised.value)


def test_a_missing_strings_dir_is_refused(tmp_path: Path) -> None:
    with pytest.raises(OverrideError, match="is not a directory"):
        build_catalogue(load_settings(NPSBOT_STRINGS_DIR=str(tmp_path / "nope")))


async def test_team_replies_follow_the_team_language_and_people_their_own(
    db: Database, clock: FakeClock
) -> None:
    settings = Settings(
        NPSBOT_DATABASE_URL=db.url,
        NPSBOT_COMPANY_NAME="Acme",
        NPSBOT_ADMINS="UADMIN",
        NPSBOT_TEAM_LANGUAGE="de",
        NPSBOT_DEFAULT_LANGUAGE="nl",
    )
    bot, channel = recording_bot(settings, db=db, clock=clock)
    origin = Origin(platform="slack", workspace="T1", user_id="UADMIN")

    assert await bot.handle(AdminCommand(origin, "C1", "pause")) == (
        "Umfragen pausiert: Es werden keine Einladungen verschickt."
    )
    refused = await bot.handle(AdminCommand(replace(origin, user_id="UX"), "C1", "resume"))
    assert refused is not None and refused.startswith("Leider können nur npsbot-Admins")

    await bot.handle(AdminCommand(origin, "C1", "resume"))
    reply = await bot.handle(AdminCommand(origin, "C1", "send @U7 --force"))
    assert reply == "Umfrage an <@U7> gesendet."
    [sent] = channel.of("question")
    assert sent["question"].text.startswith("Hoe waarschijnlijk is het dat u Acme")  # default


def test_alerts_are_worded_in_the_team_language() -> None:
    team = build_catalogue(load_settings(NPSBOT_TEAM_LANGUAGE="de")).team
    labels = wording.alert_labels(team, score=3, respondent=None, owner="Mia")
    alert = Alert(response_id=9, score=3, respondent=None, owner="Mia", labels=labels)

    blocks = alert_blocks(alert, team)
    assert blocks[0]["text"]["text"] == "Detraktor-Alert"
    assert alert_text(alert) == "Detraktor-Alert: Anonyme Person hat 3/10 vergeben"
    assert ":raising_hand: Mia kümmert sich darum" in str(blocks)
    assert [b["text"]["text"] for b in blocks[-1]["elements"]] == ["Antworten", "Gelöst"]
    assert alert_html(alert).splitlines() == [
        "<b>Detraktor-Alert: Bewertung 3/10</b>",
        "Befragte Person: Anonyme Person",
        "Noch kein Kommentar.",
        "Kümmert sich: <b>Mia</b>",
    ]


def test_cli_exports_a_language_that_checks_as_an_override_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    strings = tmp_path / "strings"
    _override(strings, "fr", 'msgid "survey.thanks"\nmsgstr "Merci mille fois !"\n')
    monkeypatch.setenv("NPSBOT_STRINGS_DIR", str(strings))
    runner = CliRunner()

    exported = runner.invoke(cli, ["wording", "export", "fr-CA"])
    assert exported.exit_code == 0, exported.output
    assert 'msgid "survey.thanks"\nmsgstr "Merci mille fois !"' in exported.output
    assert "#. en: How likely are you to recommend {company}" in exported.output

    (strings / "fr.po").write_text(exported.output, encoding="utf-8")
    checked = runner.invoke(cli, ["wording", "check"])
    assert checked.exit_code == 0, checked.output
    keys = set().union(*(keys_in_code(ROOT / part) for part in ("bot", "channels", "scoring")))
    assert f"fr {len(keys)}" in checked.output

    refused = runner.invoke(cli, ["wording", "export", "tlh"])
    assert refused.exit_code == 2 and "'tlh' is not a supported language" in refused.output


@given(st.text(max_size=200))
def test_any_code_normalises_to_a_supported_language_or_none(code: str) -> None:
    assert normalise(code) in {*SUPPORTED, None}
    assert pick(explicit=code, platform=code, default="ja") in SUPPORTED


@given(st.text(max_size=300))
def test_values_are_never_parsed_as_placeholders(company: str) -> None:
    """A company called "{score}" or "{0}" is text, never a format field."""
    words = Catalogue(default_language="en", team_language="en").words("ja")
    text = wording.question(words, invitation_id=1, company=company).text
    assert text == STANDARD_QUESTION["ja"].replace("Acme", company, 1)
