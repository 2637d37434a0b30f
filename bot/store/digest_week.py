"""The digest's one pass over a week's answers: counts, comments, sentiment and segments.

Every figure of the detail is a sum over the week's rows, so one grouped scan yields them
all: the database groups the rows by platform, comment language and attribute document
(a few hundred groups, however many answers), and the marginals (per platform, per
language, per attribute value) are summed here. On main this was seven scans of the week
(counts, sentiment twice, platform, language and one per attribute key, plus one listing
the keys); each scan reads the rows themselves, as no index holds `attributes`.
"""

from __future__ import annotations

import json
import math
from collections import defaultdict
from dataclasses import dataclass

import sqlalchemy as sa
from sqlmodel import Session, col

from bot.models import Response
from bot.store.digest import (
    NEUTRAL_BAND,
    Span,
    _between,
    _category_sums,
    _scoped,
    _sentiment_summary,
    _sum,
)
from scoring.language import UNDETERMINED
from scoring.nps import Counts
from scoring.segments import SegmentRow
from scoring.sentiment import SentimentSummary


@dataclass(frozen=True, slots=True)
class WeekFigures:
    """What one span's answers add up to."""

    counts: Counts
    commented: int
    sentiment: SentimentSummary
    platforms: dict[str, tuple[int, int]]
    """Per platform: answers and comments."""
    segments: tuple[SegmentRow, ...]


def _attribute_text(value: object) -> str | None:
    """An attribute value as the segment shows it. Every write path stores strings; a
    JSON null is no value (as `attributes ->> key` reads it)."""
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, bool | dict | list):
        return json.dumps(value, separators=(",", ":"))
    return str(value)


def week_figures(*, session: Session, span: Span) -> WeekFigures:
    """Counts, sentiment, per-platform answers and segment rows of the span, in one scan.

    Segment rows come per dimension (platform, the comment's language, then attribute keys
    in name order), each dimension's values in order; "und" (too short to tell) is no
    language segment, and a row without a key is in no segment of that key."""
    polarity = col(Response.polarity)
    language = col(Response.language)
    attributes = sa.cast(col(Response.attributes), sa.Text)
    query = (
        sa.select(
            col(Response.platform),
            language,
            attributes,
            *_category_sums(),
            sa.func.count(col(Response.comment)),
            sa.func.count(polarity),
            sa.func.sum(polarity),
            _sum(polarity < -NEUTRAL_BAND),
            _sum(polarity > NEUTRAL_BAND),
        )
        .where(_between(col(Response.answered_at), span.start, span.end))
        .group_by(col(Response.platform), language, attributes)
    )
    totals = [0] * 7  # promoters, passives, detractors, commented, n, negative, positive
    polarity_sums: list[float] = []
    platforms: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    cells: dict[tuple[int, str, str], list[int]] = defaultdict(lambda: [0, 0, 0])
    """Per (rank, dimension, value): rank 0 the platform, 1 the language, 2 an attribute
    (which may well be named "platform" too: it stays a dimension of its own)."""
    for platform, lang, text, p, pa, d, commented, n, total, negative, positive in session.execute(
        _scoped(query, Response, span.workspace_ids)
    ):
        counts = (int(p), int(pa), int(d))
        for index, figure in enumerate((*counts, commented, n, negative, positive)):
            totals[index] += int(figure)
        if total is not None:
            polarity_sums.append(float(total))
        platforms[platform][0] += sum(counts)
        platforms[platform][1] += int(commented)
        values = [(0, "platform", platform)]
        if lang is not None and lang != UNDETERMINED:
            values.append((1, "language", lang))
        document = json.loads(text) if text else {}
        for key, raw in document.items() if isinstance(document, dict) else ():
            value = _attribute_text(raw)
            if value is not None:
                values.append((2, str(key), value))
        for cell in values:
            for index, count in enumerate(counts):
                cells[cell][index] += count
    promoters, passives, detractors, commented, n, negative, positive = totals
    segments = tuple(
        SegmentRow(name, value, *cells[rank, name, value]) for rank, name, value in sorted(cells)
    )
    return WeekFigures(
        counts=Counts(promoters, passives, detractors),
        commented=commented,
        sentiment=_sentiment_summary(
            commented=commented,
            n=n,
            mean=math.fsum(polarity_sums) / n if n else None,
            negative=negative,
            positive=positive,
        ),
        platforms={name: (answers, comments) for name, (answers, comments) in platforms.items()},
        segments=segments,
    )
