"""NPS by segment (team, region, tenure...), each tested against everyone else.

A segment is compared with the *rest* (overall minus the segment) rather than with the
overall, because the overall contains the segment and the two samples would not be
independent. Small groups are never returned, so a digest cannot single out three people.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from scoring.change import Comparison, compare
from scoring.nps import Counts, NpsEstimate, SamplePolicy, estimate


@dataclass(frozen=True, slots=True)
class SegmentRow:
    """Counts for one value of one dimension, as aggregated by the database.

    Attributes:
        dimension: What the segment splits by, e.g. "team".
        value: The group, e.g. "Support".
        promoters: Number of promoters in the group.
        passives: Number of passives in the group.
        detractors: Number of detractors in the group.
    """

    dimension: str
    value: str
    promoters: int
    passives: int
    detractors: int

    @property
    def counts(self) -> Counts:
        """The row's counts as a :class:`Counts`."""
        return Counts(promoters=self.promoters, passives=self.passives, detractors=self.detractors)


@dataclass(frozen=True, slots=True)
class SegmentResult:
    """One segment's score and how it differs from everyone else.

    Attributes:
        dimension: What the segment splits by.
        value: The group.
        estimate: The segment's NPS estimate.
        rest: Estimate for everyone else in the overall; ``None`` when the rest is smaller
            than ``min_group``, since showing it would expose a small group.
        comparison: Segment minus rest; ``None`` whenever ``rest`` is.
        flagged: True when the difference is significant at the chosen level.
    """

    dimension: str
    value: str
    estimate: NpsEstimate
    rest: NpsEstimate | None
    comparison: Comparison | None
    flagged: bool


def segment_table(
    rows: Iterable[SegmentRow],
    *,
    overall: Counts,
    min_group: int = 5,
    level: float = 0.95,
    policy: SamplePolicy | None = None,
) -> list[SegmentResult]:
    """Estimate each segment and flag the ones that differ from the rest.

    Privacy: groups with fewer than ``min_group`` answers are dropped here, not in the
    renderer, so no caller can show them by accident. Dropping is not full protection: if a
    dimension has one small group, overall minus the shown groups still reveals it, so use
    dimensions whose groups are all reasonably large.

    Each segment is a separate test at ``level``; with many segments a few will be flagged
    by chance (about one in twenty at 95%), so treat flags as prompts to look, not verdicts.

    Args:
        rows: Per-segment counts; dimensions may be mixed. Output keeps the input order.
        overall: Counts for everyone the segments were drawn from (the same week/survey).
        min_group: Smallest group that may be shown or compared with.
        level: Confidence level for the intervals and the tests.
        policy: Reliability thresholds passed to :func:`scoring.nps.estimate`.

    Raises:
        ValueError: If a segment has more answers in some category than ``overall``, or
            ``min_group`` is below 1.
    """
    if min_group < 1:
        raise ValueError(f"min_group must be at least 1, got {min_group}")
    results: list[SegmentResult] = []
    for row in rows:
        counts = row.counts
        if counts.n < min_group:
            continue
        try:
            rest_counts = overall - counts
        except ValueError as error:
            raise ValueError(
                f"segment {row.dimension}={row.value!r} has more answers than overall"
            ) from error
        segment = estimate(counts, level=level, policy=policy)
        rest = (
            estimate(rest_counts, level=level, policy=policy)
            if rest_counts.n >= min_group
            else None
        )
        comparison = compare(segment, rest, level=level) if rest is not None else None
        results.append(
            SegmentResult(
                dimension=row.dimension,
                value=row.value,
                estimate=segment,
                rest=rest,
                comparison=comparison,
                flagged=comparison is not None and comparison.significant,
            )
        )
    return results
