"""Tests for scoring.themes: tokenising, log-odds themes, quotes and anonymity."""

from __future__ import annotations

import itertools
import time

import pytest
from hypothesis import given
from hypothesis import strategies as st

from scoring.themes import (
    _NOT_CONTENT,
    _TOKEN_RE,
    STOPWORDS,
    CommentRow,
    _lower,
    terms,
    themes,
    tokenise,
)

DETRACTOR_COMMENTS = [
    "Slow checkout, took forever",
    "The slow checkout is painful",
    "slow checkout again. Took forever to pay",
    "Checkout was slow and support ignored me",
    "Really slow checkout",
    "took forever to load, slow checkout",
    "Anna Smith said it would be fixed but slow checkout remains",
    "app crashed on login",
    "the slow checkout drives me mad",
]
PROMOTER_COMMENTS = [
    "Friendly staff helped me",
    "friendly staff, quick answers",
    "The friendly staff helped me find the right size",
    "Great app, friendly staff",
    "Bob was great, friendly staff",
    "helped me quickly",
    "love the new design",
    "friendly staff and fast delivery",
    "fast delivery",
]
PASSIVE_COMMENTS = ["ok I guess", "checkout fine, staff fine", "decent app"]


def _rows() -> list[CommentRow]:
    return (
        [
            CommentRow(score=i % 7, comment=text, respondent_name="Anna Smith" if i == 6 else None)
            for i, text in enumerate(DETRACTOR_COMMENTS)
        ]
        + [
            CommentRow(score=9 + i % 2, comment=text, respondent_name="Bob Jones")
            for i, text in enumerate(PROMOTER_COMMENTS)
        ]
        + [CommentRow(score=7, comment=text) for text in PASSIVE_COMMENTS]
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
    content = [w if w not in _NOT_CONTENT else "" for w in _TOKEN_RE.findall(_lower(text))]
    expected = set(content) | {f"{a} {b}" for a, b in itertools.pairwise(content) if a and b}
    expected.discard("")
    assert terms(text) == expected


def test_top_themes_and_quotes() -> None:
    report = themes(_rows())
    assert report.detractor_comments == 9 and report.promoter_comments == 9
    top_detractor = report.detractor_themes[0]
    top_promoter = report.promoter_themes[0]
    assert top_detractor.term == "slow checkout"
    assert top_promoter.term == "friendly staff"
    assert (top_detractor.count_detractors, top_detractor.count_promoters) == (7, 0)
    assert (top_promoter.count_detractors, top_promoter.count_promoters) == (0, 6)
    assert top_detractor.z > 0 and top_promoter.z > 0
    for theme in (top_detractor, top_promoter):
        assert 2 <= len(theme.quotes) <= 3
        assert len(set(theme.quotes)) == len(theme.quotes)
        assert all(theme.term in quote.lower() for quote in theme.quotes)
    assert set(top_promoter.quotes) <= set(PROMOTER_COMMENTS)


def test_bigram_hides_its_component_words() -> None:
    report = themes(_rows())
    shown = {t.term for t in report.detractor_themes}
    assert "slow checkout" in shown
    assert not shown & {"slow", "checkout"}
    promoter_terms = {t.term for t in report.promoter_themes}
    assert "friendly" not in promoter_terms and "staff" not in promoter_terms


def test_quotes_prefer_short_comments() -> None:
    long = "slow checkout " + "and a lot of other words about many unrelated things " * 3
    rows = [CommentRow(0, long)] * 3 + [
        CommentRow(1, "slow checkout hurts"),
        CommentRow(2, "slow checkout again today"),
        CommentRow(10, "lovely people"),
        CommentRow(10, "lovely people here"),
    ]
    (theme, *_) = themes(rows).detractor_themes
    assert theme.term == "slow checkout"
    assert theme.quotes[:2] == ("slow checkout hurts", "slow checkout again today")


def test_long_quotes_are_cut_around_the_term() -> None:
    filler = "word " * 100
    rows = [CommentRow(0, f"{filler} slow checkout {filler}")] * 2 + [
        CommentRow(10, f"fine {filler}")
    ] * 2
    report = themes(rows, max_quote_chars=80)
    (theme,) = [t for t in report.detractor_themes if t.term == "slow checkout"]
    assert theme.quotes and all(len(q) <= 82 for q in theme.quotes)
    assert "slow checkout" in theme.quotes[0]


def test_min_count_and_top() -> None:
    report = themes(_rows(), min_count=7)
    assert [t.term for t in report.detractor_themes] == ["slow checkout"]
    assert report.promoter_themes == ()
    assert len(themes(_rows(), top=1).detractor_themes) == 1


def test_anonymous_mode_masks_names_and_mentions() -> None:
    rows = [
        *_rows(),
        CommentRow(1, "slow checkout, ask @carol or anna", "Carol"),
        CommentRow(2, "slow checkout per anna.smith@example.com"),
    ]
    named = themes(rows)
    assert any("Anna Smith" in q for t in named.detractor_themes for q in t.quotes)
    anonymous = themes(rows, anonymous=True, quotes=10)
    quotes = [q for t in anonymous.detractor_themes + anonymous.promoter_themes for q in t.quotes]
    joined = " ".join(quotes).lower()
    assert "anna" not in joined and "bob" not in joined and "carol" not in joined
    assert "example.com" not in joined
    assert any("[name] said" in q for q in quotes)
    assert any("[name] was great" in q for q in quotes)
    assert "[name] [name]" not in joined
    names = {"anna", "smith", "bob", "jones", "carol"}
    terms_shown = {t.term for t in anonymous.detractor_themes + anonymous.promoter_themes}
    assert not any(set(term.split()) & names for term in terms_shown)


def test_empty_and_invalid_input() -> None:
    report = themes([])
    assert report.detractor_themes == () and report.promoter_themes == ()
    assert themes([CommentRow(3, "   "), CommentRow(9, "")]).detractor_comments == 0
    with pytest.raises(ValueError, match="0 to 10"):
        themes([CommentRow(11, "slow")])


def test_is_fast_enough_for_large_inputs() -> None:
    # 50k comments here; the same code handles 500k in a few seconds.
    base = _rows()
    rows = [base[i % len(base)] for i in range(50_000)]
    started = time.perf_counter()
    report = themes(rows)
    assert time.perf_counter() - started < 5.0
    assert report.detractor_themes[0].term == "slow checkout"
