"""The rolling cadence: everyone asked once per cycle, a steady sample every week.

Continuous NPS beats a quarterly blast: each respondent owns a `rotation_slot` (0..cycle-1),
and the slots are laid over the send days of each cycle, so a 10,000-person audience on a
90-day cycle brings about 780 answers' worth of invitations every week, the same on Monday
as on Friday. Cycles are counted from a fixed epoch, so every process agrees on the day.

All functions are pure and work on calendar dates; the planner turns a due date into a
moment inside the respondent's local window.
"""

from __future__ import annotations

from datetime import date, timedelta
from functools import lru_cache

EPOCH = date(2024, 1, 1)
ALL_DAYS = frozenset(range(7))
_SILVER = 0.4142135623730951  # independent of the golden ratio of `bot.store.slot_for`


def offset_for(key: int) -> float:
    """Where in its slot a respondent sits, in [0, 1): spreads one slot over several days.

    A 90-day cycle has only ~64 weekdays, so whole slots would give some days two slots' worth
    of people and others one; a per-person offset lets each send day take the same share.
    """
    return (key * _SILVER) % 1.0


def cycle_start(*, epoch: date, today: date, cycle_days: int) -> date:
    """The first day of the cycle that contains `today`."""
    return today - timedelta(days=(today - epoch).days % cycle_days)


def slot_date(
    *,
    slot: int,
    cycle_days: int,
    start: date,
    send_days: frozenset[int] = ALL_DAYS,
    offset: float = 0.0,
) -> date:
    """The day `slot` (plus `offset` within it) falls on in the cycle beginning at `start`.

    Positions are spread proportionally over the cycle's send days, so weekend slots do not
    pile up on Monday. With every day a send day this is simply `start + slot`. A slot beyond
    the cycle (the cadence was shortened) wraps around.
    """
    days = _send_days_of(start, cycle_days, send_days)
    position = (slot % cycle_days + min(max(offset, 0.0), 0.999999)) / cycle_days
    return days[int(position * len(days))]


def slots_begun(
    *, cycle_days: int, start: date, day: date, send_days: frozenset[int] = ALL_DAYS
) -> int:
    """How many slots of the cycle beginning at `start` have reached their day by `day`.

    Slot order is day order, so slots at or beyond this count cannot be due yet; the planner
    uses it to keep most of a large audience out of each pass's query.
    """
    return sum(
        1
        for slot in range(cycle_days)
        if slot_date(slot=slot, cycle_days=cycle_days, start=start, send_days=send_days) <= day
    )


@lru_cache(maxsize=64)
def _send_days_of(start: date, cycle_days: int, send_days: frozenset[int]) -> tuple[date, ...]:
    days = tuple(
        day
        for day in (start + timedelta(days=offset) for offset in range(cycle_days))
        if day.weekday() in send_days
    )
    if not days:
        raise ValueError("a cycle with no send day can ask nobody")
    return days


def due_date(
    *,
    slot: int,
    cycle_days: int,
    epoch: date = EPOCH,
    today: date,
    last_asked: date | None = None,
    joined: date | None = None,
    send_days: frozenset[int] = ALL_DAYS,
    offset: float = 0.0,
) -> date:
    """When this respondent is (or was) due; a date before `today` means overdue.

    Someone not yet asked in the current cycle is due on their slot's day, and stays due for
    the rest of the cycle if a gap or a cap held them back. Someone already asked in it waits
    for their slot in the next cycle. A newcomer whose slot has already passed this cycle joins
    the rotation at the next one, so a mid-cycle import does not ask half the audience at once.
    """
    start = cycle_start(epoch=epoch, today=today, cycle_days=cycle_days)

    def day_in(cycle: date) -> date:
        return slot_date(
            slot=slot, cycle_days=cycle_days, start=cycle, send_days=send_days, offset=offset
        )

    this_cycle = day_in(start)
    asked_already = last_asked is not None and last_asked >= start
    joined_late = last_asked is None and joined is not None and joined > this_cycle
    if asked_already or joined_late:
        return day_in(start + timedelta(days=cycle_days))
    return this_cycle


def is_due(
    *,
    slot: int,
    cycle_days: int,
    epoch: date = EPOCH,
    today: date,
    last_asked: date | None = None,
    joined: date | None = None,
    send_days: frozenset[int] = ALL_DAYS,
    offset: float = 0.0,
) -> bool:
    """True when the respondent should be asked on or before `today`."""
    return (
        due_date(
            slot=slot,
            cycle_days=cycle_days,
            epoch=epoch,
            today=today,
            last_asked=last_asked,
            joined=joined,
            send_days=send_days,
            offset=offset,
        )
        <= today
    )
