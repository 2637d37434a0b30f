"""The digest's sections, in the one order every renderer walks.

`sections` decides which parts a digest shows and in what order; Slack, Telegram and the
terminal only choose the markup of each kind, so none of them can drop, add or reorder one.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from scoring.digest import wording as say
from scoring.digest.followup_wording import followup_line
from scoring.digest.model import Digest
from scoring.phrases import Phrases
from scoring.themes import Theme

Kind = Literal[
    "title",
    "headline",
    "notice",
    "change",
    "figures",
    "followup",
    "sentiment",
    "themes",
    "segments",
    "footnote",
]
Side = Literal["detractor", "promoter"]
MAX_THEMES = 3
"""Themes shown per side: the strongest few, so the digest stays readable in chat."""


@dataclass(frozen=True, slots=True)
class ThemeGroup:
    """The strongest themes of one side, with the heading the chat digests give them."""

    side: Side
    heading: str
    themes: tuple[Theme, ...]


@dataclass(frozen=True, slots=True)
class Section:
    """One part of the digest: its sentences, or its theme groups, or its segment rows."""

    kind: Kind
    lines: tuple[str, ...] = ()
    heading: str = ""
    themes: tuple[ThemeGroup, ...] = ()
    segments: tuple[tuple[str, str, str, str, str], ...] = ()


def sections(digest: Digest, words: Phrases) -> tuple[Section, ...]:
    """Title, headline, notice, then (when anyone answered) change, figures, sentiment,
    how detractors were followed up (when any were alerted or cases are open), themes and
    segments, and the footnote; parts with nothing to say are left out."""
    parts = [
        Section("title", (say.title_line(words, digest),)),
        Section("headline", (say.headline(words, digest),)),
    ]
    notice = say.notice(words, digest)
    if notice:
        parts.append(Section("notice", (notice,)))
    if digest.estimate.n:
        if digest.estimate.display is not None:
            parts.append(Section("change", (say.change_line(words, digest),)))
        figures = (
            say.mix_line(words, digest),
            say.rates_line(words, digest),
            say.platforms_line(words, digest),
            say.told_line(words, digest),
        )
        parts += [
            Section("figures", tuple(line for line in figures if line)),
            Section("sentiment", (say.sentiment_line(words, digest),)),
        ]
    if digest.followup.alerted or digest.followup.open_cases:
        parts.append(Section("followup", (followup_line(words, digest),)))
    if digest.estimate.n:
        sides: tuple[tuple[Side, tuple[Theme, ...]], ...] = (
            ("detractor", digest.themes.detractor_themes),
            ("promoter", digest.themes.promoter_themes),
        )
        groups = tuple(
            ThemeGroup(side, say.theme_heading(words, side), found[:MAX_THEMES])
            for side, found in sides
            if found
        )
        if groups:
            heading = say.themes_window(words, digest)
            parts.append(Section("themes", heading=heading, themes=groups))
        if digest.segments:
            rows = tuple(say.segment_cells(words, segment) for segment in digest.segments)
            heading = say.segments_heading(words, digest)
            parts.append(Section("segments", heading=heading, segments=rows))
    parts.append(Section("footnote", (words.t("digest.footnote"),)))
    return tuple(parts)
