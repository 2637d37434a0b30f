"""Which languages npsbot speaks, and which one a person gets.

An explicit choice (`/language xx`, the audience CSV's `language` column) beats what the
platform says (Slack's `locale`, Telegram's `language_code`), which beats the default.
Platform codes carry a region (`es-ES`, `pt-br`, `pt_BR`); only the language part is kept,
and a language npsbot has no catalogue for falls through to the next source.
"""

from __future__ import annotations

from babel import Locale

SUPPORTED = ("en", "es", "de", "fr", "pt", "it", "nl", "ja")
SOURCE_LANGUAGE = "en"
"""The language of the template: every other catalogue is checked against it."""


def normalise(code: str | None) -> str | None:
    """`es-ES` -> `es`, `pt_BR` -> `pt`; None for empty, unknown or unsupported codes."""
    if not code:
        return None
    tag = code.strip().replace("_", "-").lower()
    if tag in SUPPORTED:
        return tag
    base = tag.split("-", 1)[0]
    return base if base in SUPPORTED else None


def pick(*, explicit: str | None, platform: str | None, default: str) -> str:
    """The first supported language among the explicit choice, the platform's, the default."""
    return normalise(explicit) or normalise(platform) or default


def display_name(code: str) -> str:
    """The language's own name for itself (`Deutsch`, `日本語`), as a person scanning a list
    of languages looks for it."""
    return Locale.parse(code).get_display_name(code) or code


def supported_list() -> str:
    """`en (English), es (español), ...` for hints and error messages."""
    return ", ".join(f"{code} ({display_name(code)})" for code in SUPPORTED)
