"""NPSBOT_TEAM_LANGUAGE=de: the digest on every surface, `/nps help` and `/nps status` in German."""

from __future__ import annotations

import json

import pytest
from rich.console import Console

from bot.clock import FakeClock
from bot.db import Database
from bot.digest.terminal import render
from bot.events import AdminCommand, Origin
from bot.i18n import SUPPORTED, build_catalogue
from bot.settings import Settings, load_settings
from channels.slack.digest_blocks import render_digest_blocks
from channels.telegram.digest_html import render_digest_html
from scoring.digest import sections
from tests.digest_sample import sample_digest
from tests.recording import recording_bot

ENGLISH = ("from last week", "Response rate", "What detractors raise", "Segments", "answers")


def _surfaces(language: str) -> dict[str, str]:
    words = build_catalogue(load_settings(NPSBOT_TEAM_LANGUAGE=language)).team
    digest = sample_digest()
    fallback, blocks = render_digest_blocks(digest, words)
    caption, body = render_digest_html(digest, words)
    console = Console(record=True, width=200, color_system=None)
    console.print(render(digest, words))
    return {
        "slack": fallback + json.dumps(blocks, ensure_ascii=False),
        "telegram": caption + body,
        "terminal": console.export_text(),
    }


def test_a_german_team_gets_a_german_digest_everywhere() -> None:
    for surface, text in _surfaces("de").items():
        for german in (
            "Acme NPS, Woche 2026-W48 (ab 2026-11-23)",
            "NPS +30 (95%-KI +14 bis +44) aus 100 Antworten",
            "Keine klare Veränderung gegenüber letzter Woche (nicht signifikant, p = 0.07)",
            "Antwortquote 62% von 160 zugestellten",
            "Nach Plattform: Slack: 62% von 100 Einladungen beantwortet",
            "Stimmung der Kommentare +0.12",
            "9 Kritiker (100%) gegenüber 0 Promotoren (0%)",
            "▲ über dem Rest",
        ):
            assert german in text, (surface, german)
        for english in ENGLISH:
            assert english not in text, (surface, english)
    chats = _surfaces("de")
    for chat in ("slack", "telegram"):
        assert "Was Kritiker ansprechen" in chats[chat] and "Segmente" in chats[chat]
    assert "Was Kritiker und Promotoren unterscheidet" in chats["terminal"]


@pytest.mark.parametrize("language", [code for code in SUPPORTED if code != "en"])
def test_no_english_sentence_is_left_in_any_team_language(language: str) -> None:
    english = build_catalogue(load_settings()).team
    words = build_catalogue(load_settings(NPSBOT_TEAM_LANGUAGE=language)).team
    ours = [line for part in sections(sample_digest(), words) for line in part.lines]
    theirs = [line for part in sections(sample_digest(), english) for line in part.lines]
    assert len(ours) == len(theirs)
    assert not set(ours) & set(theirs), set(ours) & set(theirs)


async def test_help_and_status_follow_the_team_language(db: Database, clock: FakeClock) -> None:
    settings = Settings(
        NPSBOT_DATABASE_URL=db.url,
        NPSBOT_COMPANY_NAME="Acme",
        NPSBOT_ADMINS="UADMIN",
        NPSBOT_TEAM_LANGUAGE="de",
    )
    bot, _ = recording_bot(settings, db=db, clock=clock)
    origin = Origin(platform="slack", workspace="T1", user_id="UADMIN")
    helped = await bot.handle(AdminCommand(origin, "C1", "help")) or ""
    assert helped.startswith("npsbot-Befehle:\n• /nps help: diese Liste")
    assert "• /nps pause: keine Einladungen mehr senden" in helped
    status = await bot.handle(AdminCommand(origin, "C1", "status")) or ""
    assert status.startswith("*Status*: läuft\n*Rhythmus*: ")
    assert "*Diese Woche*: 0 Einladungen gesendet, 0 beantwortet" in status
