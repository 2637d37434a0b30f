"""Surveys after a transaction: `POST /api/v1/triggers` schedules one if the policy allows.

A trigger the policy refuses is still recorded, as a suppressed invitation with its reason,
so `/nps status` and `npsbot survey explain` can say why nobody was asked. A person the
trigger API is the first to name is asked about that event only; they join the rolling
rotation (asked every cadence) only with NPSBOT_TRIGGER_JOINS_ROTATION=true, so an unknown id
sent by another system never puts a stranger on the 90-day schedule.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from bot import store
from bot.api import TriggerOutcome
from bot.db import Database
from bot.models import InvitationSource, InvitationStatus
from scheduling.single_sends import admit


def schedule_trigger(
    *,
    db: Database,
    platform: str,
    user_id: str,
    event: str,
    delay: timedelta,
    attributes: dict[str, str],
    now: datetime,
    cap_timezone: str = "UTC",
    workspace: str | None = None,
    joins_rotation: bool = False,
) -> TriggerOutcome:
    """Record the trigger and, policy permitting, an invitation due after `delay`."""
    due = now + delay
    with db.session() as session:
        target = store.sole_workspace(session=session, platform=platform, external_id=workspace)
        known = store.find_respondent(
            session=session, workspace_id=target.id or 0, platform_user_id=user_id
        )
        respondent = store.upsert_respondent(
            session=session,
            workspace=target,
            platform_user_id=user_id,
            now=now,
            attributes=attributes,
            active=None if known is not None or joins_rotation else False,
        )
        decision = admit(
            session=session,
            respondent_id=respondent.id or 0,
            now=due,
            source="triggered",
            event=event,
            cap_timezone=cap_timezone,
        )
        scheduled = decision.allowed or decision.deferrable
        if decision.deferrable and decision.not_before is not None:
            due = decision.not_before
        invitation = store.create_invitation(
            session=session,
            respondent=respondent,
            source=InvitationSource.TRIGGERED,
            event=event,
            due_at=due,
            now=now,
            status=InvitationStatus.PENDING if scheduled else InvitationStatus.SUPPRESSED,
            reason=None if scheduled else decision.reason,
        )
        if scheduled:
            return TriggerOutcome("scheduled", invitation.id or 0, due)
        return TriggerOutcome("suppressed", invitation.id or 0, None, decision.reason)
