"""Bulk planning: turns the rotation and the fatigue rules into pending invitations.

Audiences reach 10,000+ people, so each workspace costs a fixed handful of statements: the
people who could be due (the rotation and "not asked this cycle" are filtered in SQL), one
GROUP BY over their invitation history, the daily-cap counts, and one bulk insert. Everything
else is the pure `rotation` and `fatigue` code. The dispatcher sends what is planned; the planner
never talks to a chat platform.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from sqlmodel import Session

from bot import store
from bot.db import Database
from bot.models import Workspace
from bot.store.history import Facts, Member, load_facts, other_selves
from bot.store.planning import RotationFilter
from scheduling.fatigue import Decision, History, Policy, RespondentState, decide
from scheduling.rotation import (
    EPOCH,
    cycle_start,
    due_date,
    offset_for,
    slot_date,
    slots_begun,
)
from scheduling.send_window import next_send_time, zone
from scheduling.workspace_guard import WorkspaceGuard

SETTLE_RETRIES = 3
"""How many times a refused send time is moved to the next one the policy allows."""
_ZONE_SPREAD = (timedelta(hours=12), timedelta(hours=14))  # UTC-12 .. UTC+14


@dataclass
class PlanReport:
    """What one planning pass did; skips are counted, not stored, to keep the table small."""

    planned: int = 0
    skipped: dict[str, int] = field(default_factory=dict)
    invitation_ids: list[int] = field(default_factory=list)
    workspaces: int = 0

    def skip(self, reason: str) -> None:
        self.skipped[reason] = self.skipped.get(reason, 0) + 1


def plan_due(
    *,
    db: Database,
    now: datetime,
    horizon: timedelta = timedelta(days=1),
    epoch: date = EPOCH,
    cap_timezone: str = "UTC",
    guard: WorkspaceGuard | None = None,
) -> PlanReport:
    """Create pending scheduled invitations for everyone due before `now + horizon`.

    Safe to run as often as wanted: people holding an open invitation are left alone, and
    someone held back by a gap or the cap stays due and is planned on a later pass.
    `cap_timezone` is the zone whose calendar days the daily cap counts. Each workspace is
    planned in its own transaction inside `guard`, so one failing holds up no other.
    """
    report = PlanReport()

    def plan(session: Session, workspace: Workspace) -> None:
        report.workspaces += 1
        policy = Policy.from_workspace(workspace, timezone=cap_timezone)
        before = Counter(report.skipped)
        _plan_workspace(
            session=session,
            workspace_id=workspace.id or 0,
            policy=policy,
            now=now,
            until=now + horizon,
            epoch=epoch,
            report=report,
        )
        workspace.held_back = dict(Counter(report.skipped) - before)
        workspace.planned_at = now
        session.add(workspace)

    (guard or WorkspaceGuard(db=db)).each_workspace("planning", plan)
    return report


def _plan_workspace(
    *,
    session: Session,
    workspace_id: int,
    policy: Policy,
    now: datetime,
    until: datetime,
    epoch: date,
    report: PlanReport,
) -> None:
    cycle = policy.cadence_days
    members = store.candidates(
        session=session,
        workspace_id=workspace_id,
        rotation=_rotation(policy=policy, now=now, until=until, epoch=epoch),
    )
    persons = other_selves(session=session, members=members)
    lookback = now - timedelta(
        days=max(policy.gap_answered_days, policy.gap_unanswered_days, cycle)
        + policy.expiry_days
        + 2
    )
    facts = load_facts(session=session, persons=persons, now=now, since=lookback)
    cap_counts = _cap_counts(session=session, policy=policy, workspace_id=workspace_id, now=now)

    due_members: list[tuple[date, int, Member]] = []
    for member in members:
        fact = facts.get(member.person, Facts())
        if fact.has_open:
            continue
        local = zone(member.timezone)
        local_until = until.astimezone(local).date()
        due = due_date(
            slot=member.slot,
            cycle_days=cycle,
            epoch=epoch,
            today=now.astimezone(local).date(),
            last_asked=fact.last_asked_day(),
            joined=member.joined,
            send_days=policy.send_days,
            offset=offset_for(member.id),
        )
        if due <= local_until:
            due_members.append((due, member.id, member))

    planned: list[tuple[int, datetime]] = []
    taken: set[str] = set()
    for due, _, member in sorted(due_members, key=lambda item: (item[0], item[1])):
        if member.person in taken:
            continue  # another of this person's rows was planned in this pass
        tz = member.timezone
        first_try = next_send_time(policy=policy, tz=tz, after=max(now, local_midnight(due, tz)))
        settled = settle(
            policy=policy,
            history=History.of(facts.get(member.person, Facts())),
            state=RespondentState.of(member),
            when=first_try,
            until=until,
            sent_on=lambda moment: cap_counts[policy.cap_day(moment)],
        )
        decision, when = settled.decision, settled.when
        if not decision.allowed:
            report.skip(decision.reason or "refused")
        elif when <= until:  # later ones are planned by a later pass
            planned.append((member.id, when))
            taken.add(member.person)
            cap_counts[policy.cap_day(when)] += 1
    ids = store.insert_planned(session=session, workspace_id=workspace_id, planned=planned, now=now)
    report.planned += len(ids)
    report.invitation_ids.extend(ids)


def _rotation(
    *, policy: Policy, now: datetime, until: datetime, epoch: date
) -> RotationFilter | None:
    """What the rotation rules out in SQL: most of a big audience never leaves the database.

    Someone already asked since the current cycle began is not due, nor is anyone whose slot's
    day has not come. When the pass straddles a cycle boundary (in some time zone), people not
    asked in the old cycle may still be overdue from it, whatever their slot. None when the
    cycle is shorter than the pass: nothing to gain.
    """
    cycle = policy.cadence_days
    latest_day = (until + _ZONE_SPREAD[1]).date()
    start = cycle_start(epoch=epoch, today=latest_day, cycle_days=cycle)
    old_start = cycle_start(epoch=epoch, today=(now - _ZONE_SPREAD[0]).date(), cycle_days=cycle)
    if (start - old_start).days > cycle:
        return None
    begun = slots_begun(cycle_days=cycle, start=start, day=latest_day, send_days=policy.send_days)
    if old_start != start:
        return RotationFilter(cycle_days=cycle, start=start, begun=begun, old_start=old_start)
    return RotationFilter(
        cycle_days=cycle, start=start, begun=begun, join_deadlines=_join_deadlines(start, policy)
    )


def _join_deadlines(start: date, policy: Policy) -> tuple[tuple[int, date], ...]:
    """Each slot's last possible day this cycle, as runs (slot end, day): slot days grow."""
    cycle, days = policy.cadence_days, policy.send_days
    runs: list[tuple[int, date]] = []
    for number in range(cycle):
        last = slot_date(slot=number, cycle_days=cycle, start=start, send_days=days, offset=1.0)
        if runs and runs[-1][1] == last:
            runs[-1] = (number + 1, last)
        else:
            runs.append((number + 1, last))
    return tuple(runs)


