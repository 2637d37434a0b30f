"""What makes a catalogue unfit to ship: a key the template has and a language lacks, a
placeholder lost or invented in translation, a `.mo` that was not recompiled.

`tests/bot/test_i18n.py` runs these over `bot/locales`, so a release cannot carry a German
survey with an English button or a `{company}` nobody fills in.
"""

from __future__ import annotations

from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

from bot.i18n.catalogue import DOMAIN, placeholders
from bot.i18n.languages import SOURCE_LANGUAGE, SUPPORTED

KEYWORDS = {"t": None}
"""`words.t("key")`: the one call `make i18n` extracts keys from."""


def _texts(catalog: Catalog) -> dict[str, str]:
    return {str(m.id): str(m.string) for m in catalog if m.id and not m.fuzzy and m.string}


def read_catalogue(path: Path) -> Catalog:
    with path.open("rb") as handle:
        return read_po(handle) if path.suffix in {".po", ".pot"} else read_mo(handle)


def keys_in_code(source: Path) -> set[str]:
    """Every literal key passed to `Words.t` under `source` (what the template should hold)."""
    return {
        str(message) for _, _, message, _, _ in extract_from_dir(str(source), keywords=KEYWORDS)
    }


def problems(locales: Path) -> list[str]:
    """One line per defect across all languages; empty when every catalogue can ship."""
    template = {str(m.id) for m in read_catalogue(locales / f"{DOMAIN}.pot") if m.id}
    found: list[str] = []
    source: dict[str, str] = {}
    for language in (SOURCE_LANGUAGE, *(code for code in SUPPORTED if code != SOURCE_LANGUAGE)):
        po_path = locales / language / "LC_MESSAGES" / f"{DOMAIN}.po"
        if not po_path.is_file():
            found.append(f"{language}: no catalogue at {po_path}")
            continue
        texts = _texts(read_catalogue(po_path))
        source = source or texts
        found.extend(
            f"{language}: '{key}' is not translated" for key in sorted(template - set(texts))
        )
        found.extend(
            f"{language}: '{key}' is not in the template" for key in sorted(set(texts) - template)
        )
        for key in sorted(set(texts) & set(source)):
            try:
                if placeholders(texts[key]) != placeholders(source[key]):
                    found.append(f"{language}: '{key}' has placeholders other than the English")
            except ValueError:
                found.append(f"{language}: '{key}' has an unpaired brace")
        mo_path = po_path.with_suffix(".mo")
        if not mo_path.is_file() or _texts(read_catalogue(mo_path)) != texts:
            found.append(f"{language}: {mo_path.name} is out of date; run `make i18n`")
    return found
