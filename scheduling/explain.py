"""Why someone was or was not asked, for `npsbot survey explain`.

It replays the planner's reasoning for one person: the same rotation, history and `decide`,
so the answer matches what the next planning pass will do.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime

from bot import store
from bot.db import Database
from bot.models import Workspace
from bot.store.history import Facts
from scheduling.bulk_planning import cap_usage, local_midnight, settle
from scheduling.fatigue import History, Policy, Reason, RespondentState
from scheduling.rotation import EPOCH, due_date, offset_for
from scheduling.send_window import next_send_time, zone

NOT_DUE_YET = "not due yet"
INACTIVE = "inactive"


@dataclass(frozen=True)
class Explanation:
    """Why someone was or was not asked, for `npsbot survey explain`."""

    respondent_id: int
    last_asked: datetime | None
    last_answered: datetime | None
    due_date: date | None
    next_due: datetime | None
    reason: str | None
    open_invitation_id: int | None = None


def explain(
    *,
    db: Database,
    workspace_id: int,
    platform_user_id: str,
    now: datetime,
    epoch: date = EPOCH,
    cap_timezone: str = "UTC",
) -> Explanation:
    """Last asked, last answered, next due, and what (if anything) holds the next ask back.

    `reason` is the first rule that pushes the next ask later than the rotation alone would:
    a `decide` reason, "not due yet" (the rotation), "inactive", or None (due now).
    """
    with db.session() as session:
        workspace = session.get(Workspace, workspace_id)
        respondent = store.find_respondent(
            session=session, workspace_id=workspace_id, platform_user_id=platform_user_id
        )
        if workspace is None or respondent is None or respondent.id is None:
            raise LookupError(f"no respondent {platform_user_id!r} in workspace {workspace_id}")
        policy = Policy.from_workspace(workspace, timezone=cap_timezone)
        member = store.member(session=session, respondent_id=respondent.id)
        persons = store.other_selves(session=session, members=[member])
        person = persons[respondent.id]
        fact = store.load_facts(session=session, persons=persons, now=now, since=None).get(
            person, Facts()
        )
        base = Explanation(
            respondent_id=respondent.id,
            last_asked=fact.last_sent_at,
            last_answered=fact.last_answered_at,
            due_date=None,
            next_due=None,
            reason=None,
        )
        waiting = store.open_invitation(session=session, respondent_ids=list(persons))
        if waiting is not None:
            return replace(base, next_due=waiting.due_at, open_invitation_id=waiting.id)
        if not respondent.active:
            return replace(base, reason=INACTIVE)
        tz = respondent.timezone
        local_today = now.astimezone(zone(tz)).date()
        due = due_date(
            slot=respondent.rotation_slot,
            cycle_days=policy.cadence_days,
            epoch=epoch,
            today=local_today,
            last_asked=fact.last_asked_day(),
            joined=respondent.joined_at.date() if respondent.joined_at else None,
            send_days=policy.send_days,
            offset=offset_for(respondent.id),
        )
        when = next_send_time(policy=policy, tz=tz, after=max(now, local_midnight(due, tz)))
        state = RespondentState(
            opted_out=respondent.opted_out, unreachable=respondent.unreachable, timezone=tz
        )
        settled = settle(
            policy=policy,
            history=History.of(fact),
            state=state,
            when=when,
            until=None,
            sent_on=lambda moment: cap_usage(
                session=session, policy=policy, workspace_id=workspace_id, moment=moment
            ),
        )
        decision, when = settled.decision, settled.when
        blocker = next(
            (d.reason for d in settled.followed if d.reason and d.reason != Reason.OUTSIDE_WINDOW),
            None,
        )
        if not decision.allowed and decision.not_before is None:
            return replace(base, due_date=due, reason=decision.reason)
        reason = blocker or (NOT_DUE_YET if due > local_today else None)
        return replace(base, due_date=due, next_due=when, reason=reason)
