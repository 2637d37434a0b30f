"""Chat comments made readable for lexicon-based analysers.

TextBlob's pattern analyser only sees a negation when "not" is its own token, so the
"isn’t great" that phones type with a curly apostrophe scores as *positive*. Normalising the
text first (straight quotes, expanded "n't", no invisible characters) fixes the most common
misreadings without needing NLTK corpora, which are not available offline.
"""

from __future__ import annotations

import re
import unicodedata

#: Longer comments are cut here: sentiment of an essay is dominated by its start anyway and
#: the analyser is linear in length, so one pasted log cannot stall a digest.
MAX_CHARS = 5000

_QUOTES = str.maketrans(
    {
        "\u2018": "'",  # left single quotation mark
        "\u2019": "'",  # right single quotation mark (the usual phone apostrophe)
        "\u201a": "'",  # single low-9 quotation mark
        "\u201b": "'",  # single high-reversed-9 quotation mark
        "\u2032": "'",  # prime
        "\u00b4": "'",  # acute accent, used as an apostrophe on some keyboards
        "\u0060": "'",  # grave accent, likewise
        "\u02bc": "'",  # modifier letter apostrophe
        "\u201c": '"',  # left double quotation mark
        "\u201d": '"',  # right double quotation mark
        "\u201e": '"',  # double low-9 quotation mark
        "\u201f": '"',  # double high-reversed-9 quotation mark
        "\u2033": '"',  # double prime
        "\u00ab": '"',  # guillemets
        "\u00bb": '"',
    }
)
# Irregular negative contractions first; the generic "n't" rule would make "wo not", "ca not".
_IRREGULAR = {
    "can't": "can not",
    "cannot": "can not",
    "won't": "will not",
    "shan't": "shall not",
    "ain't": "is not",
}
_IRREGULAR_RE = re.compile(r"\b(" + "|".join(map(re.escape, _IRREGULAR)) + r")\b", re.IGNORECASE)
_NT_RE = re.compile(r"(?<=\w)n't\b", re.IGNORECASE)
_SPACE_RE = re.compile(r"\s+")
_VARIATION_SELECTORS = frozenset("\ufe0e\ufe0f")


def _strip_invisible(text: str) -> str:
    # Format characters (zero-width space/joiners, BOM, bidi marks) and emoji variation
    # selectors vanish ("❤️" is "❤" to a lexicon); other control characters (tabs,
    # newlines, NUL...) become spaces so words on either side stay apart.
    out = []
    for char in text:
        kind = unicodedata.category(char)
        if kind == "Cf" or char in _VARIATION_SELECTORS:
            continue
        out.append(" " if kind == "Cc" else char)
    return "".join(out)


def _expand_irregular(match: re.Match[str]) -> str:
    word = match.group(0)
    expanded = _IRREGULAR[word.lower()]
    if word.isupper() and len(word) > 1:
        return expanded.upper()
    return expanded.capitalize() if word[0].isupper() else expanded


def normalise(text: str) -> str:
    """Make a chat comment readable for the sentiment analyser.

    Straightens curly quotes and primes, expands negative contractions ("isn't" -> "is not",
    "can't" -> "can not", "won't" -> "will not", "ain't" -> "is not"), drops zero-width and
    control characters, collapses whitespace and caps the length at ``MAX_CHARS``.

    Args:
        text: A raw comment as typed.

    Returns:
        The normalised comment, stripped of leading and trailing whitespace.
    """
    text = text[: MAX_CHARS * 2]  # bound the work before the per-character passes
    text = unicodedata.normalize("NFKC", text.translate(_QUOTES)).translate(_QUOTES)
    text = _strip_invisible(text)
    text = _IRREGULAR_RE.sub(_expand_irregular, text)
    text = _NT_RE.sub(" not", text)
    return _SPACE_RE.sub(" ", text).strip()[:MAX_CHARS]
