"""Pure NPS statistics, sentiment, themes and charts: no I/O, no chat SDKs."""

from scoring.change import Comparison, Direction, compare
from scoring.chart import render_trend_chart
from scoring.language import detect, detect_many
from scoring.nps import (
    Category,
    Counts,
    NpsEstimate,
    Reliability,
    SamplePolicy,
    category,
    comment_rate,
    counts_from_scores,
    display_nps,
    estimate,
    nps,
    response_rate,
    z_for_level,
)
from scoring.segments import SegmentResult, SegmentRow, segment_table
from scoring.sentiment import (
    NOT_ANALYSED,
    Sentiment,
    SentimentSummary,
    analyse,
    analyse_many,
    label,
    normalise,
    summarise,
)
from scoring.terms import stopwords, terms, tokenise
from scoring.themes import CommentRow, Theme, ThemeReport, themes
from scoring.trend import TrendPoint, WeekPoint, trend, week_start

__all__ = [
    "NOT_ANALYSED",
    "Category",
    "CommentRow",
    "Comparison",
    "Counts",
    "Direction",
    "NpsEstimate",
    "Reliability",
    "SamplePolicy",
    "SegmentResult",
    "SegmentRow",
    "Sentiment",
    "SentimentSummary",
    "Theme",
    "ThemeReport",
    "TrendPoint",
    "WeekPoint",
    "analyse",
    "analyse_many",
    "category",
    "comment_rate",
    "compare",
    "counts_from_scores",
    "detect",
    "detect_many",
    "display_nps",
    "estimate",
    "label",
    "normalise",
    "nps",
    "render_trend_chart",
    "response_rate",
    "segment_table",
    "stopwords",
    "summarise",
    "terms",
    "themes",
    "tokenise",
    "trend",
    "week_start",
    "z_for_level",
]
