"""Net Promoter Score arithmetic with honest uncertainty.

A weekly digest over a few dozen answers is noisy, so every score travels with an
adjusted-Wald interval (Rocks 2016, MeasuringU) and a reliability label. Everything here is a
pure function over counts: no I/O, so the numbers can be checked against hand-computed vectors.
All NPS-scaled values (estimates, intervals, margins, standard errors) are in points on the
-100..100 scale that people read, never in proportions.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from statistics import NormalDist
from typing import Literal

Category = Literal["detractor", "passive", "promoter"]
Reliability = Literal["insufficient", "indicative", "reliable"]

#: The lowest score of a promoter (9-10) and of a passive (7-8); below that, a detractor.
PROMOTER_MIN = 9
PASSIVE_MIN = 7
#: Pseudo-count added to promoters and to detractors by the adjusted-Wald method.
WALD_ADD = 0.75
#: Pseudo-count added to the sample size by the adjusted-Wald method (3/4 + 3/4 + 3/2).
WALD_ADD_N = 3.0


def category(score: int) -> Category:
    """Classify one 0-10 answer.

    Args:
        score: The answer to "how likely are you to recommend us?".

    Returns:
        ``"promoter"`` for 9-10, ``"passive"`` for 7-8 and ``"detractor"`` for 0-6.

    Raises:
        ValueError: If ``score`` is not an int in 0..10. Bools and floats are refused because a
            stray ``True`` or ``8.5`` means a parsing bug upstream, not an answer.
    """
    if isinstance(score, bool) or not isinstance(score, int):
        raise ValueError(f"NPS score must be an int from 0 to 10, got {score!r}")
    if not 0 <= score <= 10:
        raise ValueError(f"NPS score must be from 0 to 10, got {score}")
    if score >= PROMOTER_MIN:
        return "promoter"
    if score >= PASSIVE_MIN:
        return "passive"
    return "detractor"


@dataclass(frozen=True, slots=True)
class Counts:
    """How many answers fell in each NPS category.

    Counts rather than raw scores are the unit of exchange because the database can aggregate
    them cheaply and they are all that the statistics need.
    """

    promoters: int = 0
    passives: int = 0
    detractors: int = 0

    def __post_init__(self) -> None:
        for name in ("promoters", "passives", "detractors"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                raise ValueError(f"{name} must be a non-negative int, got {value!r}")

    @property
    def n(self) -> int:
        """Total number of answers."""
        return self.promoters + self.passives + self.detractors

    @property
    def promoter_share(self) -> float:
        """Fraction of answers that are promoters (0.0 when there are no answers)."""
        return self.promoters / self.n if self.n else 0.0

    @property
    def passive_share(self) -> float:
        """Fraction of answers that are passives (0.0 when there are no answers)."""
        return self.passives / self.n if self.n else 0.0

    @property
    def detractor_share(self) -> float:
        """Fraction of answers that are detractors (0.0 when there are no answers)."""
        return self.detractors / self.n if self.n else 0.0

    def __add__(self, other: Counts) -> Counts:
        return Counts(
            promoters=self.promoters + other.promoters,
            passives=self.passives + other.passives,
            detractors=self.detractors + other.detractors,
        )

    def __sub__(self, other: Counts) -> Counts:
        """Remove a subgroup, e.g. to get "everyone else" for a segment comparison.

        Raises:
            ValueError: If ``other`` is not contained in ``self`` (inconsistent aggregates).
        """
        return Counts(
            promoters=self.promoters - other.promoters,
            passives=self.passives - other.passives,
            detractors=self.detractors - other.detractors,
        )


def counts_from_scores(scores: Iterable[int]) -> Counts:
    """Tally 0-10 answers into categories.

    Raises:
        ValueError: If any score is outside 0..10 (see :func:`category`).
    """
    tally = {"promoter": 0, "passive": 0, "detractor": 0}
    for score in scores:
        tally[category(score)] += 1
    return Counts(
        promoters=tally["promoter"], passives=tally["passive"], detractors=tally["detractor"]
    )


def nps(counts: Counts) -> float:
    """Net Promoter Score at full precision: % promoters minus % detractors.

    Raises:
        ValueError: If there are no answers, where the score is undefined rather than zero.
    """
    if counts.n == 0:
        raise ValueError("NPS is undefined with no answers")
    return 100.0 * (counts.promoters - counts.detractors) / counts.n


def display_nps(value: float) -> int:
    """Round a score for people, half away from zero.

    Python's ``round`` rounds half to even (``round(12.5) == 12``), which surprises readers
    who check the arithmetic by hand; NPS convention is 12.5 -> 13 and -12.5 -> -13. The
    value goes through its shortest ``repr`` so that 12.5 stored as a float rounds like 12.5.

    Raises:
        ValueError: If ``value`` is not finite.
    """
    if not math.isfinite(value):
        raise ValueError(f"cannot display a non-finite NPS: {value!r}")
    rounded = int(Decimal(repr(abs(value))).quantize(Decimal(1), rounding=ROUND_HALF_UP))
    return -rounded if value < 0 else rounded


@dataclass(frozen=True, slots=True)
class SamplePolicy:
    """When a score is worth showing, and how loudly.

    Attributes:
        min_n: Below this many answers no score is shown at all ("insufficient").
        reliable_n: Below this many answers a score is only "indicative".
        max_margin: A margin of error wider than this many points is only "indicative".
    """

    min_n: int = 10
    reliable_n: int = 30
    max_margin: float = 20.0


def z_for_level(level: float) -> float:
    """Two-sided critical value of the normal distribution, e.g. 0.95 -> 1.959964.

    Raises:
        ValueError: If ``level`` is not strictly between 0 and 1.
    """
    if not 0.0 < level < 1.0:
        raise ValueError(f"confidence level must be between 0 and 1, got {level!r}")
    return NormalDist().inv_cdf(0.5 + level / 2.0)


@dataclass(frozen=True, slots=True)
class NpsEstimate:
    """A score with its uncertainty, ready to display or compare.

    Attributes:
        n: Number of answers.
        counts: The counts the estimate came from.
        nps: Raw NPS at full precision, ``None`` when ``n == 0``.
        display: Rounded NPS for people, ``None`` when reliability is "insufficient".
        low: Lower end of the interval in points.
        high: Upper end of the interval in points.
        margin: Adjusted-Wald margin of error (z * se) in points, before clipping.
        adjusted: Adjusted-Wald centre in points (pulled towards 0 for small n).
        se: Standard error of the adjusted estimate in points.
        level: Confidence level of the interval, e.g. 0.95.
        reliability: "insufficient", "indicative" or "reliable" under the ``SamplePolicy``.
    """

    n: int
    counts: Counts
    nps: float | None
    display: int | None
    low: float
    high: float
    margin: float
    adjusted: float
    se: float
    level: float
    reliability: Reliability


def estimate(
    counts: Counts, *, level: float = 0.95, policy: SamplePolicy | None = None
) -> NpsEstimate:
    """Estimate NPS with an adjusted-Wald interval (Rocks 2016).

    Adding 3/4 of an answer to promoters and to detractors (and 3 to n) keeps the interval
    honest for small samples and for extreme scores, where the plain Wald interval collapses
    to zero width at NPS = 100.

    The adjustment moves the centre towards 0, so the adjusted interval does not always
    contain the raw NPS: at 95% it misses only for n = 1 (one promoter gives raw 100 but an
    upper bound of 98.5), at 90% up to n = 4, and below about 84% confidence it misses
    extreme scores at every n. "NPS 100 (range -48.5 to 98.5)" would read as a bug, so
    ``low``/``high`` are widened just enough to include the raw NPS. Widening never lowers
    coverage, and at the default level it only ever happens for n = 1, which is never shown
    anyway (n < ``min_n``). ``margin`` and ``se`` stay the textbook adjusted-Wald values.

    Args:
        counts: Category counts; ``n`` may be 0 (for example an empty week on a trend chart).
        level: Two-sided confidence level.
        policy: Thresholds for the reliability label; defaults to ``SamplePolicy()``.

    Returns:
        The estimate; the interval is clipped to [-100, 100].
    """
    policy = policy if policy is not None else SamplePolicy()
    z = z_for_level(level)
    n_adj = counts.n + WALD_ADD_N
    p = (counts.promoters + WALD_ADD) / n_adj
    d = (counts.detractors + WALD_ADD) / n_adj
    centre = p - d
    variance = p + d - centre**2
    se = math.sqrt(variance / n_adj)
    margin = 100.0 * z * se
    adjusted = 100.0 * centre
    low = max(-100.0, adjusted - margin)
    high = min(100.0, adjusted + margin)
    raw = nps(counts) if counts.n else None
    if raw is not None:
        low, high = min(low, raw), max(high, raw)
    if counts.n < policy.min_n:
        reliability: Reliability = "insufficient"
    elif counts.n < policy.reliable_n or margin > policy.max_margin:
        reliability = "indicative"
    else:
        reliability = "reliable"
    display = display_nps(raw) if raw is not None and reliability != "insufficient" else None
    return NpsEstimate(
        n=counts.n,
        counts=counts,
        nps=raw,
        display=display,
        low=low,
        high=high,
        margin=margin,
        adjusted=adjusted,
        se=100.0 * se,
        level=level,
        reliability=reliability,
    )


def _rate(part: int, whole: int, *, part_name: str, whole_name: str) -> float | None:
    if part < 0 or whole < 0:
        raise ValueError(f"{part_name} and {whole_name} must be non-negative")
    if part > whole:
        raise ValueError(f"{part_name} ({part}) cannot exceed {whole_name} ({whole})")
    return part / whole if whole else None


def response_rate(*, answered: int, delivered: int) -> float | None:
    """Share of delivered surveys that got a score, in 0..1.

    Keyword-only because two bare ints are easy to swap. ``None`` when nothing was delivered,
    which is "no data", not a 0% response rate.
    """
    return _rate(answered, delivered, part_name="answered", whole_name="delivered")


def comment_rate(*, commented: int, answered: int) -> float | None:
    """Share of scored answers that also left a comment, in 0..1 (``None`` if none answered)."""
    return _rate(commented, answered, part_name="commented", whole_name="answered")
