"""The fatigue policy: may this person be asked now, and if not, when?

Everything here is pure: no database, no clock. The planner and the lead's triggered and manual
paths feed it a `History` and the current time, so every rule is testable in microseconds and
the same rules apply on every path.

Times are aware UTC at the edges; local wall time exists only inside `in_window` and
`next_send_time`, which use zoneinfo so a DST switch never moves a send outside the window.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from enum import StrEnum
from typing import TYPE_CHECKING, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

if TYPE_CHECKING:
    from bot.models import Workspace
    from bot.store.history import Facts, Member

Source = Literal["scheduled", "triggered", "manual"]

END_OF_DAY = time.max
_SEARCH_DAYS = 15


class Reason(StrEnum):
    """Why an invitation may not go out now; the values are shown to admins as they are."""

    OPTED_OUT = "opted out"
    UNREACHABLE = "unreachable"
    PAUSED = "paused"
    MINIMUM_GAP = "minimum gap"
    TRIGGER_COOLDOWN = "trigger cooldown"
    DAILY_CAP = "daily cap"
    OUTSIDE_WINDOW = "outside window"


def parse_hhmm(value: str) -> time:
    """Read "HH:MM"; "24:00" means the end of the day so a window can run to midnight."""
    hours, _, minutes = value.strip().partition(":")
    hour, minute = int(hours), int(minutes or 0)
    if (hour, minute) == (24, 0):
        return END_OF_DAY
    return time(hour, minute)


def parse_days(value: str) -> frozenset[int]:
    """Read "0,1,2,3,4" (Mon=0) into a set of weekdays."""
    days = frozenset(int(part) for part in value.split(",") if part.strip())
    if not days or not days <= set(range(7)):
        raise ValueError(f"send days must be weekday numbers 0-6, got {value!r}")
    return days


def zone(name: str | None) -> tzinfo:
    """The zone of a respondent; unknown or missing names fall back to UTC rather than fail."""
    if not name:
        return UTC
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return UTC


@dataclass(frozen=True)
class Policy:
    """One workspace's fatigue rules, read once per planning pass.

    The send window does not wrap midnight (people are not asked at night), quiet hours may
    (22:00-08:00). `timezone` is the workspace's own clock, used to decide which day the daily
    cap counts against.
    """

    cadence_days: int = 90
    gap_unanswered_days: int = 30
    gap_answered_days: int = 90
    trigger_cooldown_days: int = 30
    send_days: frozenset[int] = frozenset({0, 1, 2, 3, 4})
    window_start: time = time(10, 0)
    window_end: time = time(17, 0)
    quiet_start: time | None = None
    quiet_end: time | None = None
    daily_cap: int | None = None
    reminder_after_days: int | None = 3
    expiry_days: int = 7
    paused: bool = False
    timezone: str = "UTC"

    def __post_init__(self) -> None:
        if self.window_start >= self.window_end:
            raise ValueError("the send window must start before it ends (it cannot wrap)")
        if self.cadence_days < 1:
            raise ValueError("cadence must be at least one day")

    @classmethod
    def from_workspace(cls, workspace: Workspace, *, timezone: str = "UTC") -> Policy:
        """Read the policy columns; `timezone` is the zone whose days the daily cap counts."""
        quiet = workspace.quiet_start and workspace.quiet_end
        return cls(
            cadence_days=workspace.cadence_days,
            gap_unanswered_days=workspace.gap_unanswered_days,
            gap_answered_days=workspace.gap_answered_days,
            trigger_cooldown_days=workspace.trigger_cooldown_days,
            send_days=parse_days(workspace.send_days),
            window_start=parse_hhmm(workspace.window_start),
            window_end=parse_hhmm(workspace.window_end),
            quiet_start=parse_hhmm(workspace.quiet_start or "") if quiet else None,
            quiet_end=parse_hhmm(workspace.quiet_end or "") if quiet else None,
            daily_cap=workspace.daily_cap,
            reminder_after_days=workspace.reminder_after_days,
            expiry_days=workspace.expiry_days,
            paused=workspace.paused,
            timezone=timezone,
        )

    def cap_day(self, moment: datetime) -> date:
        """The workspace-local day a send at `moment` counts against for the daily cap."""
        return moment.astimezone(zone(self.timezone)).date()


@dataclass(frozen=True)
class History:
    """What one person (every respondent row sharing a person_key) has been through.

    Reminders are deliberately absent: a nudge about an open question is not a new question,
    so it never starts a gap.
    """

    last_sent_at: datetime | None = None
    last_answered_at: datetime | None = None
    last_unanswered_sent_at: datetime | None = None
    last_triggered_at: Mapping[str, datetime] = field(default_factory=dict)

    @classmethod
    def of(cls, facts: Facts) -> History:
        """The policy's view of a person's stored history."""
        return cls(
            last_sent_at=facts.last_sent_at,
            last_answered_at=facts.last_answered_at,
            last_unanswered_sent_at=facts.last_unanswered_sent_at,
        )

    def gap_ends(self, policy: Policy) -> datetime | None:
        """The moment both gaps have passed, or None when nothing constrains."""
        ends = []
        if self.last_unanswered_sent_at is not None:
            ends.append(self.last_unanswered_sent_at + timedelta(days=policy.gap_unanswered_days))
        if self.last_answered_at is not None:
            ends.append(self.last_answered_at + timedelta(days=policy.gap_answered_days))
        return max(ends) if ends else None


@dataclass(frozen=True)
class RespondentState:
    """The few facts about the recipient that can veto or shift a send."""

    opted_out: bool = False
    unreachable: bool = False
    timezone: str | None = None

    @classmethod
    def of(cls, member: Member) -> RespondentState:
        """The policy's view of a stored respondent."""
        return cls(
            opted_out=member.opted_out, unreachable=member.unreachable, timezone=member.timezone
        )


