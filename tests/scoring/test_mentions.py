"""Which comments mention a phrase: the digest's own term matching."""

from __future__ import annotations

import pytest

from scoring.mentions import NotAPhrase, mentions, prefilter_words, wanted_terms


@pytest.mark.parametrize(
    ("comment", "expected"),
    [
        ("The slow checkout again!", True),
        ("SLOW CHECKOUT", True),
        ("slow checkout, then nothing", True),
        ("checkout is slow", False),  # the words, not the term
        ("slow, the checkout", False),  # across a clause break
        ("", False),
        (None, False),
    ],
)
def test_a_two_word_phrase_matches_its_term(comment: str | None, expected: bool) -> None:
    assert mentions(comment, wanted_terms("slow checkout"), language="en") is expected


def test_a_phrase_of_one_word_matches_the_word_and_stopwords_are_refused() -> None:
    assert wanted_terms("the checkout") == frozenset({"checkout"})
    assert mentions("checkout is slow", wanted_terms("checkout"), language="en")
    assert prefilter_words(wanted_terms("slow checkout page")) == ["checkout", "page", "slow"]
    with pytest.raises(NotAPhrase):
        wanted_terms("the and of")
