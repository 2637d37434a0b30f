"""Tests for scoring.segments: privacy and flagging."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from scoring.digest.wording import segment_cells
from scoring.nps import Counts
from scoring.segments import SegmentRow, segment_table
from tests.phrases import EN


def test_small_groups_are_never_returned() -> None:
    rows = [
        SegmentRow("team", "Support", promoters=2, passives=1, detractors=1),  # n = 4
        SegmentRow("team", "Sales", promoters=40, passives=20, detractors=20),
    ]
    overall = Counts(promoters=80, passives=40, detractors=40)
    table = segment_table(rows, overall=overall)
    assert [(r.dimension, r.value) for r in table] == [("team", "Sales")]
    assert all(r.estimate.n >= 5 for r in table)


def test_min_group_is_configurable_and_must_be_positive() -> None:
    rows = [SegmentRow("region", "EU", promoters=3, passives=3, detractors=3)]
    overall = Counts(promoters=30, passives=30, detractors=30)
    assert segment_table(rows, overall=overall, min_group=10) == []
    assert len(segment_table(rows, overall=overall, min_group=9)) == 1
    with pytest.raises(ValueError, match="min_group"):
        segment_table(rows, overall=overall, min_group=0)


def test_segment_differing_from_the_rest_is_flagged() -> None:
    rows = [
        SegmentRow("team", "Support", promoters=20, passives=20, detractors=60),  # NPS -40
        SegmentRow("team", "Sales", promoters=60, passives=20, detractors=20),  # NPS 40
        SegmentRow("team", "Ops", promoters=30, passives=40, detractors=30),  # NPS 0 = the rest
    ]
    overall = Counts(promoters=110, passives=80, detractors=110)
    by_value = {r.value: r for r in segment_table(rows, overall=overall)}
    support = by_value["Support"]
    assert support.flagged
    assert support.rest is not None and support.rest.counts == Counts(90, 60, 50)
    assert support.comparison is not None and support.comparison.delta < 0
    ops = by_value["Ops"]
    assert ops.comparison is not None and ops.comparison.delta == 0.0
    assert not ops.flagged
    assert list(by_value) == ["Support", "Sales", "Ops"]  # input order kept


def test_tiny_rest_is_neither_shown_nor_compared() -> None:
    rows = [SegmentRow("site", "HQ", promoters=30, passives=10, detractors=8)]
    overall = Counts(promoters=31, passives=10, detractors=9)  # rest n = 2
    (result,) = segment_table(rows, overall=overall)
    assert result.rest is None and result.comparison is None and not result.flagged


def test_inconsistent_overall_is_rejected() -> None:
    rows = [SegmentRow("team", "A", promoters=10, passives=0, detractors=0)]
    with pytest.raises(ValueError, match="more answers than overall"):
        segment_table(rows, overall=Counts(promoters=5, passives=5, detractors=5))


_GROUP = st.tuples(st.integers(0, 60), st.integers(0, 60), st.integers(0, 60))


@given(segment=_GROUP, rest=_GROUP)
def test_at_080_a_segment_below_the_rest_is_never_labelled_above(
    segment: tuple[int, int, int], rest: tuple[int, int, int]
) -> None:
    row = SegmentRow("plan", "pro", *segment)
    overall = row.counts + Counts(*rest)
    for result in segment_table([row], overall=overall, level=0.80):
        if result.comparison is None or result.rest is None:
            continue
        below = result.estimate.adjusted < result.rest.adjusted
        cells = segment_cells(EN, result)
        if below:
            assert "above" not in cells[4] and result.comparison.direction != "up"
        if result.flagged:
            assert ("above" in cells[4]) == (not below)
        else:
            assert cells[4] == ""
