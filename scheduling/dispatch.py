"""Crash-safe sending: claim -> send -> record.

A survey sent twice is worse than one sent late. An invitation moves
pending -> claimed -> sending -> sent, each step committed before the next. After a crash a
`claimed` row never reached the platform and goes back to pending; a `sending` row may have
reached it and becomes `uncertain` instead of being sent blindly again.
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlmodel import Session, col, select

from bot import store
from bot.admin import InviteResult
from bot.clock import Clock
from bot.db import Database
from bot.models import Invitation, InvitationSource, InvitationStatus, Respondent, Workspace
from bot.settings import Settings
from bot.survey import question_for, recipient_of
from channels.base import Channel, ChannelError, RecipientUnreachable
from scheduling.planner import admit
from scheduling.policy import Decision

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 5


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


@dataclass
class PassReport:
    """What one dispatch pass did."""

    sent: int = 0
    failed: int = 0
    unreachable: int = 0
    retried: int = 0
    skipped: dict[str, int] = field(default_factory=dict)


class Dispatcher:
    """Sends due invitations through the right channel, at most once each."""

    def __init__(
        self,
        *,
        db: Database,
        channels: dict[str, Channel],
        settings: Settings,
        clock: Clock,
        worker: str | None = None,
        concurrency: int = 8,
    ) -> None:
        self.db = db
        self.channels = channels
        self.settings = settings
        self.clock = clock
        self.worker = worker or worker_name()
        self.concurrency = concurrency

    def claim_due(self, *, limit: int) -> list[int]:
        """Claim up to `limit` due invitations; rows another replica holds are skipped."""
        now = self.clock.now()
        with self.db.session() as session:
            query = (
                select(Invitation.id)
                .where(
                    Invitation.status == InvitationStatus.PENDING,
                    col(Invitation.due_at) <= now,
                )
                .order_by(col(Invitation.due_at), col(Invitation.id))
                .limit(limit)
            )
            if self.db.is_postgres:
                query = query.with_for_update(skip_locked=True)
            ids = [row for row in session.exec(query).all() if row is not None]
            return self._claim(session, ids, now) if ids else []

    def _claim(self, session: Session, ids: list[int], now: datetime) -> list[int]:
        """Move pending rows to claimed; a row someone else claimed first is left alone."""
        claimed = session.execute(
            sa.update(Invitation)
            .where(
                col(Invitation.id).in_(ids),
                col(Invitation.status) == InvitationStatus.PENDING,
            )
            .values(
                status=InvitationStatus.CLAIMED,
                claimed_at=now,
                claimed_by=self.worker,
                attempts=Invitation.attempts + 1,
            )
            .returning(Invitation.id)
        ).all()
        return [row[0] for row in claimed]

    async def invite_now(self, *, respondent_id: int, force: bool = False) -> InviteResult:
        """Invite one person (admin `send`, CLI `survey send`) under the fatigue policy.

        Without `force` the gaps, the daily cap and the person's send window apply: outside
        the window the invitation is scheduled for the next opening instead. `force` sends
        now whatever the gaps and window say, but never to someone who opted out.
        """
        now = self.clock.now()
        with self.db.session() as session:
            respondent = session.get(Respondent, respondent_id)
            if respondent is None:
                return InviteResult(False, "unknown respondent")
            if respondent.opted_out:
                return InviteResult(False, "they opted out of surveys")
            if respondent.unreachable:
                return InviteResult(False, "the platform says they cannot be messaged")
            decision = admit(
                session=session,
                respondent_id=respondent_id,
                now=now,
                source="manual",
                force=force,
                cap_timezone=self.settings.digest_timezone,
            )
            if not force and not decision.allowed and not decision.deferrable:
                return InviteResult(False, _explain(decision))
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
                return InviteResult(False, _explain(decision), scheduled_for=due)
            self._claim(session, [invitation_id], now)
        status = await self.deliver(invitation_id)
        if status == InvitationStatus.SENT:
            return InviteResult(True)
        with self.db.session() as session:
            invitation = session.get(Invitation, invitation_id)
            reason = (invitation.reason or invitation.last_error) if invitation else None
        return InviteResult(False, reason or status)

    def recover(self, *, older_than: timedelta = timedelta(minutes=5)) -> tuple[int, int]:
        """Settle claims left by a dead process: retry `claimed`, flag `sending` uncertain."""
        cutoff = self.clock.now() - older_than
        with self.db.session() as session:
            retried = session.execute(
                sa.update(Invitation)
                .where(
                    col(Invitation.status) == InvitationStatus.CLAIMED,
                    col(Invitation.claimed_at) < cutoff,
                )
                .values(status=InvitationStatus.PENDING, claimed_by=None)
            ).rowcount
            uncertain = session.execute(
                sa.update(Invitation)
                .where(
                    col(Invitation.status) == InvitationStatus.SENDING,
                    col(Invitation.claimed_at) < cutoff,
                )
                .values(
                    status=InvitationStatus.UNCERTAIN,
                    reason="process stopped while sending; not resent to avoid a duplicate",
                )
            ).rowcount
        return retried or 0, uncertain or 0

    async def run_pass(self, *, batch: int = 200) -> PassReport:
        """Send everything due now, in batches, with bounded concurrency."""
        report = PassReport()
        gate = asyncio.Semaphore(self.concurrency)

        async def one(invitation_id: int) -> None:
            async with gate:
                await self.deliver(invitation_id, report)

        while ids := self.claim_due(limit=batch):
            await asyncio.gather(*(one(invitation_id) for invitation_id in ids))
        return report

    async def deliver(self, invitation_id: int, report: PassReport | None = None) -> str:
        """Send one claimed invitation and record the outcome; returns the new status."""
        report = report or PassReport()
        now = self.clock.now()
        with self.db.session() as session:
            invitation = session.get(Invitation, invitation_id)
            if invitation is None or invitation.status != InvitationStatus.CLAIMED:
                return invitation.status if invitation else "missing"
            respondent = session.get(Respondent, invitation.respondent_id)
            workspace = session.get(Workspace, invitation.workspace_id)
            assert respondent is not None and workspace is not None
            if respondent.opted_out or respondent.unreachable:
                reason = "opted out" if respondent.opted_out else "unreachable"
                invitation.status = InvitationStatus.SUPPRESSED
                invitation.reason = reason
                session.add(invitation)
                report.skipped[reason] = report.skipped.get(reason, 0) + 1
                return invitation.status
            invitation.status = InvitationStatus.SENDING
            session.add(invitation)
            recipient = recipient_of(respondent)
            expiry_days = workspace.expiry_days
        channel = self.channels[respondent.platform]
        try:
            ref = await channel.send_question(
                recipient=recipient, question=question_for(invitation_id, self.settings)
            )
        except RecipientUnreachable as exc:
            report.unreachable += 1
            return self._finish_unreachable(invitation_id, respondent.id or 0, str(exc))
        except ChannelError as exc:
            report.failed += 1
            return self._finish_failed(invitation_id, str(exc))
        sent_at = self.clock.now()
        with self.db.session() as session:
            session.execute(
                sa.update(Invitation)
                .where(col(Invitation.id) == invitation_id)
                .values(
                    status=InvitationStatus.SENT,
                    sent_at=sent_at,
                    expires_at=sent_at + timedelta(days=expiry_days),
                    chat_ref=ref.chat_id,
                    message_ref=ref.message_id,
                    last_error=None,
                )
            )
            if respondent.dm_channel != ref.chat_id:
                session.execute(
                    sa.update(Respondent)
                    .where(col(Respondent.id) == respondent.id)
                    .values(dm_channel=ref.chat_id)
                )
        report.sent += 1
        log.debug("invitation %s sent at %s (claimed %s)", invitation_id, sent_at, now)
        return InvitationStatus.SENT

    async def remind(self, invitation_ids: list[int]) -> int:
        """Ask once more, never twice: `reminded_at` is set before the send, like a claim."""
        now = self.clock.now()
        reminded = 0
        for invitation_id in invitation_ids:
            with self.db.session() as session:
                claimed = session.execute(
                    sa.update(Invitation)
                    .where(
                        col(Invitation.id) == invitation_id,
                        col(Invitation.status) == InvitationStatus.SENT,
                        col(Invitation.reminded_at).is_(None),
                    )
                    .values(reminded_at=now, remind_at=None)
                ).rowcount
                respondent = session.get(
                    Respondent, session.get(Invitation, invitation_id).respondent_id
                )  # type: ignore[union-attr]
            if not claimed or respondent is None or respondent.opted_out or respondent.unreachable:
                continue
            try:
                await self.channels[respondent.platform].send_question(
                    recipient=recipient_of(respondent),
                    question=question_for(invitation_id, self.settings, reminder=True),
                )
                reminded += 1
            except RecipientUnreachable as exc:
                self._mark_unreachable(respondent.id or 0, str(exc))
            except ChannelError:
                log.warning("reminder for invitation %s failed; not retried", invitation_id)
        return reminded

    def _mark_unreachable(self, respondent_id: int, error: str) -> None:
        with self.db.session() as session:
            session.execute(
                sa.update(Respondent)
                .where(col(Respondent.id) == respondent_id)
                .values(unreachable=True, unreachable_reason=error[:200])
            )

    def _finish_unreachable(self, invitation_id: int, respondent_id: int, error: str) -> str:
        self._mark_unreachable(respondent_id, error)
        with self.db.session() as session:
            session.execute(
                sa.update(Invitation)
                .where(col(Invitation.id) == invitation_id)
                .values(
                    status=InvitationStatus.FAILED, reason="unreachable", last_error=error[:500]
                )
            )
        return InvitationStatus.FAILED

    def _finish_failed(self, invitation_id: int, error: str) -> str:
        """A send the platform refused: try again later, up to MAX_ATTEMPTS."""
        with self.db.session() as session:
            invitation = session.get(Invitation, invitation_id)
            assert invitation is not None
            gave_up = invitation.attempts >= MAX_ATTEMPTS
            invitation.status = InvitationStatus.FAILED if gave_up else InvitationStatus.PENDING
            invitation.due_at = self.clock.now() + timedelta(minutes=2**invitation.attempts)
            invitation.last_error = error[:500]
            session.add(invitation)
            return invitation.status


def _explain(decision: Decision) -> str:
    when = (
        f" (next possible {decision.not_before:%Y-%m-%d %H:%M} UTC)" if decision.not_before else ""
    )
    if decision.deferrable:
        return f"outside their send window; scheduled for {decision.not_before:%Y-%m-%d %H:%M} UTC"
    return f"{decision.reason}{when}"
