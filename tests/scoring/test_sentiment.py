"""Tests for scoring.sentiment: normalisation fixes TextBlob's negation blind spot."""

from __future__ import annotations

import pytest
from textblob import TextBlob

from scoring.sentiment import MAX_CHARS, analyse, label, normalise, summarise


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("The app isn’t great", "The app is not great"),
        ("I can’t log in", "I can not log in"),
        ("It won't load", "It will not load"),
        ("Won’t recommend", "Will not recommend"),
        ("WON'T", "WILL NOT"),
        ("It ain't good", "It is not good"),
        ("I cannot pay", "I can not pay"),
        ("shan't", "shall not"),
        ("They didn’t reply", "They did not reply"),
        ("“Quoted” ‘text’ and 5′ 3″", "\"Quoted\" 'text' and 5' 3\""),
        ("too   many\n\nspaces\t here ", "too many spaces here"),
        ("zero\u200bwidth\u200d and\u00ad soft\ufeff", "zerowidth and soft"),
        ("bell\x07 and nul\x00 chars", "bell and nul chars"),
    ],
)
def test_normalise(raw: str, expected: str) -> None:
    assert normalise(raw) == expected


def test_normalise_caps_length() -> None:
    assert len(normalise("word " * 10_000)) <= MAX_CHARS


@pytest.mark.parametrize(
    "text",
    [
        "The app isn’t great",
        "Checkout isn’t fast",
        "Staff weren’t friendly",
        "It isn’t easy to use",
        "Support wasn’t good",
        "It ain’t good",
        "The app isn't great",
    ],
)
def test_normalisation_turns_misread_negations_negative(text: str) -> None:
    assert TextBlob(text).sentiment.polarity > 0  # what raw TextBlob gets wrong
    assert analyse(text).polarity < 0
    assert label(analyse(text).polarity) == "negative"


def test_analyse_positive_and_empty() -> None:
    assert label(analyse("Friendly staff, great service!").polarity) == "positive"
    empty = analyse(" \u200b ")
    assert (empty.polarity, empty.subjectivity) == (0.0, 0.0)


@pytest.mark.parametrize(
    ("polarity", "expected"),
    [
        (-0.5, "negative"),
        (-0.051, "negative"),
        (-0.05, "neutral"),
        (0.0, "neutral"),
        (0.05, "neutral"),
        (0.051, "positive"),
        (1.0, "positive"),
    ],
)
def test_label_band(polarity: float, expected: str) -> None:
    assert label(polarity) == expected


def test_label_custom_band() -> None:
    assert label(0.2, neutral_band=0.25) == "neutral"


def test_summarise() -> None:
    summary = summarise([-0.5, 0.0, 0.5, 0.7])
    assert summary.n == 4
    assert summary.mean == pytest.approx(0.175)
    assert (summary.negative, summary.neutral, summary.positive) == (0.25, 0.25, 0.5)
    empty = summarise([])
    assert empty.n == 0 and empty.mean is None and empty.positive == 0.0
