"""The survey conversation: score -> follow-up -> comment -> thanks.

Every handler is idempotent: platforms retry, people double-click, and a replay of the
same delivery must never create a second answer.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta
from typing import Protocol

from sqlmodel import Session

from bot import store, wording
from bot.channel import Channel, MessageRef, Recipient
from bot.clock import Clock
from bot.db import Database
from bot.events import (
    CommentSubmitted,
    FollowupSkipped,
    OptOutRequested,
    Origin,
    RemindLater,
    ScoreSubmitted,
)
from bot.i18n import Catalogue, Words
from bot.models import Invitation, InvitationStatus, Respondent, Response
from bot.settings import Settings
from scoring.language import UNDETERMINED
from scoring.sentiment import analyse

log = logging.getLogger(__name__)

COMMENT_LIMIT = 20_000


def recipient_of(respondent: Respondent) -> Recipient:
    return Recipient(
        user_id=respondent.platform_user_id,
        chat_id=respondent.dm_channel,
        name=respondent.display_name,
        locale=respondent.locale,
        language=respondent.language,
    )


def words_for(catalogue: Catalogue, recipient: Recipient) -> Words:
    """The person's chosen language, else their platform's, else the default."""
    return catalogue.for_person(explicit=recipient.language, platform=recipient.locale)


@dataclass(frozen=True, slots=True)
class Outcome:
    """What a handler did: `message` is the internal reason (logs, tests), `tell` is what
    the person should read, when anything at all."""

    recorded: bool
    message: str = ""
    tell: str | None = None


class Survey:
    """Turns neutral events into stored answers and the bot's replies."""

    def __init__(
        self,
        *,
        db: Database,
        channels: dict[str, Channel],
        settings: Settings,
        catalogue: Catalogue,
        clock: Clock,
        alerts: AlertSink | None = None,
    ) -> None:
        self.db = db
        self.channels = channels
        self.settings = settings
        self.catalogue = catalogue
        self.clock = clock
        self.alerts = alerts

    def _first_delivery(self, origin: Origin, kind: str) -> bool:
        if origin.delivery_id is None:
            return True
        key = f"{origin.platform}:{kind}:{origin.delivery_id}"
        with self.db.session() as session:
            return store.mark_processed(session=session, key=key, now=self.clock.now())

    async def on_score(self, event: ScoreSubmitted) -> Outcome:
        """Record a score, or replace it while the invitation is open; then ask the follow-up."""
        if not 0 <= event.score <= 10:
            words = self.catalogue.words()
            return Outcome(False, "score out of range", tell=words.t("survey.score_range"))
        if not self._first_delivery(event.origin, "score"):
            return Outcome(False, "duplicate delivery")
        now = self.clock.now()
        with self.db.session() as session:
            invitation = store.get_invitation(session=session, invitation_id=event.invitation_id)
            respondent = session.get(Respondent, invitation.respondent_id) if invitation else None
            if invitation is None or respondent is None:
                return Outcome(False, "unknown invitation")
            if respondent.platform_user_id != event.origin.user_id:
                clicker = self._respondent(session, event.origin)
                words = self._words(clicker) if clicker else self.catalogue.words()
                return Outcome(False, "not the invitee", tell=words.t("survey.not_yours"))
            closed = invitation.status == InvitationStatus.EXPIRED or (
                invitation.expires_at is not None and now >= invitation.expires_at
            )
            response = store.response_for(session=session, invitation_id=event.invitation_id)
            previous = response.score if response else None
            if not closed and previous != event.score:
                response = self._store_score(session, invitation, respondent, response, event.score)
            recipient = recipient_of(respondent)
            ref = _ref(invitation)
        channel = self.channels[respondent.platform]
        words = words_for(self.catalogue, recipient)
        if closed:
            await channel.send_text(recipient=recipient, text=words.t("survey.closed"))
            return Outcome(False, "survey closed")
        if previous == event.score:
            return Outcome(False, "same score again")
        assert response is not None
        if ref is not None:
            question = wording.question(
                words,
                invitation_id=event.invitation_id,
                company=self.settings.company_name,
                score=event.score,
            )
            await channel.show_score(ref=ref, question=question, score=event.score)
        if previous is None and ref is not None:
            followup = wording.followup(words, invitation_id=event.invitation_id, score=event.score)
            await channel.ask_followup(recipient=recipient, ref=ref, followup=followup)
        if self.alerts is not None:
            await self.alerts.score_changed(response.id or 0)
        return Outcome(True)

    def _store_score(
        self,
        session: Session,
        invitation: Invitation,
        respondent: Respondent,
        response: Response | None,
        score: int,
    ) -> Response:
        now = self.clock.now()
        if response is None:
            response = Response(
                invitation_id=invitation.id or 0,
                workspace_id=invitation.workspace_id,
                respondent_id=respondent.id or 0,
                platform=respondent.platform,
                attributes=dict(respondent.attributes),
                score=score,
                answered_at=now,
            )
        else:
            response.score = score
            response.answered_at = now
        invitation.status = InvitationStatus.ANSWERED
        session.add(invitation)
        session.add(response)
        session.flush()
        return response

    async def on_comment(self, event: CommentSubmitted) -> Outcome:
        """Attach free text to the person's newest answer still waiting for one."""
        text = event.text.strip()
        if not text:
            return Outcome(False, "empty")
        if not self._first_delivery(event.origin, "comment"):
            return Outcome(False, "duplicate delivery")
        now = self.clock.now()
        window = timedelta(hours=self.settings.followup_window_hours)
        with self.db.session() as session:
            respondent = self._respondent(session, event.origin)
            if respondent is None:
                return Outcome(False, "not a respondent")
            response = store.awaiting_comment(
                session=session, respondent_id=respondent.id or 0, since=now - window
            )
            if response is None:
                return Outcome(False, "no survey waiting for a comment")
            sentiment = analyse(text)
            response.comment = text[:COMMENT_LIMIT]
            response.polarity = sentiment.polarity
            response.subjectivity = sentiment.subjectivity
            response.language = sentiment.language or UNDETERMINED
            response.followup = "done"
            response.commented_at = now
            session.add(response)
            recipient = recipient_of(respondent)
            response_id = response.id or 0
        await self.channels[respondent.platform].send_text(
            recipient=recipient, text=words_for(self.catalogue, recipient).t("survey.thanks")
        )
        if self.alerts is not None:
            await self.alerts.score_changed(response_id)
        return Outcome(True)

    async def on_skip(self, event: FollowupSkipped) -> Outcome:
        window = timedelta(hours=self.settings.followup_window_hours)
        with self.db.session() as session:
            respondent = self._respondent(session, event.origin)
            if respondent is None:
                return Outcome(False, "not a respondent")
            response = (
                store.response_for(session=session, invitation_id=event.invitation_id)
                if event.invitation_id is not None
                else store.awaiting_comment(
                    session=session,
                    respondent_id=respondent.id or 0,
                    since=self.clock.now() - window,
                )
            )
            if response is None or response.respondent_id != respondent.id:
                tell = self._words(respondent).t("survey.nothing_to_skip")
                return Outcome(False, "nothing to skip", tell=tell)
            if response.followup != "awaiting":
                return Outcome(False, "already finished")
            response.followup = "skipped"
            session.add(response)
            recipient = recipient_of(respondent)
        await self.channels[respondent.platform].send_text(
            recipient=recipient, text=words_for(self.catalogue, recipient).t("survey.thanks_score")
        )
        return Outcome(True)

    async def on_opt_out(self, event: OptOutRequested) -> Outcome:
        """Honour "don't ask me again" at once, and withdraw anything already queued."""
        now = self.clock.now()
        with self.db.session() as session:
            respondent = self._respondent(session, event.origin)
            if respondent is None:
                return Outcome(False, "not a respondent")
            store.set_opted_out(session=session, respondent=respondent, opted_out=True, now=now)
            store.audit(
                session=session,
                workspace_id=respondent.workspace_id,
                actor=event.origin.user_id,
                action="optout",
                detail="respondent asked not to be surveyed again",
                now=now,
            )
            recipient = recipient_of(respondent)
        await self.channels[respondent.platform].send_text(
            recipient=recipient, text=words_for(self.catalogue, recipient).t("survey.opted_out")
        )
        return Outcome(True)

    async def on_remind_later(self, event: RemindLater) -> str:
        """Defer the same invitation instead of dropping it; it stays open until then."""
        now = self.clock.now()
        days = min(max(event.days, 1), 2)
        with self.db.session() as session:
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


class AlertSink(Protocol):
    """Something that reacts when an answer changes (detractor alerts)."""

    async def score_changed(self, response_id: int) -> None: ...


def _ref(invitation: Invitation) -> MessageRef | None:
    if invitation.chat_ref is None or invitation.message_ref is None:
        return None
    return MessageRef(chat_id=invitation.chat_ref, message_id=invitation.message_ref)
