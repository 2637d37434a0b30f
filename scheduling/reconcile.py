"""Reconciliation: did an uncertain send arrive? Ask the chat, then send once or never.

A send is `uncertain` when its request may have reached the platform but no answer came back
(a timeout, a process killed while the row was `sending`). Sending it blindly again could ask
the person twice; never sending it loses them for a whole gap. So, once the send has settled
(`SETTLE` after its last sign of life, for a request the client gave up on that the platform
may still be processing), a job reads the person's chat from just before the attempt:

- the question is there (Slack: its message metadata or block ids name the invitation): the
  row becomes `sent`, with the message's place, so a click updates it like any other;
- it is not: the row goes back to `pending`, due now, and the next pass sends it once; a
  resend whose outcome is unknown in turn is not sent a third time but released (below);
- the history cannot be read (a missing scope, the DM cannot be opened, a 429, a timeout):
  the row stays `uncertain` with the reason and is looked at again after `RETRY`.

Telegram's Bot API cannot read a chat's history. An uncertain Telegram send (and any row no
look could settle) counts as asked until its expiry, `expiry_days` after the attempt, and is
then released as `expired`: still counted as asked, so the gap for unanswered invitations runs
from the attempt and the person becomes eligible again in the next cycle, never resent inside
the gap and never counted as answered.

The job is safe across replicas: rows are claimed through the store (`store.claim_uncertain`)
and every settlement is conditional on the claim; a replica that dies holding one leaves it to
come due again after `HOLD`.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlmodel import Session

from bot import store
from bot.answer import recipient_of
from bot.channel import Channel, ChannelError, MessageRef, RateLimited, Recipient
from bot.clock import Clock
from bot.db import Database
from bot.metrics import Metrics

log = logging.getLogger(__name__)

SETTLE = timedelta(minutes=2)
HOLD = timedelta(minutes=2)
"""How long a claimed look keeps other replicas off the row."""
RETRY = timedelta(minutes=15)
"""When a history that could not be read is tried again."""
SKEW = timedelta(minutes=5)
"""The history is read from this long before the attempt (clocks differ)."""
BATCH = 20
"""Looks per run: at one run every RECONCILE_INTERVAL, within Tier 3's ~50 calls a minute."""
RECONCILE_INTERVAL = timedelta(seconds=30)


@dataclass(frozen=True, slots=True)
class Look:
    """One claimed uncertain row and where to look for it."""

    invitation_id: int
    respondent_id: int
    platform: str
    recipient: Recipient
    since: datetime


@dataclass
class ReconcileReport:
    found: int = 0
    missing: int = 0
    unknown: int = 0
    released: int = 0


class Reconciler:
    """Settles this deployment's uncertain sends (see the module's docstring)."""

    def __init__(
        self,
        *,
        db: Database,
        channels: dict[str, Channel],
        clock: Clock,
        worker: str,
        settle: timedelta = SETTLE,
        batch: int = BATCH,
        metrics: Metrics | None = None,
    ) -> None:
        self.db = db
        self.channels = channels
        self.clock = clock
        self.worker = worker
        self.settle = settle
        self.batch = batch
        self.metrics = metrics or Metrics()

    async def run(self) -> ReconcileReport:
        """Release what expired, then look at what is ready, one row at a time."""
        report = ReconcileReport()
        now = self.clock.now()
        report.released = await self.db.run(
            lambda session: store.release_uncertain(session=session, now=now)
        )
        platforms = sorted(p for p, channel in self.channels.items() if channel.reads_history)
        looks = await self.db.run(self._claim, now, platforms) if platforms else []
        for look in looks:
            if not await self._settle(look, report):
                break  # rate limited: the rest of the claims come due again after HOLD
        for outcome in ("found", "missing", "unknown", "released"):
            if count := getattr(report, outcome):
                self.metrics.uncertain_settled.labels(outcome=outcome).inc(count)
        if report.found or report.missing or report.unknown or report.released:
            log.info(
                "uncertain sends: %s found, %s sent again, %s still unknown, %s released",
                report.found,
                report.missing,
                report.unknown,
                report.released,
            )
        return report

    def _claim(self, session: Session, now: datetime, platforms: list[str]) -> list[Look]:
        ids = store.claim_uncertain(
            session=session,
            now=now,
            settled_before=now - self.settle,
            worker=self.worker,
            platforms=platforms,
            limit=self.batch,
            hold=HOLD,
            skip_locked=self.db.is_postgres,
        )
        return [
            Look(
                invitation_id=invitation.id or 0,
                respondent_id=respondent.id or 0,
                platform=respondent.platform,
                recipient=recipient_of(respondent),
                since=(invitation.due_at or invitation.created_at or now) - SKEW,
            )
            for invitation, respondent in store.uncertain_claims(
                session=session, ids=ids, worker=self.worker
            )
        ]

    async def _settle(self, look: Look, report: ReconcileReport) -> bool:
        """Look for one row and record what was learnt; False after a 429."""
        now = self.clock.now()
        try:
            ref = await self.channels[look.platform].find_question(
                recipient=look.recipient,
                invitation_id=look.invitation_id,
                since=look.since,
                until=now + SKEW,
            )
        except RateLimited as exc:
            report.unknown += 1
            later = now + timedelta(seconds=exc.retry_after)
            await self.db.run(self._unknown, look, f"history not read yet: {exc}", later)
            return False
        except ChannelError as exc:
            report.unknown += 1
            await self.db.run(self._unknown, look, f"history not readable: {exc}", now + RETRY)
            return True
        if ref is None:
            settled = await self.db.run(self._missing, look, now)
            report.missing += settled == "resent"
            report.released += settled == "released"
        else:
            report.found += 1
            await self.db.run(self._found, look, ref)
        return True

    def _found(self, session: Session, look: Look, ref: MessageRef) -> None:
        store.reconciled_sent(
            session=session,
            invitation_id=look.invitation_id,
            respondent_id=look.respondent_id,
            worker=self.worker,
            chat_id=ref.chat_id,
            message_id=ref.message_id,
            sent_at=_posted_at(ref.message_id, fallback=self.clock.now()),
        )

    def _missing(self, session: Session, look: Look, now: datetime) -> str:
        return store.reconciled_missing(
            session=session, invitation_id=look.invitation_id, worker=self.worker, now=now
        )

    def _unknown(self, session: Session, look: Look, reason: str, later: datetime) -> None:
        store.still_uncertain(
            session=session,
            invitation_id=look.invitation_id,
            worker=self.worker,
            reason=reason,
            look_again_at=later,
        )


def _posted_at(message_id: str, *, fallback: datetime) -> datetime:
    """When a message was posted, from a Slack-style `seconds.micros` id."""
    try:
        return datetime.fromtimestamp(float(message_id), UTC)
    except (ValueError, OverflowError):
        return fallback
