"""A person answering again: did they move against their own last score, and what did their
last comment talk about, so the follow-up can ask about it.

Pure functions over one person's two answers; the caller reads the previous one.
"""

from __future__ import annotations

from itertools import pairwise

from scoring.nps import category
from scoring.terms import terms, tokens_with_breaks


def moved(previous: int | None, score: int, *, points: int) -> bool:
    """Whether `score` is a move worth an alert against `previous`: a fall of `points` or
    more, or a promoter who is no longer one. A detractor's score raises its own alert, so
    the caller asks this only of passives and promoters."""
    if previous is None:
        return False
    left_promoters = category(previous) == "promoter" and category(score) != "promoter"
    return previous - score >= points or left_promoters


def move_label(previous: int, score: int) -> str:
    """How a move reads on an alert: "10 -> 7"."""
    return f"{previous} -> {score}"


def recalled_theme(comment: str | None, *, language: str | None = None) -> str | None:
    """The theme of a previous comment worth asking about: its first two-word term in reading
    order ("slow checkout"), found with the same term matching the digest's themes use; of a
    longer run of content words, the last pair ("mobile app" in "the new mobile app").

    Single words are too vague to quote back ("Last time you mentioned great"), so a comment
    without a two-word term has nothing to recall.
    """
    if not comment or comment.isspace():
        return None
    phrases = {term for term in terms(comment, language=language) if " " in term}
    if not phrases:
        return None
    pairs = [f"{a} {b}" for a, b in pairwise(tokens_with_breaks(comment))]
    found = [pair in phrases for pair in pairs]
    ends = (i for i, hit in enumerate(found) if hit and not (i + 1 < len(found) and found[i + 1]))
    return next((pairs[i] for i in ends), None)
