"""The rolling cadence: one ask per cycle, spread evenly over the send days."""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta

from bot.store import slot_for
from scheduling.rotation import EPOCH, cycle_start, due_date, is_due, slot_date

WEEKDAYS = frozenset(range(5))


def test_slot_for_spreads_any_prefix_evenly() -> None:
    for count in (10, 90, 1000, 10_000):
        slots = Counter(slot_for(index, 90) for index in range(count))
        assert all(0 <= slot < 90 for slot in slots)
        expected = count / 90
        assert max(slots.values()) <= expected + 2
        if count >= 1000:
            assert min(slots.values()) >= expected - 2


def test_due_on_slot_day_when_every_day_is_a_send_day() -> None:
    today = EPOCH + timedelta(days=95)  # day 5 of the second cycle
    assert cycle_start(epoch=EPOCH, today=today, cycle_days=90) == EPOCH + timedelta(days=90)
    assert due_date(slot=5, cycle_days=90, today=today) == today
    assert due_date(slot=7, cycle_days=90, today=today) == today + timedelta(days=2)
    overdue = due_date(slot=3, cycle_days=90, today=today)
    assert overdue == today - timedelta(days=2)
    assert is_due(slot=3, cycle_days=90, today=today)


def test_asked_this_cycle_waits_for_the_next() -> None:
    today = EPOCH + timedelta(days=95)
    asked = today - timedelta(days=1)
    assert due_date(slot=3, cycle_days=90, today=today, last_asked=asked) == EPOCH + timedelta(
        days=183
    )
    asked_last_cycle = EPOCH + timedelta(days=80)
    assert is_due(slot=3, cycle_days=90, today=today, last_asked=asked_last_cycle)


def test_newcomer_joins_the_rotation_instead_of_jumping_the_queue() -> None:
    today = EPOCH + timedelta(days=95)
    assert not is_due(slot=3, cycle_days=90, today=today, joined=today)
    assert due_date(slot=3, cycle_days=90, today=today, joined=today) == EPOCH + timedelta(days=183)
    assert is_due(slot=5, cycle_days=90, today=today, joined=today)
    assert is_due(slot=3, cycle_days=90, today=today, joined=today - timedelta(days=30))


def test_slots_land_only_on_send_days_and_evenly() -> None:
    start = date(2025, 1, 6)
    days = [slot_date(slot=s, cycle_days=90, start=start, send_days=WEEKDAYS) for s in range(90)]
    assert all(day.weekday() < 5 for day in days)
    assert days == sorted(days)
    per_day = Counter(days)
    assert set(per_day.values()) <= {1, 2}
    assert start <= min(days) and max(days) < start + timedelta(days=90)


def test_shortened_cadence_wraps_old_slots() -> None:
    start = EPOCH
    assert slot_date(slot=70, cycle_days=60, start=start) == start + timedelta(days=10)
