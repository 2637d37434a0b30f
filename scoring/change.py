"""Is a difference real? The two-sample test behind "up 5 points" and "above the rest".

Week over week in the digest, a segment against the rest of the answers: both compare two
independent adjusted-Wald estimates, and the direction shown comes from the tested number.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from statistics import NormalDist
from typing import Literal

from scoring.nps import NpsEstimate, display_nps, z_for_level

Direction = Literal["up", "down", "none"]


@dataclass(frozen=True, slots=True)
class Comparison:
    """Outcome of a two-sample z test between two estimates (``a`` minus ``b``).

    What a reader is told (``direction`` and ``display_change``) comes from the adjusted
    difference, the same number the test is run on, so "up" can never sit beside a test that
    says otherwise; the raw differences are kept for reference only.

    Attributes:
        delta: Raw NPS of ``a`` minus raw NPS of ``b``, in points (reference only).
        display_delta: Each side's displayed NPS subtracted (reference only).
        adjusted_delta: Adjusted NPS of ``a`` minus that of ``b``, in points: the tested
            difference.
        display_change: ``adjusted_delta`` rounded for people.
        direction: "up" or "down" (the sign of ``adjusted_delta``) when significant,
            otherwise "none": a change the test cannot tell from noise has no direction.
        se: Standard error of the difference of the adjusted estimates, in points.
        z: Test statistic, ``adjusted_delta / se``.
        p_value: Two-sided p-value.
        level: Confidence level the test was judged at.
        significant: ``p_value < 1 - level``.
    """

    delta: float
    display_delta: int
    adjusted_delta: float
    display_change: int
    direction: Direction
    se: float
    z: float
    p_value: float
    level: float
    significant: bool


def compare(a: NpsEstimate, b: NpsEstimate, *, level: float | None = None) -> Comparison:
    """Is ``a`` really different from ``b``? (week over week, or segment vs the rest).

    Uses the adjusted values and standard errors, which is what MeasuringU recommends for
    NPS: SE = sqrt(SE_a^2 + SE_b^2), z = (adj_a - adj_b) / SE. The samples must be
    independent: compare a segment with the *rest*, not with the overall it is part of.

    Args:
        a: The estimate of interest (this week, the segment).
        b: The baseline (last week, everyone else).
        level: Confidence level; defaults to ``a.level``.

    Raises:
        ValueError: If either side has no answers, where there is nothing to compare.
    """
    if a.nps is None or b.nps is None:
        raise ValueError("cannot compare an estimate with no answers")
    level = a.level if level is None else level
    z_for_level(level)  # validates the level
    se = math.hypot(a.se, b.se)
    adjusted_delta = a.adjusted - b.adjusted
    z = adjusted_delta / se
    p_value = 2.0 * (1.0 - NormalDist().cdf(abs(z)))
    significant = p_value < 1.0 - level
    direction: Direction = "none"
    if significant:
        direction = "up" if adjusted_delta > 0 else "down"
    return Comparison(
        delta=a.nps - b.nps,
        display_delta=display_nps(a.nps) - display_nps(b.nps),
        adjusted_delta=adjusted_delta,
        display_change=display_nps(adjusted_delta),
        direction=direction,
        se=se,
        z=z,
        p_value=p_value,
        level=level,
        significant=significant,
    )
