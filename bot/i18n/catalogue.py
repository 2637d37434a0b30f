"""Every phrase npsbot says, looked up by key in the gettext catalogues under `bot/locales`.

Message ids are stable keys (`survey.thanks`), not English sentences: the English catalogue
is the source text, so rewording English never orphans a translation, and an admin's
override names the same key in every language. Admins' overrides (`bot.i18n.overrides`) sit
on top of the catalogues; a key a catalogue lacks falls back to English, and `make i18n`
plus `tests/bot/test_i18n.py` keep that from happening in a release.
"""

from __future__ import annotations

import gettext
from collections.abc import Mapping
from copy import copy
from dataclasses import dataclass, field
from pathlib import Path
from string import Formatter

from bot.i18n.languages import SOURCE_LANGUAGE, SUPPORTED, normalise, pick

LOCALES = Path(__file__).resolve().parent.parent / "locales"
DOMAIN = "npsbot"

Overrides = Mapping[str, Mapping[str, str]]
"""language -> key -> text, as loaded and validated by `bot.i18n.overrides`."""


def placeholders(text: str) -> frozenset[str]:
    """The `{names}` a phrase expects; ValueError for a brace that does not pair up."""
    return frozenset(name for _, name, _, _ in Formatter().parse(text) if name)


def load_translations(language: str) -> gettext.GNUTranslations:
    """The compiled catalogue of one language; a missing `.mo` is an install error, loudly."""
    return gettext.translation(DOMAIN, localedir=LOCALES, languages=[language])


@dataclass(frozen=True)
class Words:
    """The phrases of one language, for one person or for the team."""

    language: str
    catalogue: Catalogue = field(repr=False)

    def t(self, key: str, /, **values: object) -> str:
        """The phrase for `key`, its `{placeholders}` filled from `values`."""
        return self.catalogue.text(self.language, key).format_map(values)

    def overridden(self, key: str, /) -> bool:
        """Whether an admin reworded `key` in this language (NPSBOT_STRINGS_DIR or a setting)."""
        return self.catalogue.overridden(self.language, key)


class Catalogue:
    """All languages' phrases with the admins' overrides; built once at start-up."""

    def __init__(self, *, default_language: str, team_language: str) -> None:
        self.default_language = default_language
        self.team_language = team_language
        self._overrides: dict[str, dict[str, str]] = {}
        self._translations = {lang: load_translations(lang) for lang in SUPPORTED}
        source = self._translations[SOURCE_LANGUAGE]
        for language, translations in self._translations.items():
            if language != SOURCE_LANGUAGE:
                translations.add_fallback(source)

    def with_overrides(self, overrides: Overrides) -> Catalogue:
        """The same catalogues (loaded once) with the admins' overrides on top."""
        layered = copy(self)
        layered._overrides = {lang: dict(texts) for lang, texts in overrides.items()}
        return layered

    def text(self, language: str, key: str) -> str:
        """The override, else the language's phrase, else English; KeyError for no such key."""
        override = self._overrides.get(language, {}).get(key)
        if override is not None:
            return override
        found = self._translations[language].gettext(key)
        if found == key:
            raise KeyError(f"no phrase '{key}' in the catalogues")
        return found

    def overridden(self, language: str, key: str) -> bool:
        return key in self._overrides.get(language, {})

    def override_counts(self) -> dict[str, int]:
        """How many phrases the admins override, per language."""
        return {lang: len(texts) for lang, texts in self._overrides.items() if texts}

    def source(self, key: str) -> str | None:
        """The English catalogue's phrase for `key`, or None when there is no such key."""
        found = self._translations[SOURCE_LANGUAGE].gettext(key)
        return None if found == key else found

    def words(self, language: str | None = None) -> Words:
        """Phrases in `language` (any platform code), else in the default language."""
        return Words(normalise(language) or self.default_language, self)

    def for_person(self, *, explicit: str | None, platform: str | None) -> Words:
        """Phrases in the person's language, by the precedence of `bot.i18n.languages`."""
        return Words(
            pick(explicit=explicit, platform=platform, default=self.default_language), self
        )

    @property
    def team(self) -> Words:
        """Phrases for digests, alerts and `/nps` replies (NPSBOT_TEAM_LANGUAGE)."""
        return Words(self.team_language, self)