@dataclass(frozen=True)
class Settled:
    """Where following the policy's `not_before` led: the last decision, the moment it was
    taken for, and the refusals that were followed on the way (for `explain`)."""

    decision: Decision
    when: datetime
    followed: tuple[Decision, ...] = ()


def settle(
    *,
    policy: Policy,
    history: History,
    state: RespondentState,
    when: datetime,
    until: datetime | None,
    sent_on: Callable[[datetime], int],
) -> Settled:
    """Decide at `when`, following `not_before` while it stays inside `until` (None: no end).

    A gap ending at 10:30 on the due day should delay the send, not skip the day.
    `sent_on(moment)` is the daily-cap usage of the cap day of `moment`.
    """
    decision = Decision(allowed=False)
    followed: list[Decision] = []
    for _ in range(SETTLE_RETRIES):
        decision = decide(
            policy=policy,
            history=history,
            respondent_state=state,
            now=when,
            source="scheduled",
            sent_today=sent_on(when),
        )
        if decision.allowed or decision.not_before is None:
            break
        if until is not None and decision.not_before > until:
            break
        followed.append(decision)
        when = decision.not_before
    return Settled(decision, when, tuple(followed))


def local_midnight(day: date, tz: str | None) -> datetime:
    """The first instant of `day` in the zone `tz`, in UTC."""
    return datetime.combine(day, time(), zone(tz)).astimezone(UTC)


def _cap_counts(
    *, session: Session, policy: Policy, workspace_id: int, now: datetime
) -> Counter[date]:
    """Invitations per cap day, from yesterday on; empty when there is no cap."""
    counts: Counter[date] = Counter()
    if policy.daily_cap is None:
        return counts
    due = store.asked_due_times(
        session=session, workspace_id=workspace_id, since=now - timedelta(days=2)
    )
    counts.update(policy.cap_day(due_at) for due_at in due)
    return counts


def cap_usage(*, session: Session, policy: Policy, workspace_id: int, moment: datetime) -> int:
    """How many invitations count against the daily cap on the cap day of `moment`.

    For the triggered and manual paths, to pass as `sent_today` to `decide`.
    """
    tz = zone(policy.timezone)
    day = policy.cap_day(moment)
    start = datetime.combine(day, time(), tz).astimezone(UTC)
    end = datetime.combine(day + timedelta(days=1), time(), tz).astimezone(UTC)
    return store.asked_between(session=session, workspace_id=workspace_id, start=start, end=end)
