"""Tests for scoring.terms: tokenising, stopwords per language, phrases that hold up."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from scoring.terms import (
    STOPWORDS,
    TOKEN_RE,
    lower,
    stopwords,
    strip_non_text,
    terms,
    tokenise,
    tokens_with_breaks,
)


def test_tokenise_is_unicode_aware_and_lowercases() -> None:
    assert tokenise("Café’s CRÈME brûlée, 2fa x_y") == ["café's", "crème", "brûlée", "fa", "x", "y"]
    assert tokenise("Доставка быстрая!") == ["доставка", "быстрая"]


def test_terms_builds_bigrams_within_clauses_only() -> None:
    assert terms("Slow checkout, took forever") == {
        "slow",
        "checkout",
        "took",
        "forever",
        "slow checkout",
        "took forever",
    }
    # A stopword or a comma breaks the phrase.
    assert "checkout slow" not in terms("checkout is slow")
    assert "slow checkout" not in terms("slow, checkout")
    assert "the" not in terms("the app") and "the" in STOPWORDS


@given(st.text(alphabet=st.characters(max_codepoint=127), max_size=80))
def test_ascii_fast_path_matches_the_regex(text: str) -> None:
    fast = ["" if token == "\x01" else token for token in tokens_with_breaks(text)]
    assert fast == TOKEN_RE.findall(lower(strip_non_text(text)))


def test_a_subject_and_its_verb_are_not_a_phrase() -> None:
    assert "app logs" not in terms("the app logs me out")
    assert {"app", "logs"} <= terms("the app logs me out")
    assert "staff helped" not in terms("the staff helped")
    assert "checkout crashed" not in terms("checkout crashed twice")
    assert "app logs" in terms("the app logs are huge")  # a noun here
    assert "friendly staff" in terms("friendly staff helped me")
    assert "app logs" not in terms("the app logs me out", language="und")


def test_no_phrase_across_a_sentence_or_a_line() -> None:
    assert "checkout support" not in terms("Slow checkout. Support was fine")
    assert "checkout support" not in terms("slow checkout\nsupport rude")
    assert "checkout support" not in terms("slow checkout… support rude")


@pytest.mark.parametrize(
    ("language", "word"),
    [("en", "the"), ("es", "la"), ("de", "die"), ("fr", "les"), ("pt", "os"), ("it", "gli"),
     ("nl", "het")],
)  # fmt: skip
def test_stopwords_per_language(language: str, word: str) -> None:
    assert word in stopwords(language)
    assert word in stopwords(None)  # undetermined: every list applies
    assert word not in terms(f"{word} hotline", language=language)


def test_english_stopwords_keep_theme_words() -> None:
    assert not {"problem", "great", "free", "order", "slow"} & stopwords("en")


def test_mentions_ids_emails_and_urls_are_cut_out() -> None:
    text = "ask <@U0ABC123|dana> or @carol, U0ABC123, a.b@example.com, https://x.io/a?b=1 today"
    assert strip_non_text(text).count(" . ") == 5
    assert terms(text) == {"ask", "today"}
