"""The person's other choices in a survey: skip the comment, opt out, ask again later.

A mixin of `Survey`, which supplies the database, the channels, the catalogue and the lookups.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from sqlmodel import Session

from bot import outbound, store
from bot.answer import Outcome, recipient_of, words_for
from bot.events import FollowupSkipped, OptOutRequested, Origin, RemindLater
from bot.models import InvitationStatus, Respondent

if TYPE_CHECKING:
    from bot.channel import Channel
    from bot.clock import Clock
    from bot.db import Database
    from bot.i18n import Catalogue, Words
    from bot.settings import Settings


class Choices:
    """Skip, opt out and remind later, each one transaction and then one line back."""

    db: Database
    channels: dict[str, Channel]
    settings: Settings
    clock: Clock
    catalogue: Catalogue

    def _words(self, respondent: Respondent) -> Words:
        return words_for(self.catalogue, recipient_of(respondent))

    @staticmethod
    def _respondent(session: Session, origin: Origin) -> Respondent | None:
        return store.respondent_at(
            session=session,
            platform=origin.platform,
            external_id=origin.workspace,
            platform_user_id=origin.user_id,
        )

    async def on_skip(self, event: FollowupSkipped) -> Outcome:
        found = await self.db.run(self._record_skip, event, self.clock.now())
        if isinstance(found, Outcome):
            return found
        recipient = recipient_of(found)
        await self.channels[found.platform].send_text(
            recipient=recipient, text=words_for(self.catalogue, recipient).t("survey.thanks_score")
        )
        return Outcome(True)

    def _record_skip(
        self, session: Session, event: FollowupSkipped, now: datetime
    ) -> Respondent | Outcome:
        respondent = self._respondent(session, event.origin)
        if respondent is None:
            return Outcome(False, "not a respondent")
        window = timedelta(hours=self.settings.followup_window_hours)
        response = (
            store.response_for(session=session, invitation_id=event.invitation_id)
            if event.invitation_id is not None
            else store.awaiting_comment(
                session=session, respondent_id=respondent.id or 0, since=now - window
            )
        )
        if response is None or response.respondent_id != respondent.id:
            tell = self._words(respondent).t("survey.nothing_to_skip")
            return Outcome(False, "nothing to skip", tell=tell)
        if response.followup != "awaiting":
            return Outcome(False, "already finished")
        response.followup = "skipped"
        session.add(response)
        return respondent

    async def on_opt_out(self, event: OptOutRequested) -> Outcome:
        """Honour "don't ask me again" at once, and withdraw anything already queued."""
        respondent = await self.db.run(self._record_opt_out, event, self.clock.now())
        if respondent is None:
            return Outcome(False, "not a respondent")
        recipient = recipient_of(respondent)
        await self.channels[respondent.platform].send_text(
            recipient=recipient, text=words_for(self.catalogue, recipient).t("survey.opted_out")
        )
        return Outcome(True)

    def _record_opt_out(
        self, session: Session, event: OptOutRequested, now: datetime
    ) -> Respondent | None:
        respondent = self._respondent(session, event.origin)
        if respondent is None:
            return None
        if not respondent.opted_out:
            outbound.opted_out(
                session, respondent=respondent, now=now, anonymous=self.settings.anonymous
            )
        store.set_opted_out(session=session, respondent=respondent, opted_out=True, now=now)
        store.audit(
            session=session,
            workspace_id=respondent.workspace_id,
            actor=event.origin.user_id,
            action="optout",
            detail="respondent asked not to be surveyed again",
            now=now,
        )
        return respondent

    async def on_remind_later(self, event: RemindLater) -> str:
        """Defer the same invitation instead of dropping it; it stays open until then."""
        return await self.db.run(self._record_remind_later, event, self.clock.now())

    def _record_remind_later(self, session: Session, event: RemindLater, now: datetime) -> str:
        days = min(max(event.days, 1), 2)
        invitation = store.get_invitation(session=session, invitation_id=event.invitation_id)
        respondent = self._respondent(session, event.origin)
        if respondent is None:
            return self.catalogue.words().t("remind.not_yours")
        words = self._words(respondent)
        if invitation is None or invitation.respondent_id != respondent.id:
            return words.t("remind.not_yours")
        if invitation.status != InvitationStatus.SENT:
            return words.t("remind.closed")
        invitation.remind_at = now + timedelta(days=days)
        invitation.reminded_at = None
        if invitation.expires_at is not None:
            invitation.expires_at = max(invitation.expires_at, now + timedelta(days=days + 2))
        session.add(invitation)
        return words.t("remind.one_day") if days == 1 else words.t("remind.two_days")
