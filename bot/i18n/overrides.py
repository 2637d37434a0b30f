"""Admins' own wording, per language, on top of the shipped catalogues.

Like a translation file uploaded to Qualtrics, an admin drops `<lang>.po` files into
NPSBOT_STRINGS_DIR holding only the phrases they want changed (msgid = the key, as in
`bot/locales/en/LC_MESSAGES/npsbot.po`, msgstr = their text). The NPSBOT_FOLLOWUP_* settings
stay what they always were: the follow-up questions in the default language (and
NPSBOT_FOLLOWUP_RECALL_*, the remembering ones, with `{theme}`). Everything is
checked at start-up, so a typo stops the bot with one line naming the file, line and key,
instead of a customer reading `{company}` or an English phrase in a German survey.
"""

from __future__ import annotations

from io import BytesIO
from pathlib import Path
from typing import TYPE_CHECKING

from babel.messages.catalog import Catalog
from babel.messages.pofile import PoFileError, read_po, write_po

from bot.i18n.catalogue import DOMAIN, LOCALES, Catalogue, Overrides, placeholders
from bot.i18n.languages import SOURCE_LANGUAGE, SUPPORTED, supported_list

if TYPE_CHECKING:
    from bot.settings import Settings

FOLLOWUP_SETTINGS = {
    "followup.detractor": "followup_detractor",
    "followup.passive": "followup_passive",
    "followup.promoter": "followup_promoter",
    "followup.recall_detractor": "followup_recall_detractor",
    "followup.recall_passive": "followup_recall_passive",
    "followup.recall_promoter": "followup_recall_promoter",
}
"""Each NPSBOT_FOLLOWUP_* setting and the phrase it overrides (the RECALL ones take {theme})."""


class OverrideError(ValueError):
    """An override that names no phrase, a language npsbot lacks, or a wrong placeholder."""


def check(*, reference: Catalogue, key: str, text: str, where: str) -> None:
    """Refuse an override for no known key, or one using a placeholder its phrase lacks."""
    source = reference.source(key)
    if source is None:
        raise OverrideError(f"{where}: unknown key '{key}'")
    try:
        extra = placeholders(text) - placeholders(source)
    except ValueError:
        raise OverrideError(f"{where}: '{key}' has an unpaired {{ or }}") from None
    if extra:
        names = ", ".join("{" + name + "}" for name in sorted(extra))
        allowed = ", ".join("{" + name + "}" for name in sorted(placeholders(source))) or "none"
        raise OverrideError(f"{where}: '{key}' uses {names}; it may use {allowed}")


def read_strings_dir(directory: Path, *, reference: Catalogue) -> dict[str, dict[str, str]]:
    """Every `<lang>.po` in the directory, validated; any other file is refused too."""
    if not directory.is_dir():
        raise OverrideError(f"NPSBOT_STRINGS_DIR: {directory} is not a directory")
    found: dict[str, dict[str, str]] = {}
    for path in sorted(directory.iterdir()):
        if path.name.startswith("."):
            continue
        if path.suffix != ".po" or path.stem not in SUPPORTED:
            raise OverrideError(
                f"NPSBOT_STRINGS_DIR: {path.name} should be <language>.po, "
                f"the language one of {supported_list()}"
            )
        try:
            with path.open("rb") as handle:
                catalog = read_po(handle, abort_invalid=True)
        except (PoFileError, UnicodeDecodeError) as exc:
            raise OverrideError(f"NPSBOT_STRINGS_DIR: {path.name}: {exc}") from None
        texts = found.setdefault(path.stem, {})
        for message in catalog:
            if not message.id or not message.string:
                continue
            key, text = str(message.id), str(message.string)
            line = message.lineno
            check(reference=reference, key=key, text=text, where=f"{path.name} line {line}")
            texts[key] = text
    return found


def collect(settings: Settings, *, reference: Catalogue) -> Overrides:
    """The strings directory's overrides, then the follow-up settings for the default language."""
    overrides = (
        read_strings_dir(settings.strings_dir, reference=reference)
        if settings.strings_dir is not None
        else {}
    )
    default = overrides.setdefault(settings.default_language, {})
    for key, name in FOLLOWUP_SETTINGS.items():
        text = getattr(settings, name)
        if text is not None:
            check(reference=reference, key=key, text=text, where=f"NPSBOT_{name.upper()}")
            default[key] = text
    return overrides


def build_catalogue(settings: Settings) -> Catalogue:
    """The catalogue the running bot uses: languages from settings, overrides checked."""
    shipped = Catalogue(
        default_language=settings.default_language, team_language=settings.team_language
    )
    return shipped.with_overrides(collect(settings, reference=shipped))


def export_po(catalogue: Catalogue, language: str) -> bytes:
    """Every phrase of `language` as the bot says it now, with the English beside it: the
    starting point of an override file (edit, keep what you changed, drop into the dir)."""
    with (LOCALES / SOURCE_LANGUAGE / "LC_MESSAGES" / f"{DOMAIN}.po").open("rb") as handle:
        source = read_po(handle)
    out = Catalog(locale=language, project="npsbot overrides", fuzzy=False)
    for message in source:
        if message.id:
            key = str(message.id)
            out.add(key, catalogue.text(language, key), auto_comments=[f"en: {message.string}"])
    buffer = BytesIO()
    write_po(buffer, out, width=100, omit_header=True, sort_output=True)
    return buffer.getvalue()
