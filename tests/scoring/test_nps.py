"""Known vectors and properties for scoring.nps."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from scoring.change import compare
from scoring.nps import (
    Counts,
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

Z95 = 1.959963984540054


def counts_strategy(max_n: int = 2000) -> st.SearchStrategy[Counts]:
    part = st.integers(min_value=0, max_value=max_n)
    return st.builds(Counts, promoters=part, passives=part, detractors=part)


nonempty_counts = counts_strategy().filter(lambda c: c.n > 0)
levels = st.sampled_from([0.5, 0.8, 0.9, 0.95, 0.99])


@pytest.mark.parametrize(
    ("score", "expected"),
    [
        (0, "detractor"),
        (6, "detractor"),
        (7, "passive"),
        (8, "passive"),
        (9, "promoter"),
        (10, "promoter"),
    ],
)
def test_category_boundaries(score: int, expected: str) -> None:
    assert category(score) == expected


@pytest.mark.parametrize("bad", [-1, 11, 100, 8.5, "9", None, True])
def test_category_rejects_out_of_range_and_non_int(bad: object) -> None:
    with pytest.raises(ValueError, match="0 to 10"):
        category(bad)  # type: ignore[arg-type]


def test_counts_from_scores_and_shares() -> None:
    counts = counts_from_scores([10, 9, 9, 8, 7, 6, 0, 3, 10, 5])
    assert counts == Counts(promoters=4, passives=2, detractors=4)
    assert counts.n == 10
    assert (counts.promoter_share, counts.passive_share, counts.detractor_share) == (0.4, 0.2, 0.4)
    assert Counts().promoter_share == 0.0


def test_counts_reject_negative_and_subtraction_below_zero() -> None:
    with pytest.raises(ValueError, match="non-negative"):
        Counts(promoters=-1)
    with pytest.raises(ValueError):
        Counts(promoters=1) - Counts(promoters=2)
    assert Counts(5, 3, 2) - Counts(1, 1, 1) + Counts(1, 1, 1) == Counts(5, 3, 2)


def test_nps_of_known_vector_and_empty() -> None:
    assert nps(Counts(promoters=50, passives=30, detractors=20)) == 30.0
    assert nps(Counts(promoters=1, passives=0, detractors=2)) == pytest.approx(-100 / 3)
    with pytest.raises(ValueError, match="undefined"):
        nps(Counts())


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (12.5, 13),
        (-12.5, -13),
        (0.5, 1),
        (-0.5, -1),
        (2.5, 3),
        (12.49, 12),
        (-0.4, 0),
        (100.0, 100),
        (-100.0, -100),
        (33.333333333333336, 33),
        (0.0, 0),
    ],
)
def test_display_rounds_half_away_from_zero(value: float, expected: int) -> None:
    assert display_nps(value) == expected


def test_display_rejects_non_finite() -> None:
    with pytest.raises(ValueError):
        display_nps(math.nan)


def test_z_for_level() -> None:
    assert z_for_level(0.95) == pytest.approx(1.959964, abs=1e-6)
    with pytest.raises(ValueError):
        z_for_level(1.0)


def test_adjusted_wald_by_hand() -> None:
    # 50 promoters, 30 passives, 20 detractors.
    p = 50.75 / 103
    d = 20.75 / 103
    centre = p - d
    se = math.sqrt((p + d - centre**2) / 103)
    margin = Z95 * se
    result = estimate(Counts(promoters=50, passives=30, detractors=20))
    assert result.n == 100
    assert result.nps == 30.0
    assert result.display == 30
    assert result.adjusted == pytest.approx(100 * centre, abs=1e-9)
    assert result.se == pytest.approx(100 * se, abs=1e-9)
    assert result.margin == pytest.approx(100 * margin, abs=1e-9)
    assert result.low == pytest.approx(100 * (centre - margin), abs=1e-9)
    assert result.high == pytest.approx(100 * (centre + margin), abs=1e-9)
    # The numbers themselves, for a reader checking with a calculator.
    assert result.adjusted == pytest.approx(29.126214, abs=1e-6)
    assert result.margin == pytest.approx(15.075, abs=1e-3)
    assert result.low == pytest.approx(14.051, abs=1e-3)
    assert result.high == pytest.approx(44.201, abs=1e-3)


def test_reliability_of_known_vector_is_reliable() -> None:
    result = estimate(Counts(promoters=50, passives=30, detractors=20))
    assert result.margin < 20 and result.n >= 30
    assert result.reliability == "reliable"


def test_measuringu_variance_of_a_difference_of_two_proportions() -> None:
    # MeasuringU describes the SE as that of a difference of two proportions from one sample:
    # Var(p - d) = [p(1 - p) + d(1 - d) + 2pd] / n', the same as (p + d - (p - d)^2) / n'.
    promoters, passives, detractors = 37, 11, 12
    n_adj = promoters + passives + detractors + 3
    p = (promoters + 0.75) / n_adj
    d = (detractors + 0.75) / n_adj
    se = math.sqrt((p * (1 - p) + d * (1 - d) + 2 * p * d) / n_adj)
    result = estimate(Counts(promoters, passives, detractors), level=0.90)
    z90 = 1.6448536269514722
    assert result.se == pytest.approx(100 * se, abs=1e-9)
    assert result.low == pytest.approx(100 * (p - d - z90 * se), abs=1e-9)
    assert result.high == pytest.approx(100 * (p - d + z90 * se), abs=1e-9)


def test_small_samples_are_insufficient_and_hide_the_score() -> None:
    result = estimate(Counts(promoters=5, passives=2, detractors=1))
    assert result.reliability == "insufficient"
    assert result.display is None
    assert result.nps == 50.0


def test_policy_is_configurable() -> None:
    counts = Counts(promoters=20, passives=10, detractors=10)
    assert estimate(counts).reliability == "indicative"  # margin > 20 points
    loose = SamplePolicy(min_n=5, reliable_n=20, max_margin=30.0)
    assert estimate(counts, policy=loose).reliability == "reliable"


def test_empty_counts_give_an_estimate_without_a_score() -> None:
    result = estimate(Counts())
    assert result.nps is None and result.display is None
    assert result.reliability == "insufficient"
    assert -100 <= result.low <= result.adjusted == 0.0 <= result.high <= 100


def test_single_promoter_interval_is_widened_to_include_the_raw_score() -> None:
    # The adjusted-Wald interval for one promoter tops out at 98.5; see estimate()'s docstring.
    result = estimate(Counts(promoters=1))
    assert result.adjusted + result.margin == pytest.approx(98.50, abs=0.01)
    assert result.high == 100.0 == result.nps


def test_no_widening_needed_at_95_percent_from_two_answers() -> None:
    # Exhaustive for small n: widening only ever happens for n = 1 at the default level.
    for n in range(2, 61):
        for promoters in range(n + 1):
            for detractors in range(n + 1 - promoters):
                counts = Counts(promoters, n - promoters - detractors, detractors)
                result = estimate(counts)
                assert result.low == max(-100.0, result.adjusted - result.margin)
                assert result.high == min(100.0, result.adjusted + result.margin)


@given(counts=counts_strategy())
def test_counts_add_up(counts: Counts) -> None:
    assert counts.promoters + counts.passives + counts.detractors == counts.n
    if counts.n:
        total = counts.promoter_share + counts.passive_share + counts.detractor_share
        assert total == pytest.approx(1.0)


@given(counts=nonempty_counts)
def test_nps_within_bounds(counts: Counts) -> None:
    assert -100.0 <= nps(counts) <= 100.0


@given(counts=counts_strategy(), level=levels)
def test_interval_within_bounds_and_contains_both_estimates(counts: Counts, level: float) -> None:
    result = estimate(counts, level=level)
    assert -100.0 <= result.low <= result.adjusted <= result.high <= 100.0
    if result.nps is not None:
        assert result.low <= result.nps <= result.high


@given(
    promoters=st.integers(0, 20),
    passives=st.integers(0, 20),
    detractors=st.integers(0, 20),
    factor=st.integers(2, 50),
)
def test_margin_narrows_as_n_grows(
    promoters: int, passives: int, detractors: int, factor: int
) -> None:
    small = Counts(promoters, passives, detractors)
    large = Counts(promoters * factor, passives * factor, detractors * factor)
    if small.n == 0:
        return
    assert estimate(large).margin < estimate(small).margin


def test_significant_difference_60_vs_20_with_200_each() -> None:
    this_week = estimate(Counts(promoters=140, passives=40, detractors=20))  # NPS 60
    last_week = estimate(Counts(promoters=80, passives=80, detractors=40))  # NPS 20
    result = compare(this_week, last_week)
    assert result.delta == pytest.approx(40.0)
    assert result.display_delta == 40
    assert result.significant
    assert result.p_value < 1e-6
    assert result.z > 0


def test_no_significant_difference_31_vs_30_promoters_of_50() -> None:
    a = estimate(Counts(promoters=31, passives=9, detractors=10))
    b = estimate(Counts(promoters=30, passives=10, detractors=10))
    result = compare(a, b)
    assert not result.significant
    assert result.p_value > 0.5
    assert result.display_delta == 2


def test_compare_by_hand() -> None:
    a = estimate(Counts(promoters=50, passives=30, detractors=20))
    b = estimate(Counts(promoters=40, passives=30, detractors=30))
    se = math.hypot(a.se, b.se)
    z = (a.adjusted - b.adjusted) / se
    result = compare(a, b)
    assert result.se == pytest.approx(se, abs=1e-12)
    assert result.z == pytest.approx(z, abs=1e-12)
    assert result.p_value == pytest.approx(math.erfc(abs(z) / math.sqrt(2)), abs=1e-12)
    assert result.significant == (result.p_value < 0.05)


def test_compare_refuses_empty() -> None:
    with pytest.raises(ValueError, match="no answers"):
        compare(estimate(Counts()), estimate(Counts(promoters=3)))


def test_rates() -> None:
    assert response_rate(answered=25, delivered=100) == 0.25
    assert response_rate(answered=0, delivered=0) is None
    assert comment_rate(commented=3, answered=12) == 0.25
    assert comment_rate(commented=0, answered=0) is None
    with pytest.raises(ValueError, match="cannot exceed"):
        response_rate(answered=5, delivered=4)
    with pytest.raises(ValueError, match="non-negative"):
        comment_rate(commented=-1, answered=4)


_COUNTS = st.builds(
    Counts,
    promoters=st.integers(0, 300),
    passives=st.integers(0, 300),
    detractors=st.integers(0, 300),
).filter(lambda counts: counts.n > 0)


@given(a=_COUNTS, b=_COUNTS, level=st.floats(0.5, 0.999, exclude_min=True))
def test_direction_size_and_test_never_disagree(a: Counts, b: Counts, level: float) -> None:
    result = compare(estimate(a, level=level), estimate(b, level=level))
    assert result.significant == (result.p_value < 1 - level)
    if not result.significant:
        assert result.direction == "none"
    else:
        assert result.direction == ("up" if result.adjusted_delta > 0 else "down")
        assert (result.z > 0) == (result.direction == "up")
        assert result.display_change * (1 if result.direction == "up" else -1) >= 0
    assert result.z == pytest.approx(result.adjusted_delta / result.se)


def test_adjusted_not_raw_difference_decides_at_085() -> None:
    # Both weeks are raw -100, so the old wording read "Unchanged from last week
    # (significant, p = 0.14)": direction from the raw difference, test from the adjusted.
    a = estimate(Counts(detractors=10), level=0.85)
    b = estimate(Counts(detractors=400), level=0.85)
    result = compare(a, b)
    assert result.delta == 0.0 and result.display_delta == 0
    assert result.significant and result.p_value == pytest.approx(0.137, abs=1e-3)
    assert (result.direction, result.display_change) == ("up", 22)
