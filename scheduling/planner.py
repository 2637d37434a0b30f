"""The planner: turns the rotation and the fatigue policy into pending invitations.

Audiences reach 10,000+ people, so each workspace costs a fixed handful of statements: the
people who could be due (the rotation and "not asked this cycle" are filtered in SQL), one
GROUP BY over their invitation history, the daily-cap counts, and one bulk insert. Everything
else is the pure `cadence` and `policy` code. The dispatcher sends what is planned; the planner
never talks to a chat platform.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from bot.db import Database
from bot.models import (
    Invitation,
    InvitationSource,
    InvitationStatus,
    Respondent,
    Response,
    UTCDateTime,
    Workspace,
)
from scheduling.cadence import (
    EPOCH,
    cycle_start,
    due_date,
    offset_for,
    slot_date,
    slots_begun,
)
from scheduling.history import (
    ASKED,
    MEMBER_COLUMNS,
    Facts,
    Member,
    asked_at,
    load_facts,
    member_from_row,
    other_selves,
)
from scheduling.policy import (
    Decision,
    History,
    Policy,
    RespondentState,
    decide,
    in_window,
    next_send_time,
    zone,
)

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
) -> PlanReport:
    """Create pending scheduled invitations for everyone due before `now + horizon`.

    Safe to run as often as wanted: people holding an open invitation are left alone, and
    someone held back by a gap or the cap stays due and is planned on a later pass.
    `cap_timezone` is the zone whose calendar days the daily cap counts.
    """
    report = PlanReport()
    with db.session() as session:
        workspaces = session.exec(
            select(Workspace).where(col(Workspace.paused).is_(False)).order_by(col(Workspace.id))
        ).all()
        for workspace in workspaces:
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
    query = _candidates(workspace_id=workspace_id, policy=policy, now=now, until=until, epoch=epoch)
    members = [member_from_row(row) for row in session.execute(query).all()]
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
        local = zone(member.state.timezone)
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
        tz = member.state.timezone
        first_try = next_send_time(policy=policy, tz=tz, after=max(now, local_midnight(due, tz)))
        decision, when = _settle(
            policy=policy,
            history=facts.get(member.person, Facts()).history(),
            state=member.state,
            when=first_try,
            until=until,
            cap_counts=cap_counts,
        )
        if not decision.allowed:
            report.skip(decision.reason or "refused")
        elif when <= until:  # later ones are planned by a later pass
            planned.append((member.id, when))
            taken.add(member.person)
            cap_counts[policy.cap_day(when)] += 1
    _insert(session=session, workspace_id=workspace_id, planned=planned, now=now, report=report)


def _candidates(
    *, workspace_id: int, policy: Policy, now: datetime, until: datetime, epoch: date
) -> sa.Select[Any]:
    """Active respondents who could be due: most of a big audience is ruled out in SQL.

    Someone already asked since the current cycle began is not due, nor is anyone whose slot's
    day has not come. When the pass straddles a cycle boundary (in some time zone), people not
    asked in the old cycle may still be overdue from it, whatever their slot. The exact check
    is `due_date`, in Python, on the few rows left.
    """
    cycle = policy.cadence_days
    query = select(*MEMBER_COLUMNS).where(
        Respondent.workspace_id == workspace_id, col(Respondent.active).is_(True)
    )
    latest_day = (until + _ZONE_SPREAD[1]).date()
    start = cycle_start(epoch=epoch, today=latest_day, cycle_days=cycle)
    old_start = cycle_start(epoch=epoch, today=(now - _ZONE_SPREAD[0]).date(), cycle_days=cycle)
    if (start - old_start).days > cycle:
        return query  # a cycle shorter than the pass: nothing to gain
    begun = slots_begun(cycle_days=cycle, start=start, day=latest_day, send_days=policy.send_days)
    slot_begun = col(Respondent.rotation_slot) % cycle < begun
    if old_start != start:
        return query.where(~_asked_since(start), sa.or_(slot_begun, ~_asked_since(old_start)))
    waiting = sa.and_(_joined_after_slot(start=start, policy=policy), ~_person_ever_asked())
    return query.where(~_asked_since(start), slot_begun, ~waiting)


def _joined_after_slot(*, start: date, policy: Policy) -> sa.ColumnElement[bool]:
    """Joined after their slot's last possible day this cycle: a newcomer waits a cycle.

    Slot days grow with the slot, so the threshold is a short CASE over runs of slots.
    """
    cycle, days = policy.cadence_days, policy.send_days
    slot = col(Respondent.rotation_slot) % cycle
    runs: list[tuple[int, date]] = []
    for number in range(cycle):
        last = slot_date(slot=number, cycle_days=cycle, start=start, send_days=days, offset=1.0)
        if runs and runs[-1][1] == last:
            runs[-1] = (number + 1, last)
        else:
            runs.append((number + 1, last))

    def after(day: date) -> sa.ColumnElement[datetime]:
        return sa.literal(datetime.combine(day + timedelta(days=1), time(), UTC), UTCDateTime())

    threshold = sa.case(
        *((slot < end, after(day)) for end, day in runs[:-1]), else_=after(runs[-1][1])
    )
    joined = col(Respondent.joined_at)
    return sa.and_(joined.is_not(None), joined >= threshold)


def _person_ever_asked() -> sa.ColumnElement[bool]:
    """This row, or another row of the same person, was ever asked."""
    other = sa.orm.aliased(Respondent)
    mine = select(Invitation.id).where(
        col(Invitation.respondent_id) == col(Respondent.id), col(Invitation.status).in_(ASKED)
    )
    theirs = (
        select(Invitation.id)
        .join(other, other.id == col(Invitation.respondent_id))
        .where(other.person_key == col(Respondent.person_key), col(Invitation.status).in_(ASKED))
    )
    return sa.or_(mine.exists(), sa.and_(col(Respondent.person_key).is_not(None), theirs.exists()))


def _asked_since(day: date) -> sa.Exists:
    return (
        select(Invitation.id)
        .where(
            col(Invitation.respondent_id) == col(Respondent.id),
            col(Invitation.status).in_(ASKED),
            asked_at() >= datetime.combine(day, time(), UTC),
        )
        .exists()
    )


def _settle(
    *,
    policy: Policy,
    history: History,
    state: RespondentState,
    when: datetime,
    until: datetime,
    cap_counts: Counter[date],
) -> tuple[Decision, datetime]:
    """Decide at `when`, following `not_before` while it stays inside the horizon.

    A gap ending at 10:30 on the due day should delay the send, not skip the day. Returns the
    last decision and the moment it was taken for.
    """
    decision = Decision(allowed=False)
    for _ in range(SETTLE_RETRIES):
        decision = decide(
            policy=policy,
            history=history,
            respondent_state=state,
            now=when,
            source="scheduled",
            sent_today=cap_counts[policy.cap_day(when)],
        )
        if decision.allowed or decision.not_before is None or decision.not_before > until:
            break
        when = decision.not_before
    return decision, when


def local_midnight(day: date, tz: str | None) -> datetime:
    """The first instant of `day` in the zone `tz`, in UTC."""
    return datetime.combine(day, time(), zone(tz)).astimezone(UTC)


def _insert(
    *,
    session: Session,
    workspace_id: int,
    planned: list[tuple[int, datetime]],
    now: datetime,
    report: PlanReport,
) -> None:
    """One multi-row INSERT; the rows are what `bot.store.create_invitation` would make."""
    if not planned:
        return
    rows = [
        {
            "workspace_id": workspace_id,
            "respondent_id": respondent_id,
            "source": InvitationSource.SCHEDULED.value,
            "status": InvitationStatus.PENDING.value,
            "due_at": due_at,
            "attempts": 0,
            "created_at": now,
        }
        for respondent_id, due_at in sorted(planned)
    ]
    ids = session.scalars(sa.insert(Invitation).returning(col(Invitation.id)), rows).all()
    report.planned += len(ids)
    report.invitation_ids.extend(ids)


def _cap_counts(
    *, session: Session, policy: Policy, workspace_id: int, now: datetime
) -> Counter[date]:
    """Invitations per cap day, from yesterday on; empty when there is no cap."""
    counts: Counter[date] = Counter()
    if policy.daily_cap is None:
        return counts
    rows = session.exec(
        select(Invitation.due_at).where(
            Invitation.workspace_id == workspace_id,
            col(Invitation.status).in_(ASKED),
            col(Invitation.due_at) >= now - timedelta(days=2),
        )
    ).all()
    counts.update(policy.cap_day(due_at) for due_at in rows if due_at is not None)
    return counts


def cap_usage(*, session: Session, policy: Policy, workspace_id: int, moment: datetime) -> int:
    """How many invitations count against the daily cap on the cap day of `moment`.

    For the triggered and manual paths, to pass as `sent_today` to `decide`.
    """
    tz = zone(policy.timezone)
    day = policy.cap_day(moment)
    start = datetime.combine(day, time(), tz).astimezone(UTC)
    end = datetime.combine(day + timedelta(days=1), time(), tz).astimezone(UTC)
    return session.exec(
        select(sa.func.count())
        .select_from(Invitation)
        .where(
            Invitation.workspace_id == workspace_id,
            col(Invitation.status).in_(ASKED),
            col(Invitation.due_at) >= start,
            col(Invitation.due_at) < end,
        )
    ).one()


def plan_reminders(*, db: Database, now: datetime) -> list[int]:
    """Unanswered, unexpired invitations whose one reminder is due now.

    Due means either the person pressed "Remind me later" and that moment has come, or the
    workspace reminds after N days and this invitation was never reminded. Reminders are not
    invitations (they start no gap and use no cap), but they still respect opt-out, the pause
    and the recipient's local send window: a nudge at 3 a.m. is fatigue too.
    """
    ids: list[int] = []
    with db.session() as session:
        workspaces = session.exec(select(Workspace).where(col(Workspace.paused).is_(False))).all()
        for workspace in workspaces:
            policy = Policy.from_workspace(workspace)
            asked_later = sa.and_(
                col(Invitation.remind_at).is_not(None), col(Invitation.remind_at) <= now
            )
            due = asked_later
            if workspace.reminder_after_days is not None:
                cutoff = now - timedelta(days=workspace.reminder_after_days)
                automatic = sa.and_(
                    col(Invitation.remind_at).is_(None),
                    col(Invitation.reminded_at).is_(None),
                    col(Invitation.sent_at) <= cutoff,
                )
                due = sa.or_(asked_later, automatic)
            rows = session.execute(
                select(Invitation.id, Respondent.timezone)
                .join(Respondent, col(Respondent.id) == col(Invitation.respondent_id))
                .outerjoin(Response, col(Response.invitation_id) == col(Invitation.id))
                .where(
                    Invitation.workspace_id == workspace.id,
                    Invitation.status == InvitationStatus.SENT,
                    due,
                    sa.or_(col(Invitation.expires_at).is_(None), col(Invitation.expires_at) > now),
                    col(Response.id).is_(None),
                    col(Respondent.opted_out).is_(False),
                    col(Respondent.unreachable).is_(False),
                )
                .order_by(col(Invitation.id))
            ).all()
            ids.extend(rid for rid, tz in rows if in_window(policy, tz, now))
    return ids
