"""NPSBOT_TEAM_LANGUAGE=de: the digest on every surface, its chart, `/nps help` and
`/nps status` in German (the chart in Japanese too)."""

from __future__ import annotations

import json
import warnings
from datetime import date, timedelta

import pytest
from matplotlib.figure import Figure
from rich.console import Console

from bot.clock import FakeClock
from bot.db import Database
from bot.digest.terminal import render
from bot.events import AdminCommand, Origin
from bot.i18n import SUPPORTED, build_catalogue
from bot.settings import Settings, load_settings
from channels.slack.digest_blocks import render_digest_blocks
from channels.telegram.digest_html import render_digest_html
from scoring.chart import render_trend_chart, trend_figure
from scoring.digest import sections
from scoring.nps import Counts
from scoring.trend import WeekPoint, trend
from tests.digest_sample import sample_digest
from tests.phrases import english_left
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


def _chart_texts(figure: Figure) -> str:
    """Every word the chart shows: titles, axis labels, ticks, legends, notes on it."""
    found = [figure.get_suptitle()]
    for ax in figure.axes:
        found += [ax.get_title(loc="left"), ax.get_ylabel(), *(t.get_text() for t in ax.texts)]
        found += [t.get_text() for t in ax.get_xticklabels() + ax.get_yticklabels()]
        if (legend := ax.get_legend()) is not None:
            found += [t.get_text() for t in legend.get_texts()]
    return "\n".join(found)


CHART_ENGLISH = (
    "Weekly NPS",
    "since the first answer",
    "no answers yet",
    "Significant",
    "Hollow",
    "% interval",
    "Promoters",
    "Passives",
    "Detractors",
    "Mix",
    "Not enough answers",
    " to W",
)


@pytest.mark.parametrize(
    ("language", "said"),
    [
        ("de", ("KW 47\n2025", "Wöchentlicher NPS, KW 47 2025 bis KW 02 2026", "Promotoren")),
        ("ja", ("第47週\n2025年", "週次NPS、第47週 2025年〜第02週 2026年", "推奨者")),
    ],
)
def test_the_chart_speaks_the_team_language(language: str, said: tuple[str, ...]) -> None:
    words = build_catalogue(load_settings(NPSBOT_TEAM_LANGUAGE=language)).team
    end = date(2026, 1, 5)
    mixes = [(8, 5, 6), (20, 10, 15), (3, 1, 1), (40, 20, 30), (45, 25, 20), (70, 20, 30)]
    counts = [Counts(*mix) for mix in (*mixes, (30, 20, 50), (60, 25, 15))]  # a fall, a rise
    weeks = [WeekPoint(end - timedelta(weeks=7 - i), c) for i, c in enumerate(counts)]
    shown = _chart_texts(trend_figure(trend(weeks, end=end), title="Acme NPS", words=words))
    empty = _chart_texts(trend_figure(trend([], end=end), title="Acme NPS", words=words))
    one = _chart_texts(trend_figure(trend(weeks[-1:], end=end), title="Acme NPS", words=words))
    for text in (shown, empty, one):
        assert not english_left(text, language, prefixes=("chart.",)), english_left(text, language)
        for english in CHART_ENGLISH:
            assert english not in text, (english, text)
    for expected in said:
        assert expected in shown, (expected, shown)
    assert words.t("chart.rise") in shown and words.t("chart.fall") in shown
    assert words.t("chart.hollow_week") in shown and words.t("chart.no_answers") in empty
    assert words.t("chart.weeks_one", count=1) in one
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        render_trend_chart(trend(weeks, end=end), title="Acme NPS", words=words)
    assert not [w for w in caught if "missing from font" in str(w.message)]  # no blank boxes
