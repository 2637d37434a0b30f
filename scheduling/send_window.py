"""The send window in a respondent's local time: inside it now, and when it next opens.

Local wall time exists only here. zoneinfo does the conversions, so a day that is 23 or 25
hours long still opens at the local hour the workspace asked for, and a DST switch never
moves a send outside the window.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

if TYPE_CHECKING:
    from scheduling.fatigue import Policy

END_OF_DAY = time.max
_SEARCH_DAYS = 15


def parse_hhmm(value: str) -> time:
    """Read "HH:MM"; "24:00" means the end of the day so a window can run to midnight."""
    hours, _, minutes = value.strip().partition(":")
    hour, minute = int(hours), int(minutes or 0)
    if (hour, minute) == (24, 0):
        return END_OF_DAY
    return time(hour, minute)


def zone(name: str | None) -> tzinfo:
    """The zone of a respondent; unknown or missing names fall back to UTC rather than fail."""
    if not name:
        return UTC
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return UTC


def in_window(policy: Policy, tz: str | None, moment: datetime) -> bool:
    """Is `moment` inside the respondent's local send window, on a send day, outside quiet?"""
    local = moment.astimezone(zone(tz))
    if local.weekday() not in policy.send_days:
        return False
    clock = local.time()
    if not policy.window_start <= clock < policy.window_end:
        return False
    return not _in_quiet(policy, clock)


def _in_quiet(policy: Policy, clock: time) -> bool:
    start, end = policy.quiet_start, policy.quiet_end
    if start is None or end is None or start == end:
        return False
    if start < end:
        return start <= clock < end
    return clock >= start or clock < end


def _open_stretches(policy: Policy) -> list[tuple[time, time]]:
    """The send window minus quiet hours, as [start, end) pieces of one local day."""
    pieces = [(policy.window_start, policy.window_end)]
    start, end = policy.quiet_start, policy.quiet_end
    if start is None or end is None or start == end:
        return pieces
    quiet = [(start, end)] if start < end else [(time(0, 0), end), (start, END_OF_DAY)]
    for q_start, q_end in quiet:
        pieces = [part for piece in pieces for part in _cut(piece, q_start, q_end)]
    return pieces


def _cut(piece: tuple[time, time], q_start: time, q_end: time) -> Iterable[tuple[time, time]]:
    start, end = piece
    if q_end <= start or q_start >= end:
        return [piece]
    return [(a, b) for a, b in ((start, q_start), (q_end, end)) if a < b]


def next_send_time(*, policy: Policy, tz: str | None, after: datetime) -> datetime:
    """The earliest aware-UTC instant >= `after` inside the respondent's send window.

    Walks the local calendar day by day and converts each open stretch with zoneinfo, so a
    day that is 23 or 25 hours long still opens at the local hour the workspace asked for.
    Every candidate is re-checked with `in_window`, which settles wall times a DST jump skips.
    """
    if after.tzinfo is None:
        raise ValueError("naive datetimes are ambiguous; pass an aware UTC datetime")
    after = after.astimezone(UTC)
    if in_window(policy, tz, after):
        return after
    zone_info = zone(tz)
    first = after.astimezone(zone_info).date()
    stretches = _open_stretches(policy)
    for offset in range(_SEARCH_DAYS):
        day = first + timedelta(days=offset)
        if day.weekday() not in policy.send_days:
            continue
        for start, end in stretches:
            candidate = max(after, _wall_to_utc(day, start, zone_info))
            if candidate < _wall_to_utc(day, end, zone_info) and in_window(policy, tz, candidate):
                return candidate
    raise ValueError("the policy leaves no moment to send: check send days, window and quiet")


def _wall_to_utc(day: date, wall: time, zone_info: tzinfo) -> datetime:
    """The first instant of `day` whose local clock reads `wall` or later.

    A repeated wall time (autumn) gives its first occurrence; a skipped one (spring) gives the
    moment the clocks jump, found by bisection between the two readings zoneinfo offers.
    """
    readings = [
        datetime.combine(day, wall, zone_info).replace(fold=fold).astimezone(UTC) for fold in (0, 1)
    ]
    low, high = min(readings), max(readings)

    def reached(moment: datetime) -> bool:
        local = moment.astimezone(zone_info)
        return local.date() > day or local.time() >= wall

    if reached(low):
        return low
    lo, hi = 0, int((high - low).total_seconds())
    while hi - lo > 1:
        middle = (lo + hi) // 2
        lo, hi = (lo, middle) if reached(low + timedelta(seconds=middle)) else (middle, hi)
    return low + timedelta(seconds=hi)
