"""The comments quoted under a theme, and what anonymous mode hides in them.

Short comments read best in chat, near-duplicates are skipped so the quotes vary, and each
comment is quoted at most once in the whole report: a reader who sees one rant under three
themes stops trusting all three.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from scoring.terms import NOT_TEXT_RE, TOKEN_RE, lower, tokenise

_SPACE_RE = re.compile(r"\s+")
_WORD_RE = re.compile(r"[^\W\d_]+(?:['\u2019][^\W\d_]+)*")
_EMAIL_RE = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_NAME_RUN_RE = re.compile(r"\[name\](?:\s+\[name\])+")
NAME_MASK = "[name]"
#: Comments shorter than this many words are quoted only when nothing longer is left.
_SHORT_WORDS = 3


def name_words(names: Iterable[str]) -> frozenset[str]:
    """Every part of every name ("Anna" as well as "Anna Smith"), lowercased.

    One findall over all distinct names, so a name per comment stays cheap. Over-masking a
    word that is also a name is the safe failure in anonymous mode.
    """
    found = TOKEN_RE.findall(lower("\n".join(set(names))))
    return frozenset(word for word in found if len(word) >= 2)


def mask(text: str, *, names: frozenset[str]) -> str:
    """Hide names, @mentions, Slack user ids and e-mail addresses in a quote."""

    def replace_name(match: re.Match[str]) -> str:
        word = lower(match.group(0))
        if word in names:
            return NAME_MASK
        if word.endswith("'s") and word[:-2] in names:
            return NAME_MASK + match.group(0)[-2:]
        return match.group(0)

    def replace_not_text(match: re.Match[str]) -> str:
        found = match.group(0)
        if _EMAIL_RE.fullmatch(found):
            return "[email]"
        return NAME_MASK if not found.lstrip("<").startswith(("http", "www")) else found

    text = NOT_TEXT_RE.sub(replace_not_text, text)
    text = _WORD_RE.sub(replace_name, text)
    return _NAME_RUN_RE.sub(NAME_MASK, text)


def excerpt(text: str, term: str, *, max_chars: int) -> str:
    """``text`` with its whitespace collapsed, cut to a window around ``term`` if long."""
    text = _SPACE_RE.sub(" ", text).strip()
    if len(text) <= max_chars:
        return text
    first_word = term.split(" ", 1)[0]
    at = max(0, lower(text).find(first_word))
    start = max(0, min(at - max_chars // 3, len(text) - max_chars))
    window = text[start : start + max_chars].strip()
    return ("…" if start > 0 else "") + window + ("…" if start + max_chars < len(text) else "")


def _similar(a: set[str], b: set[str]) -> bool:
    union = a | b
    return bool(union) and len(a & b) / len(union) >= 0.7


def pick(
    *, candidates: Sequence[int], texts: Sequence[str], used: set[int], n_quotes: int
) -> list[int]:
    """Up to ``n_quotes`` of the comments ``candidates`` (indices into ``texts``).

    Shortest first, comments of fewer than three words only as a fallback, no near-duplicates
    and none already in ``used``, which is updated.
    """
    ordered = sorted((i for i in candidates if i not in used), key=lambda i: len(texts[i]))
    tokens = {i: tokenise(texts[i]) for i in ordered[: 8 * n_quotes]}
    words = {i: set(found) for i, found in tokens.items()}
    full = [i for i in tokens if len(tokens[i]) >= _SHORT_WORDS]
    short = [i for i in tokens if len(tokens[i]) < _SHORT_WORDS]
    chosen: list[int] = []
    for i in full + short:
        if len(chosen) >= n_quotes:
            break
        if texts[i] in (texts[j] for j in chosen):
            continue
        if any(_similar(words[i], words[j]) for j in chosen):
            continue
        chosen.append(i)
    used.update(chosen)
    return chosen
