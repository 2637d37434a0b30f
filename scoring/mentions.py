"""Which comments mention a theme or phrase, by the same term matching the digest's themes use.

"slow checkout" matches "The slow checkout again!" but not "checkout is slow" nor "slow, the
checkout", exactly as the digest would count them; a one-word phrase matches the word.
"""

from __future__ import annotations

from scoring.terms import terms, tokenise


class NotAPhrase(ValueError):
    """The phrase holds no word a theme could be made of ("the", "?!")."""


def wanted_terms(phrase: str) -> frozenset[str]:
    """The terms a comment must have to mention `phrase`: its two-word terms when it has
    any ("slow checkout" of "a slow checkout page"), else its content words."""
    found = terms(phrase)
    pairs = frozenset(term for term in found if " " in term)
    if pairs:
        return pairs
    if not found:
        raise NotAPhrase(f"'{phrase}' has no words a theme is made of")
    return frozenset(found)


def prefilter_words(wanted: frozenset[str]) -> list[str]:
    """Lowercase words every mentioning comment contains, for a cheap database filter first."""
    return sorted({word for term in wanted for word in term.split(" ")})


def mentions(comment: str | None, wanted: frozenset[str], *, language: str | None) -> bool:
    """Whether the comment has every wanted term, in its own language's stopwords."""
    if not comment or not tokenise(comment):
        return False
    return wanted <= terms(comment, language=language)