@dataclass(frozen=True)
class Decision:
    """The verdict; `not_before` says when asking again could succeed, None for never/now."""

    allowed: bool
    reason: str | None = None
    not_before: datetime | None = None

    @property
    def deferrable(self) -> bool:
        """Only the clock stands in the way: schedule at `not_before` instead of skipping."""
        return self.reason == Reason.OUTSIDE_WINDOW


ALLOW = Decision(allowed=True)


def decide(
    *,
    policy: Policy,
    history: History,
    respondent_state: RespondentState,
    now: datetime,
    source: Source,
    event: str | None = None,
    force: bool = False,
    sent_today: int = 0,
) -> Decision:
    """May this person be asked at `now`?

    Checks run from the hardest veto to the softest so the reason shown is the one that
    matters: a person who opted out is told nothing about gaps. `force` (manual only) skips
    the gaps and the trigger cooldown, never the opt-out, the pause, the cap or the window.
    `sent_today` is what already counts against the daily cap on the cap day of `now`.
    """
    if respondent_state.opted_out:
        return Decision(allowed=False, reason=Reason.OPTED_OUT)
    if respondent_state.unreachable:
        return Decision(allowed=False, reason=Reason.UNREACHABLE)
    if policy.paused:
        return Decision(allowed=False, reason=Reason.PAUSED)
    tz = respondent_state.timezone
    if not (force and source == "manual"):
        gap_end = history.gap_ends(policy)
        if gap_end is not None and now < gap_end:
            return _refuse(Reason.MINIMUM_GAP, policy=policy, tz=tz, after=gap_end)
        last_trigger = history.last_triggered_at.get(event) if event else None
        if source == "triggered" and last_trigger is not None:
            cooldown_end = last_trigger + timedelta(days=policy.trigger_cooldown_days)
            if now < cooldown_end:
                return _refuse(Reason.TRIGGER_COOLDOWN, policy=policy, tz=tz, after=cooldown_end)
    if policy.daily_cap is not None and sent_today >= policy.daily_cap:
        local = now.astimezone(zone(policy.timezone))
        tomorrow = datetime.combine(local.date() + timedelta(days=1), time(), local.tzinfo)
        return _refuse(Reason.DAILY_CAP, policy=policy, tz=tz, after=tomorrow.astimezone(UTC))
    if not in_window(policy, tz, now):
        return _refuse(Reason.OUTSIDE_WINDOW, policy=policy, tz=tz, after=now)
    return ALLOW


def _refuse(reason: Reason, *, policy: Policy, tz: str | None, after: datetime) -> Decision:
    return Decision(
        allowed=False, reason=reason, not_before=next_send_time(policy=policy, tz=tz, after=after)
    )


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
