"""The fatigue rules: may this person be asked now, and if not, when?

Everything here is pure: no database, no clock. The planner and the lead's triggered and manual
paths feed it a `History` and the current time, so every rule is testable in microseconds and
the same rules apply on every path.

Times are aware UTC at the edges; local wall time exists only in `scheduling.send_window`,
which uses zoneinfo so a DST switch never moves a send outside the window.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from typing import TYPE_CHECKING, Literal

from scheduling.send_window import in_window, next_send_time, parse_hhmm, zone

if TYPE_CHECKING:
    from bot.models import Workspace
    from bot.store.history import Facts, Member

Source = Literal["scheduled", "triggered", "manual"]


class Reason(StrEnum):
    """Why an invitation may not go out now; the values are shown to admins as they are."""

    OPTED_OUT = "opted out"
    UNREACHABLE = "unreachable"
    PAUSED = "paused"
    MINIMUM_GAP = "minimum gap"
    TRIGGER_COOLDOWN = "trigger cooldown"
    DAILY_CAP = "daily cap"
    OUTSIDE_WINDOW = "outside window"


def parse_days(value: str) -> frozenset[int]:
    """Read "0,1,2,3,4" (Mon=0) into a set of weekdays."""
    days = frozenset(int(part) for part in value.split(",") if part.strip())
    if not days or not days <= set(range(7)):
        raise ValueError(f"send days must be weekday numbers 0-6, got {value!r}")
    return days


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
