"""Admission for one person on the manual or triggered path.

The planner decides for a whole audience in bulk; a lead's manual send or an event trigger
asks about a single person, now. Both go through the same `decide`, fed the same merged
history, so no path can dodge the fatigue rules the scheduled path obeys.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Session, col, select

from bot.models import Invitation, InvitationStatus, Respondent, Workspace
from scheduling.history import MEMBER_COLUMNS, Facts, load_facts, member_from_row, other_selves
from scheduling.planner import cap_usage
from scheduling.policy import Decision, Policy, Source, decide

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
    member = member_from_row(
        session.execute(select(*MEMBER_COLUMNS).where(col(Respondent.id) == respondent_id)).one()
    )
    persons = other_selves(session=session, members=[member])
    facts = load_facts(session=session, persons=persons, now=now, since=None).get(
        member.person, Facts()
    )
    if facts.has_open and not force:
        return Decision(allowed=False, reason=OPEN_INVITATION)
    history = facts.history()
    if event is not None:
        last_trigger = session.execute(
            sa.select(sa.func.max(Invitation.created_at)).where(
                col(Invitation.respondent_id).in_(list(persons)),
                col(Invitation.source) == "triggered",
                col(Invitation.event) == event,
                col(Invitation.status) != InvitationStatus.SUPPRESSED,
            )
        ).scalar_one_or_none()
        if last_trigger is not None:
            history = replace(history, last_triggered_at={event: last_trigger})
    return decide(
        policy=policy,
        history=history,
        respondent_state=member.state,
        now=now,
        source=source,
        event=event,
        force=force,
        sent_today=cap_usage(
            session=session, policy=policy, workspace_id=workspace.id or 0, moment=now
        ),
    )
