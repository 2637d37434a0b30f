"""Reminders: one nudge per unanswered invitation, never two, inside the send window.

Due means the person pressed "Remind me later" and that moment has come, or the workspace
reminds after N days. Reminders are not invitations (they start no gap and use no cap), but
they still respect opt-out, the pause and the recipient's local send window.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Protocol

from sqlmodel import Session

from bot import store
from bot.answer import recipient_of
from bot.channel import (
    Channel,
    ChannelError,
    Question,
    RateLimited,
    Recipient,
    RecipientUnreachable,
)
from bot.clock import Clock
from bot.db import Database
from bot.models import Invitation, Respondent, Workspace
from scheduling.fatigue import Policy
from scheduling.pacing import Pacing
from scheduling.send_window import in_window
from scheduling.workspace_guard import WorkspaceGuard

log = logging.getLogger(__name__)


class QuestionFor(Protocol):
    """The question as this recipient reads it (their language), reminder wording or not."""

    def __call__(self, invitation_id: int, recipient: Recipient, *, reminder: bool) -> Question: ...


def plan_reminders(
    *, db: Database, now: datetime, guard: WorkspaceGuard | None = None
) -> list[int]:
    """Unanswered, unexpired invitations whose one reminder is due now, in their window:
    a nudge at 3 a.m. is fatigue too."""
    ids: list[int] = []

    def due(session: Session, workspace: Workspace) -> None:
        policy = Policy.from_workspace(workspace)
        rows = store.reminder_candidates(session=session, workspace=workspace, now=now)
        ids.extend(rid for rid, tz in rows if in_window(policy, tz, now))

    (guard or WorkspaceGuard(db=db)).each_workspace("reminders", due)
    return ids


async def send_reminders(
    *,
    db: Database,
    channels: dict[str, Channel],
    pacing: Pacing,
    question: QuestionFor,
    clock: Clock,
    invitation_ids: list[int],
) -> int:
    """Ask once more, never twice: `reminded_at` is set before the send, like a claim."""
    now = clock.now()
    reminded = 0
    for invitation_id in invitation_ids:
        with db.session() as session:
            claimed = store.claim_reminder(session=session, invitation_id=invitation_id, now=now)
            invitation = session.get(Invitation, invitation_id)
            respondent = session.get(Respondent, invitation.respondent_id) if invitation else None
        if not claimed or respondent is None or respondent.opted_out or respondent.unreachable:
            continue
        await pacing.acquire(respondent.platform)
        try:
            await channels[respondent.platform].send_question(
                recipient=recipient_of(respondent),
                question=question(invitation_id, recipient_of(respondent), reminder=True),
            )
            reminded += 1
        except RateLimited as exc:  # nothing sent: the reminder is due again after Retry-After
            pacing.slow_down(respondent.platform, exc.retry_after)
            with db.session() as session:
                store.release_reminder(
                    session=session,
                    invitation_id=invitation_id,
                    remind_at=clock.now() + timedelta(seconds=exc.retry_after),
                )
        except RecipientUnreachable as exc:
            with db.session() as session:
                store.mark_unreachable(
                    session=session, respondent_id=respondent.id or 0, error=str(exc)
                )
        except ChannelError:
            log.warning("reminder for invitation %s failed; not retried", invitation_id)
    return reminded
