"""Which terms one group uses distinctively more than the other.

The weighted log-odds ratio with an informative Dirichlet prior (Monroe, Colaresi & Quinn
2008, "Fightin' Words"). Unlike raw frequency it does not surface words everyone uses
("app"), and unlike plain log-odds it does not crown words said once.
"""

from __future__ import annotations

import math
from collections import Counter


def check_alpha0(alpha0: float | None) -> None:
    """Refuse a prior strength that is not a positive number (``None`` means automatic).

    Raises:
        ValueError: If ``alpha0`` is zero, negative or not finite.
    """
    if alpha0 is not None and not (math.isfinite(alpha0) and alpha0 > 0):
        raise ValueError(f"alpha0 must be a positive number of pseudo-counts, got {alpha0!r}")


def log_odds_z(
    *, y_a: int, y_b: int, n_a: int, n_b: int, prior_w: float, prior_total: float
) -> float:
    """Smoothed log-odds of a term in group a minus in group b, over its standard deviation.

    Monroe et al. (2008), eq. 16 and 18. A term that makes up every mention in a group
    (a week of "Great!") has no odds against anything else: its z is 0, not a division by
    zero.
    """
    rest_a = n_a + prior_total - y_a - prior_w
    rest_b = n_b + prior_total - y_b - prior_w
    if rest_a <= 0 or rest_b <= 0 or prior_w <= 0:
        return 0.0
    delta = math.log((y_a + prior_w) / rest_a) - math.log((y_b + prior_w) / rest_b)
    return delta / math.sqrt(1.0 / (y_a + prior_w) + 1.0 / (y_b + prior_w))


def score(
    *,
    detractors: Counter[str],
    promoters: Counter[str],
    passives: Counter[str],
    min_count: int,
    alpha0: float | None,
    banned: frozenset[str],
) -> list[tuple[str, float]]:
    """z for every term some side mentions at least ``min_count`` times.

    z > 0 leans towards detractors, z < 0 towards promoters. The prior is the term's share of
    all comments (passives included) scaled to ``alpha0`` pseudo-counts, by default the total
    number of mentions, which weighs the background as much as the data. Terms containing a
    ``banned`` word are skipped.
    """
    check_alpha0(alpha0)
    background = detractors + promoters + passives
    background_total = sum(background.values())
    n_d, n_p = sum(detractors.values()), sum(promoters.values())
    prior_total = float(background_total) if alpha0 is None else alpha0
    scored: list[tuple[str, float]] = []
    for term, total in background.items():
        if detractors[term] < min_count and promoters[term] < min_count:
            continue
        if banned and not banned.isdisjoint(term.split(" ")):
            continue
        z = log_odds_z(
            y_a=detractors[term],
            y_b=promoters[term],
            n_a=n_d,
            n_b=n_p,
            prior_w=prior_total * total / background_total,
            prior_total=prior_total,
        )
        scored.append((term, z))
    return scored


def hide_covered_words(
    ranked: list[tuple[str, float]], *, group_counts: Counter[str]
) -> list[tuple[str, float]]:
    """Drop the words of a ranked bigram when it explains at least half of their mentions.

    So the digest says "slow checkout" rather than "slow", "checkout" and "slow checkout". A
    word used widely beyond the phrase ("slow app", "slow login") stays.
    """
    covered: set[str] = set()
    for term, _ in ranked:
        if " " not in term:
            continue
        for word in term.split(" "):
            if group_counts[term] * 2 >= group_counts[word]:
                covered.add(word)
    return [(term, z) for term, z in ranked if term not in covered]
