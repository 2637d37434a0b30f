"""Single sends: one person on the manual or triggered path, admitted and sent now.

The planner decides for a whole audience in bulk; a lead's manual send or an event trigger
asks about a single person, now. Both go through the same `decide`, fed the same merged
history, so no path can dodge the fatigue rules the scheduled path obeys.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import replace
from datetime import datetime

from sqlmodel import Session

from bot import store
from bot.clock import Clock
from bot.db import Database
from bot.invites import InviteResult
from bot.models import Invitation, InvitationSource, InvitationStatus, Respondent, Workspace
from bot.settings import Settings
from bot.store.history import Facts
from scheduling.bulk_planning import cap_usage
from scheduling.fatigue import Decision, History, Policy, RespondentState, Source, decide
from scheduling.journal import DO_NOT_DISTURB

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


async def invite_now(
    *,
    db: Database,
    settings: Settings,
    clock: Clock,
    worker: str,
    deliver: Callable[[int], Awaitable[str]],
    respondent_id: int,
    force: bool = False,
) -> InviteResult:
    """Invite one person (admin `send`, CLI `survey send`) under the fatigue policy.

    Without `force` the gaps, the daily cap and the person's send window apply: outside
    the window the invitation is scheduled for the next opening instead. `force` sends
    now whatever the gaps and window say, but never to someone who opted out.
    """
    now = clock.now()
    with db.session() as session:
        respondent = session.get(Respondent, respondent_id)
        if respondent is None:
            return _refused("unknown respondent")
        if respondent.opted_out:
            return _refused("they opted out of surveys")
        if respondent.unreachable:
            return _refused("the platform says they cannot be messaged")
        decision = admit(
            session=session,
            respondent_id=respondent_id,
            now=now,
            source="manual",
            force=force,
            cap_timezone=settings.digest_timezone,
        )
        if not force and not decision.allowed and not decision.deferrable:
            return _declined(decision)
        due = decision.not_before if not force and decision.deferrable else None
        invitation = store.create_invitation(
            session=session,
            respondent=respondent,
            source=InvitationSource.MANUAL,
            due_at=due or now,
            now=now,
        )
        invitation_id = invitation.id or 0
        if due is not None:
            return replace(_declined(decision), scheduled_for=due)
        store.claim(session=session, ids=[invitation_id], now=now, worker=worker)
    status = await deliver(invitation_id)
    if status == InvitationStatus.SENT:
        return InviteResult(True)
    with db.session() as session:
        after = session.get(Invitation, invitation_id)
        reason = (after.reason or after.last_error) if after else None
    if after is not None and after.reason == DO_NOT_DISTURB and after.due_at:
        due = after.due_at
        line = f"{reason}; scheduled for {due:%Y-%m-%d %H:%M} UTC"
        return InviteResult(False, line, due, why=DO_NOT_DISTURB)
    return InviteResult(False, reason or status, why=(after.reason or "") if after else "")


def _refused(reason: str) -> InviteResult:
    return InviteResult(False, reason, why=reason)


def _declined(decision: Decision) -> InviteResult:
    """Not now, in English and as a code with the next moment the rules allow."""
    return InviteResult(
        False, _explain(decision), why=str(decision.reason or ""), next_possible=decision.not_before
    )


def _explain(decision: Decision) -> str:
    when = (
        f" (next possible {decision.not_before:%Y-%m-%d %H:%M} UTC)" if decision.not_before else ""
    )
    if decision.deferrable:
        return f"outside their send window; scheduled for {decision.not_before:%Y-%m-%d %H:%M} UTC"
    return f"{decision.reason}{when}"
