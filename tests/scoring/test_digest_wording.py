"""The digest says each thing once, names the company everywhere and the span it rests on.

Every case is rendered on every surface (Slack blocks and fallback, Telegram caption and
body, the terminal, the plain sections) and scanned for repeated sentences and phrases.
"""

from __future__ import annotations

import dataclasses
import json
import re

import pytest
from rich.console import Console

from bot.digest.terminal import render
from channels.slack.digest_blocks import render_digest_blocks
from channels.telegram.digest_html import render_digest_html
from scoring.digest import Digest, DigestInput, compose, sections
from scoring.digest.scope import PlatformFigures
from scoring.nps import Counts
from scoring.sentiment import SentimentSummary
from scoring.trend import WeekPoint
from tests.digest_sample import sample_input
from tests.phrases import EN

PROSE = ("headline", "notice", "change", "figures", "sentiment", "footnote")
PHRASE_WORDS = 4


def _week(data: DigestInput, counts: Counts, **changes: object) -> DigestInput:
    """The sample with this week's answers replaced: each one an invitation's, no comment."""
    weekly = [*data.weekly[:-1], WeekPoint(data.weekly[-1].week_start, counts)]
    return dataclasses.replace(
        data, weekly=weekly, answered_of_delivered=counts.n, commented=0, platforms=(), **changes
    )


def cases() -> dict[str, DigestInput]:
    data = sample_input()
    quiet = [WeekPoint(p.week_start, Counts(0, 0, 0)) for p in data.weekly]
    nothing = SentimentSummary(n=0, mean=None, negative=0, neutral=0, positive=0)
    detail = dataclasses.replace(data.detail, sentiment=nothing, comments=(), segments=())
    return {
        "full": data,
        "window": dataclasses.replace(data, detail=dataclasses.replace(data.detail, weeks=4)),
        "few answers": _week(data, Counts(2, 1, 1), detail=detail),
        "no answers, delivered": _week(data, Counts(0, 0, 0), detail=detail),
        "no answers, nothing sent": _week(
            data, Counts(0, 0, 0), delivered=[80] * 11 + [0], detail=detail
        ),
        "stalled": dataclasses.replace(
            _week(data, Counts(0, 0, 0), detail=detail), weekly=quiet, delivered=[0] * 12
        ),
        "last week too small": dataclasses.replace(data, previous=Counts(3, 1, 1)),
        "one platform": dataclasses.replace(data, platforms=data.platforms[:1]),
        "not analysed": dataclasses.replace(
            data,
            detail=dataclasses.replace(
                data.detail, sentiment=dataclasses.replace(nothing, not_analysed=4)
            ),
        ),
    }


CASES = cases()


def surfaces(digest: Digest) -> dict[str, str]:
    fallback, blocks = render_digest_blocks(digest, EN)
    caption, body = render_digest_html(digest, EN)
    console = Console(record=True, width=400, color_system=None)
    console.print(render(digest, EN))
    plain = "\n".join(line for part in sections(digest, EN) for line in part.lines)
    return {
        "slack": fallback + "\n" + json.dumps(blocks, ensure_ascii=False),
        "telegram": caption + "\n" + body,
        "terminal": console.export_text(),
        "plain": plain,
    }


def _sentences(digest: Digest) -> list[str]:
    lines = [line for part in sections(digest, EN) if part.kind in PROSE for line in part.lines]
    return [s.strip() for line in lines for s in re.split(r"[.:;·]\s", line) if s.strip()]


def _phrases(sentence: str) -> set[tuple[str, ...]]:
    words = re.findall(r"[\w%+-]+", sentence.lower())
    return {tuple(words[i : i + PHRASE_WORDS]) for i in range(len(words) - PHRASE_WORDS + 1)}


@pytest.mark.parametrize("name", CASES)
def test_no_sentence_or_phrase_is_said_twice(name: str) -> None:
    sentences = _sentences(compose(CASES[name]))
    assert len(sentences) == len(set(sentences)), sentences
    seen: dict[tuple[str, ...], str] = {}
    for sentence in sentences:
        for phrase in _phrases(sentence):
            assert phrase not in seen, f"“{' '.join(phrase)}” in “{seen[phrase]}” and “{sentence}”"
            seen[phrase] = sentence


@pytest.mark.parametrize("name", CASES)
def test_the_number_of_answers_is_said_once(name: str) -> None:
    digest = compose(CASES[name])
    prose = " ".join(_sentences(digest))
    said = re.findall(rf"\b{digest.estimate.n} answers?\b|n = {digest.estimate.n}\b", prose)
    assert len(said) <= 1, prose


@pytest.mark.parametrize("name", CASES)
def test_the_company_heads_every_surface(name: str) -> None:
    digest = compose(dataclasses.replace(CASES[name], company="Zephyr & Söhne"))
    for surface, text in surfaces(digest).items():
        assert "Zephyr" in text.split("\n")[0] or "Zephyr" in text[:300], surface


def test_empty_week_says_why_once() -> None:
    text = surfaces(compose(CASES["no answers, delivered"]))["plain"]
    assert "No NPS this week: nobody answered." in text
    assert "Invitations delivered: 160; answers may still come." in text
    assert "0 answers" not in text and "n = 0" not in text
    few = surfaces(compose(CASES["few answers"]))["plain"]
    assert "No NPS yet: 4 answers this week, a score needs at least 10." in few
    assert "comparison" not in few  # no score this week: nothing to compare


def test_the_rolling_window_is_named_wherever_it_applies() -> None:
    weekly = surfaces(compose(CASES["full"]))
    window = surfaces(compose(CASES["window"]))
    for surface, text in window.items():
        assert "the last 4 weeks" not in weekly[surface]
        if surface != "plain":  # the plain sections hold no headings
            assert "Themes of the last 4 weeks" in text, surface
            assert "Segments of the last 4 weeks" in text, surface
        assert "Comment sentiment of the last 4 weeks +0.12 (+0.07 vs the 4 weeks before)" in text


def test_rates_per_platform_only_when_there_are_several() -> None:
    several = surfaces(compose(CASES["full"]))["plain"]
    assert (
        "By platform: Slack: 62% of 100 invitations answered, 20% of answers commented · "
        "Telegram: 63% of 60 invitations answered, 22% of answers commented"
    ) in several
    assert "By platform" not in surfaces(compose(CASES["one platform"]))["plain"]


def test_comments_not_analysed_are_reported_not_neutral() -> None:
    text = surfaces(compose(CASES["not analysed"]))["plain"]
    assert "4 comments in a language the analyser does not read, not analysed" in text
    assert "neutral" not in text


def test_platform_figures_rates() -> None:
    figures = PlatformFigures(
        "slack", delivered=0, answered_of_delivered=0, answered=0, commented=0
    )
    assert figures.response_rate is None and figures.comment_rate is None
