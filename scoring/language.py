"""Which language a comment is written in, decided offline.

Lingua (``lingua-language-detector``) ships its n-gram models inside the wheel, so detection
needs no network and no download step, and it is the most accurate maintained detector on
short texts, which is what chat comments are. It is restricted to the languages the bot
speaks plus a few whose scripts it cannot confuse with them: fewer candidates means fewer
wrong guesses on a two-word comment. When the detector is not sure, the answer is ``None``
("undetermined"), never a guess: a wrong language would send a comment to the wrong
stopwords and the wrong sentiment analyser.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from functools import cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from lingua import LanguageDetector

#: ISO 639-1 codes the detector chooses between: the respondent-facing languages first.
LANGUAGES: tuple[str, ...] = ("en", "es", "de", "fr", "pt", "it", "nl", "ja", "ru", "zh", "ko")
#: Below this many letters a text is too short to tell ("ok", "thx", "top" exist in several
#: languages); emoji, digits and punctuation do not count.
MIN_LETTERS = 4
#: How far ahead of the runner-up the best language must be (lingua's relative distance).
MIN_DISTANCE = 0.1
#: Only the start of a long comment is read: detection is linear in length and two
#: sentences are already plenty.
MAX_CHARS = 300
#: ``None`` rendered for storage and display, the BCP 47 code for "undetermined".
UNDETERMINED = "und"


_BUILDING = threading.Lock()


@cache
def _detector() -> LanguageDetector:
    with _BUILDING:  # the warm-up thread and a first comment must not both build it
        return _build()


def _build() -> LanguageDetector:
    # Imported and built lazily (the CLI imports ``scoring`` for commands that never detect);
    # once built, every model is in memory, so no comment waits for one to load.
    from lingua import IsoCode639_1, Language, LanguageDetectorBuilder

    languages = [
        Language.from_iso_code_639_1(getattr(IsoCode639_1, code.upper())) for code in LANGUAGES
    ]
    return (
        LanguageDetectorBuilder.from_languages(*languages)
        .with_minimum_relative_distance(MIN_DISTANCE)
        .with_preloaded_language_models()
        .build()
    )


def letter_count(text: str) -> int:
    """Number of letters (any script) in ``text``."""
    return sum(1 for char in text if char.isalpha())


def detect(text: str) -> str | None:
    """The ISO 639-1 code of the language ``text`` is written in, or ``None`` when unsure.

    ``None`` for empty, emoji-only and very short texts (under ``MIN_LETTERS`` letters), and
    whenever two languages are about as likely as each other.

    Examples:
        >>> detect("Lieferung kam zu spät")
        'de'
        >>> detect("👍👍") is None
        True
    """
    head = text[:MAX_CHARS]
    if letter_count(head) < MIN_LETTERS:
        return None
    found = _detector().detect_language_of(head)
    return None if found is None else found.iso_code_639_1.name.lower()


def detect_many(texts: Sequence[str]) -> list[str | None]:
    """:func:`detect` for many texts at once, spread over the CPU's cores by lingua.

    For bulk work (an import, ``npsbot analyse``, a back-fill): about twice as fast as one
    call per text on two cores, with the same answers.
    """
    heads = [text[:MAX_CHARS] for text in texts]
    long_enough = [i for i, head in enumerate(heads) if letter_count(head) >= MIN_LETTERS]
    found = _detector().detect_languages_in_parallel_of([heads[i] for i in long_enough])
    result: list[str | None] = [None] * len(heads)
    for i, language in zip(long_enough, found, strict=True):
        result[i] = None if language is None else language.iso_code_639_1.name.lower()
    return result


def code_or_undetermined(language: str | None) -> str:
    """``language`` as stored and shown: the code itself, or "und" for ``None``."""
    return UNDETERMINED if language is None else language
