"""The shipped catalogues' phrases, for asserting what a person was told in their language."""

from __future__ import annotations

from bot.i18n import Catalogue

CATALOGUE = Catalogue(default_language="en", team_language="en")


def phrase(key: str, language: str = "en", **values: object) -> str:
    return CATALOGUE.words(language).t(key, **values)


EN = CATALOGUE.words("en")
