"""The shipped catalogues' phrases, for asserting what a person was told in their language."""

from __future__ import annotations

import re

from bot.i18n import Catalogue
from bot.i18n.catalogue import DOMAIN, LOCALES
from bot.i18n.checks import read_catalogue

CATALOGUE = Catalogue(default_language="en", team_language="en")


def phrase(key: str, language: str = "en", **values: object) -> str:
    return CATALOGUE.words(language).t(key, **values)


EN = CATALOGUE.words("en")


TEAM_PREFIXES = ("admin.", "cadence.", "chart.", "loop.", "parse.", "status.")
"""The keys of `/nps` replies and of the chart: what a team reads besides the digest."""

KEYS = sorted(str(m.id) for m in read_catalogue(LOCALES / f"{DOMAIN}.pot") if m.id)


def _fragments(text: str) -> list[str]:
    """The literal runs of a phrase between its `{placeholders}`, trimmed of punctuation,
    that say something: two words or more, or one long word (a lone `quiet` or `Usage` is
    also the command syntax, which stays English)."""
    runs = (run.strip(" \n;:,.()*'") for run in re.split(r"\{[^}]*\}", text))
    return [
        run
        for run in runs
        if re.search(r"[A-Za-z]{2,}\W+[A-Za-z]{2,}", run) or re.fullmatch(r"[A-Za-z]{6,}", run)
    ]


def english_left(
    text: str, language: str, *, prefixes: tuple[str, ...] = TEAM_PREFIXES
) -> list[str]:
    """The English catalogue's wording, under `prefixes`, still found in `text` said in
    `language` (a run the translation itself keeps, like `NPS` or `/nps status`, is fine)."""
    found = []
    for key in (key for key in KEYS if key.startswith(prefixes)):
        translated = re.sub(r"\{[^}]*\}", "\0", CATALOGUE.text(language, key))
        for run in _fragments(CATALOGUE.text("en", key)):
            if run not in translated and run in text:
                found.append(f"{key}: {run!r}")
    return found
