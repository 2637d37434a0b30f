"""'You said, we did' deliveries: each person told once, in their own send window.

Like invitations they respect the pause (paused workspaces are not planned), opt-out and
the daily cap (announcements and invitations share it), and they are claimed before the
send, so a crash or a second replica never tells anyone twice. A send that fails is not
retried: it may have reached the person, and an announcement is not worth saying twice.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta

from sqlmodel import Session

from bot import store, wording
from bot.answer import recipient_of, words_for
from bot.channel import Channel, ChannelError, RecipientUnreachable
from bot.clock import Clock
from bot.db import Database
from bot.i18n import Catalogue
from bot.models import Workspace
from scheduling.fatigue import Policy
from scheduling.pacing import Pacing
from scheduling.send_window import in_window, next_send_time, zone
from scheduling.workspace_guard import WorkspaceGuard

log = logging.getLogger(__name__)


def _cap_day(policy: Policy, now: datetime) -> tuple[datetime, datetime]:
    """[start, end) in UTC of the workspace-local day the cap counts `now` against."""
    tz, day = zone(policy.timezone), policy.cap_day(now)
    start = datetime.combine(day, time(), tz).astimezone(UTC)
    return start, datetime.combine(day + timedelta(days=1), time(), tz).astimezone(UTC)


def plan_announcements(
    *, db: Database, now: datetime, cap_timezone: str, guard: WorkspaceGuard | None = None
) -> list[int]:
    """Deliveries to send now; the rest move to their person's next window (or the next day
    when the cap is used up), and those to people who opted out are dropped."""
    ids: list[int] = []

    def due(session: Session, workspace: Workspace) -> None:
        workspace_id = workspace.id or 0
        rows = store.due_deliveries(session=session, workspace_id=workspace_id, now=now)
        if not rows:
            return
        policy = Policy.from_workspace(workspace, timezone=cap_timezone)
        start, end = _cap_day(policy, now)
        left = None
        if policy.daily_cap is not None:
            today = store.Span(start, end, [workspace_id])
            used = store.asked_between(
                session=session, workspace_id=workspace_id, start=start, end=end
            ) + store.told_count(session=session, span=today)
            left = policy.daily_cap - used
        for delivery, respondent in rows:
            tz = respondent.timezone
            if respondent.opted_out or respondent.unreachable or not respondent.active:
                reason = "opted out" if respondent.opted_out else "unreachable or inactive"
                store.settle_delivery(
                    session=session,
                    delivery_id=delivery.id or 0,
                    status="skipped",
                    now=now,
                    reason=reason,
                )
            elif not in_window(policy, tz, now):
                delivery.due_at = next_send_time(policy=policy, tz=tz, after=now)
            elif left is not None and left <= 0:
                delivery.due_at = next_send_time(policy=policy, tz=tz, after=end)
            else:
                ids.append(delivery.id or 0)
                left = None if left is None else left - 1
            session.add(delivery)

    (guard or WorkspaceGuard(db=db)).each_workspace("announcements", due)
    return ids


@dataclass(frozen=True, slots=True)
class Announcer:
    """Sends the deliveries `plan_announcements` found: claim, send, record, one at a time."""

    db: Database
    channels: dict[str, Channel]
    pacing: Pacing
    catalogue: Catalogue
    company: str
    clock: Clock

    async def send(self, delivery_ids: list[int]) -> int:
        """Returns how many people were told."""
        told = 0
        for delivery_id in delivery_ids:
            told += await self._tell(delivery_id)
        return told

    async def _tell(self, delivery_id: int) -> int:
        now = self.clock.now()
        claimed = await self.db.run(
            lambda session: store.claim_delivery(session=session, delivery_id=delivery_id, now=now)
        )
        if claimed is None:
            return 0  # another replica has it
        _, announcement, respondent = claimed
        recipient = recipient_of(respondent)
        words = words_for(self.catalogue, recipient)
        text = wording.announcement(words, company=self.company, text=announcement.text)
        await self.pacing.acquire(respondent.platform)
        status, reason = "sent", None
        try:
            await self.channels[respondent.platform].send_text(recipient=recipient, text=text)
        except RecipientUnreachable as exc:
            status, reason = "failed", (why := str(exc))
            await self.db.run(
                lambda session: store.mark_unreachable(
                    session=session, respondent_id=respondent.id or 0, error=why
                )
            )
        except ChannelError as exc:
            status, reason = "failed", str(exc)
            log.warning("announcement delivery %s failed; not retried: %s", delivery_id, exc)
        done = self.clock.now()
        await self.db.run(
            lambda session: store.settle_delivery(
                session=session, delivery_id=delivery_id, status=status, now=done, reason=reason
            )
        )
        return int(status == "sent")
