"""Pure NPS statistics, sentiment, themes and charts: no I/O, no chat SDKs."""

from scoring.chart import render_trend_chart
from scoring.nps import (
    Category,
    Comparison,
    Counts,
    Direction,
    NpsEstimate,
    Reliability,
    SamplePolicy,
    category,
    comment_rate,
    compare,
    counts_from_scores,
    display_nps,
    estimate,
    nps,
    response_rate,
    z_for_level,
)
from scoring.segments import SegmentResult, SegmentRow, segment_table
from scoring.sentiment import Sentiment, SentimentSummary, analyse, label, normalise, summarise
from scoring.themes import CommentRow, Theme, ThemeReport, terms, themes, tokenise
from scoring.trend import TrendPoint, WeekPoint, trend, week_start

__all__ = [
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
    "category",
    "comment_rate",
    "compare",
    "counts_from_scores",
    "display_nps",
    "estimate",
    "label",
    "normalise",
    "nps",
    "render_trend_chart",
    "response_rate",
    "segment_table",
    "summarise",
    "terms",
    "themes",
    "tokenise",
    "trend",
    "week_start",
    "z_for_level",
]
