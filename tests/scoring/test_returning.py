"""A returning respondent: which falls are moves, and which theme of a last comment is recalled."""

from __future__ import annotations

import pytest

from scoring.returning import move_label, moved, recalled_theme


@pytest.mark.parametrize(
    ("previous", "score", "points", "expected"),
    [
        (10, 7, 3, True),  # three points down
        (9, 8, 3, True),  # a promoter no longer one, one point down
        (10, 9, 3, False),  # still a promoter
        (8, 7, 3, False),  # a passive staying one, below the points
        (8, 7, 1, True),
        (7, 9, 3, False),  # a rise
        (None, 7, 3, False),  # nothing to compare with
    ],
)
def test_moves(previous: int | None, score: int, points: int, expected: bool) -> None:
    assert moved(previous, score, points=points) is expected


def test_a_move_reads_as_an_arrow() -> None:
    assert move_label(10, 7) == "10 -> 7"


@pytest.mark.parametrize(
    ("comment", "language", "expected"),
    [
        ("The slow checkout drives me mad", "en", "slow checkout"),
        ("Checkout was slow. Slow checkout and bad support team!", "en", "slow checkout"),
        ("I love the new mobile app", "en", "mobile app"),  # the last pair of a run
        ("slow, the checkout", "en", None),  # no term across a clause break
        ("checkout is slow", "en", None),  # single words are too vague to quote back
        ("the app logs me out", "en", None),  # a subject and its verb is no theme
        ("le paiement lent", "fr", "paiement lent"),
        ("", None, None),
        (None, None, None),
        ("   ", None, None),
    ],
)
def test_the_recalled_theme(
    comment: str | None, language: str | None, expected: str | None
) -> None:
    assert recalled_theme(comment, language=language) == expected
