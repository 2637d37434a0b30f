"""Admission for one person on the manual or triggered path.

The planner decides for a whole audience in bulk; a lead's manual send or an event trigger
asks about a single person, now. Both go through the same `decide`, fed the same merged
history, so no path can dodge the fatigue rules the scheduled path obeys.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from sqlmodel import Session

from bot import store
from bot.models import Respondent, Workspace
from bot.store.history import Facts
from scheduling.planner import cap_usage
from scheduling.policy import Decision, History, Policy, RespondentState, Source, decide

OPEN_INVITATION = "a survey is already open"


def admit(
    *,
    session: Session,
    respondent_id: int,
    now: datetime,
    source: Source,
    event: str | None = None,
    force: bool = False,
    cap_timezone: str = "UTC",
) -> Decision:
    """May this one person be asked at `now` on the manual or triggered path?

    The same `decide` as the planner, fed with the person's merged history across platforms,
    the last trigger of this event type, today's cap usage, and any invitation still open.
    """
    respondent = session.get(Respondent, respondent_id)
    if respondent is None:
        raise LookupError(f"no respondent {respondent_id}")
    workspace = session.get(Workspace, respondent.workspace_id)
    assert workspace is not None
    policy = Policy.from_workspace(workspace, timezone=cap_timezone)
    member = store.member(session=session, respondent_id=respondent_id)
    persons = store.other_selves(session=session, members=[member])
    facts = store.load_facts(session=session, persons=persons, now=now, since=None).get(
        member.person, Facts()
    )
    if facts.has_open and not force:
        return Decision(allowed=False, reason=OPEN_INVITATION)
    history = History.of(facts)
    if event is not None:
        last_trigger = store.last_trigger(
            session=session, respondent_ids=list(persons), event=event
        )
        if last_trigger is not None:
            history = replace(history, last_triggered_at={event: last_trigger})
    return decide(
        policy=policy,
        history=history,
        respondent_state=RespondentState.of(member),
        now=now,
        source=source,
        event=event,
        force=force,
        sent_today=cap_usage(
            session=session, policy=policy, workspace_id=workspace.id or 0, moment=now
        ),
    )
