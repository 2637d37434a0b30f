"""Comment sentiment that says when it does not know.

Three readings are combined: TextBlob's pattern lexicon (adjectives and their modifiers),
VADER's (chat-style text, emoji, negation and "but" handling) extended with words of the
software and service domain ("buggy", "laggy", "intuitive"), and the NPS intent phrases of
:mod:`scoring.intent` ("won't renew", "no complaints"), which outweigh both. On the Amazon
review sentences of Hutto & Gilbert (2014) this lifts binary macro-F1 from 0.57 (TextBlob
alone) to above 0.70; ``bench/sentiment.py`` measures it.

The lexicons are English. A comment detected as another language is "not analysed", and
so is an undetermined one in which no lexicon found a single word: counting them as
neutral would make a German-speaking customer base look indifferent.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Literal

from scoring.intent import intent_score
from scoring.language import UNDETERMINED, detect, detect_many
from scoring.normalise import MAX_CHARS, normalise

if TYPE_CHECKING:
    from textblob.en.sentiments import PatternAnalyzer
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

__all__ = [
    "ANALYSED_LANGUAGES",
    "MAX_CHARS",
    "NOT_ANALYSED",
    "Label",
    "Sentiment",
    "SentimentSummary",
    "analyse",
    "analyse_many",
    "label",
    "normalise",
    "summarise",
]

Label = Literal["negative", "neutral", "positive", "not analysed"]
NOT_ANALYSED: Label = "not analysed"
#: Languages the lexicons cover.
ANALYSED_LANGUAGES = frozenset({"en"})
#: How much the lexicons still count once an intent phrase has spoken: enough to grade
#: "great app but I cancelled" against "cancelled", never enough to flip its sign.
_LEXICON_WEIGHT_WITH_INTENT = 0.3

#: Domain words VADER's general lexicon lacks, on its -4..4 valence scale. VADER applies
#: its own negation and intensifier rules to them ("not buggy", "very laggy").
DOMAIN_LEXICON: dict[str, float] = {
    "buggy": -2.0,
    "bugs": -1.2,
    "glitch": -1.5,
    "glitchy": -1.8,
    "laggy": -1.7,
    "lag": -1.2,
    "sluggish": -1.5,
    "slow": -1.3,
    "slower": -1.2,
    "crashed": -1.8,
    "crashes": -1.8,
    "crashing": -1.8,
    "freezes": -1.5,
    "froze": -1.5,
    "unreliable": -2.0,
    "unusable": -2.5,
    "unresponsive": -1.8,
    "overpriced": -1.8,
    "pricey": -0.8,
    "confusing": -1.5,
    "clunky": -1.5,
    "outage": -1.8,
    "downtime": -1.5,
    "hassle": -1.8,
    "flimsy": -1.8,
    "junk": -2.5,
    "trash": -2.5,
    "defective": -2.2,
    "flaw": -1.5,
    "flaws": -1.5,
    "cumbersome": -1.5,
    "finicky": -1.3,
    "nonresponsive": -1.8,
    "overloaded": -1.0,
    "intuitive": 1.8,
    "reliable": 1.6,
    "seamless": 1.8,
    "smooth": 1.5,
    "responsive": 1.4,
    "fast": 1.2,
    "quick": 1.0,
    "quickly": 0.8,
    "works": 1.0,
    "convenient": 1.5,
    "handy": 1.3,
}


@dataclass(frozen=True, slots=True)
class Sentiment:
    """The pipeline's reading of one comment.

    Attributes:
        label: "positive", "negative", "neutral", or "not analysed" when the comment's
            language is not one the lexicons cover (or none of its words is known).
        polarity: -1.0 (negative) to 1.0 (positive); ``None`` when not analysed.
        subjectivity: TextBlob's 0.0 (objective) to 1.0 (subjective); ``None`` when not
            analysed.
        language: ISO 639-1 code from :func:`scoring.language.detect`, ``None`` if unsure.
    """

    label: Label
    polarity: float | None
    subjectivity: float | None
    language: str | None


@cache
def _textblob() -> PatternAnalyzer:
    # Imported lazily: textblob pulls in nltk, which costs about half a second at import time
    # and the bot imports ``scoring`` on every start-up.
    from textblob.en.sentiments import PatternAnalyzer

    return PatternAnalyzer()


@cache
def _vader() -> SentimentIntensityAnalyzer:
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    analyser = SentimentIntensityAnalyzer()
    analyser.lexicon.update(DOMAIN_LEXICON)
    return analyser


def warm_up() -> None:
    """Load the models now (seconds of CPU, cold), so the first comment is not the one to pay."""
    analyse("The app works great, thanks.")
    analyse("Die App ist leider langsam und stürzt ab.")


def analyse(text: str, *, language: str | None = None) -> Sentiment:
    """Label and polarity of a comment, after :func:`normalise`.

    Args:
        text: The comment as typed.
        language: Its language if already known (e.g. stored with the comment, "und" when
            detection was unsure); detected when ``None``.
    """
    clean = normalise(text)
    if language is None:
        language = detect(clean)
    return _analyse_clean(clean, language=None if language == UNDETERMINED else language)


def analyse_many(texts: Sequence[str]) -> list[Sentiment]:
    """:func:`analyse` for many comments, detecting their languages in one parallel pass."""
    cleaned = [normalise(text) for text in texts]
    return [
        _analyse_clean(clean, language=language)
        for clean, language in zip(cleaned, detect_many(cleaned), strict=True)
    ]


def _analyse_clean(clean: str, *, language: str | None) -> Sentiment:
    if not clean:
        return Sentiment(label="neutral", polarity=0.0, subjectivity=0.0, language=None)
    if language is not None and language not in ANALYSED_LANGUAGES:
        return Sentiment(label=NOT_ANALYSED, polarity=None, subjectivity=None, language=language)
    blob = _textblob().analyze(clean)
    compound = _vader().polarity_scores(clean)["compound"]
    intent = intent_score(clean.lower())
    if intent is None and language is None and blob.polarity == 0 and compound == 0:
        # Undetermined and not one known word: probably a language the lexicons lack.
        return Sentiment(label=NOT_ANALYSED, polarity=None, subjectivity=None, language=None)
    lexical = (float(blob.polarity) + compound) / 2.0
    polarity = lexical
    if intent is not None:
        weight = _LEXICON_WEIGHT_WITH_INTENT
        polarity = (intent + weight * lexical) / (1.0 + weight)
    return Sentiment(
        label=label(polarity),
        polarity=polarity,
        subjectivity=float(blob.subjectivity),
        language=language,
    )


def label(polarity: float | None, *, neutral_band: float = 0.05) -> Label:
    """Bucket a polarity; values within ``neutral_band`` of zero count as neutral.

    A band rather than the sign, because the lexicon gives small non-zero scores to plainly
    factual comments ("used it on Monday"). ``None`` (a comment that was not analysed) is
    "not analysed", never neutral.
    """
    if polarity is None:
        return NOT_ANALYSED
    if polarity > neutral_band:
        return "positive"
    if polarity < -neutral_band:
        return "negative"
    return "neutral"


@dataclass(frozen=True, slots=True)
class SentimentSummary:
    """Sentiment across many comments.

    Attributes:
        n: Number of analysed comments (the shares' denominator).
        mean: Mean polarity of the analysed comments, ``None`` when there are none.
        negative: Share of analysed comments labelled negative (0.0 when n == 0).
        neutral: Share labelled neutral.
        positive: Share labelled positive.
        not_analysed: Number of comments in a language the analyser does not handle,
            reported beside the shares, never inside them.
    """

    n: int
    mean: float | None
    negative: float
    neutral: float
    positive: float
    not_analysed: int = 0


def summarise(
    polarities: Iterable[float | None], *, neutral_band: float = 0.05
) -> SentimentSummary:
    """Summarise polarities (from :func:`analyse`; ``None`` = not analysed)."""
    tally = {"negative": 0, "neutral": 0, "positive": 0, NOT_ANALYSED: 0}
    total = 0.0
    for polarity in polarities:
        tally[label(polarity, neutral_band=neutral_band)] += 1
        total += polarity or 0.0
    n = tally["negative"] + tally["neutral"] + tally["positive"]
    return SentimentSummary(
        n=n,
        mean=total / n if n else None,
        negative=tally["negative"] / n if n else 0.0,
        neutral=tally["neutral"] / n if n else 0.0,
        positive=tally["positive"] / n if n else 0.0,
        not_analysed=tally[NOT_ANALYSED],
    )
