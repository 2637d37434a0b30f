"""The survey conversation: score -> follow-up -> comment -> thanks.

Every handler is idempotent: platforms retry, people double-click, and a replay of the
same delivery must never create a second answer.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from sqlmodel import Session

from bot import outbound, store
from bot.answer import Answer, Outcome, Stored, recipient_of, words_for
from bot.channel import Channel, MessageRef
from bot.clock import Clock, SystemClock
from bot.db import Database
from bot.effects import AlertPublisher, Conversations, Effects
from bot.events import (
    CommentSubmitted,
    Origin,
    ScoreSubmitted,
)
from bot.i18n import Catalogue
from bot.jobs import JobRunner
from bot.models import Invitation, InvitationStatus, Respondent, Response, Workspace
from bot.settings import Settings
from bot.survey_choices import Choices
from scoring.language import UNDETERMINED
from scoring.returning import recalled_theme
from scoring.sentiment import analyse
from scoring.terms import stored_terms

log = logging.getLogger(__name__)

COMMENT_LIMIT = 20_000


class Survey(Choices):
    """Turns neutral events into stored answers and the bot's replies."""

    def __init__(
        self,
        *,
        db: Database,
        channels: dict[str, Channel],
        settings: Settings,
        clock: Clock,
        catalogue: Catalogue,
        alerts: AlertPublisher | None = None,
        jobs: JobRunner | None = None,
        conversations: Conversations | None = None,
    ) -> None:
        self.db = db
        self.channels = channels
        self.settings = settings
        self.clock = clock
        self.catalogue = catalogue
        self.alerts = alerts
        self.conversations = conversations
        """Where a DM goes when no follow-up awaits it: an open conversation with the team."""
        self.jobs = jobs or JobRunner(db=db, clock=SystemClock())
        self.effects = Effects(
            jobs=self.jobs,
            channels=channels,
            settings=settings,
            catalogue=catalogue,
            alerts=alerts,
        )

    def _first_delivery(self, session: Session, origin: Origin, kind: str) -> bool:
        """Mark the delivery in the caller's transaction, so a failed store keeps no mark."""
        if origin.delivery_id is None:
            return True
        key = f"{origin.platform}:{kind}:{origin.delivery_id}"
        return store.mark_processed(session=session, key=key, now=self.clock.now())

    async def on_score(self, event: ScoreSubmitted) -> Outcome:
        """Record a score, or replace it while the invitation is open; then ask the follow-up."""
        stored = await self.store(event)
        await self.effects.run(stored.jobs, stored.context)
        return stored.outcome

    async def store(self, event: ScoreSubmitted | CommentSubmitted) -> Stored:
        """An answer's one transaction: the answer, its dedupe mark and its effects' jobs."""
        if isinstance(event, CommentSubmitted):
            text = event.text.strip()
            if not text:
                return Stored(Outcome(False, "empty"))
            return await self.db.run(self._record_comment, event.origin, text, self.clock.now())
        if not 0 <= event.score <= 10:
            words = self.catalogue.words()
            return Stored(Outcome(False, "score out of range", tell=words.t("survey.score_range")))
        return await self.db.run(self._record_score, event, self.clock.now())

    def _record_score(self, session: Session, event: ScoreSubmitted, now: datetime) -> Stored:
        """The click's whole transaction: dedupe mark, answer, status and effects together,
        in two reads and four writes before the commit, all Core statements built once
        (`bot.store.rows`): the ORM's loading and unit of work cost a click more CPU than
        the statements, under the GIL the loop answering Slack needs too."""
        found = store.invitation_for_answer(session=session, invitation_id=event.invitation_id)
        if found is None:
            return Stored(Outcome(False, "unknown invitation"))
        invitation, respondent = found.invitation, found.respondent
        if respondent.platform_user_id != event.origin.user_id:
            clicker = self._respondent(session, event.origin)
            words = self._words(clicker) if clicker else self.catalogue.words()
            return Stored(Outcome(False, "not the invitee", tell=words.t("survey.not_yours")))
        if not self._first_delivery(session, event.origin, "score"):
            return Stored(Outcome(False, "duplicate delivery"))
        recipient = recipient_of(respondent)
        if invitation.status == InvitationStatus.EXPIRED or (
            invitation.expires_at is not None and now >= invitation.expires_at
        ):
            closed = self.effects.text(
                session,
                platform=respondent.platform,
                recipient=recipient,
                text=words_for(self.catalogue, recipient).t("survey.closed"),
            )
            return Stored(Outcome(False, "survey closed"), [closed])
        response, earlier = found.answer, found.earlier
        previous = response.score if response else None
        if previous == event.score:
            return Stored(Outcome(False, "same score again"))
        recall = self._recall(session, earlier)
        response = self._store_score(session, invitation, respondent, response, event, earlier)
        ref = _ref(invitation) or _shown(event)
        jobs = (
            self.effects.score_shown(
                session,
                platform=respondent.platform,
                recipient=recipient,
                ref=ref,
                invitation_id=event.invitation_id,
                score=event.score,
                first=previous is None,
                recall=recall,
            )
            if ref is not None
            else []
        )
        extra = {} if previous is None else {"change": "score", "previous_score": previous}
        self._emit(session, response, "response.updated" if extra else "response.created", extra)
        answer = Answer.written(session=session, response=response, respondent=respondent)
        return Stored(Outcome(True), [*jobs, *self.effects.alert(session, answer=answer)], answer)

    def _emit(
        self, session: Session, response: Response, event_type: str, extra: dict[str, object]
    ) -> None:
        outbound.emit(
            session,
            type=event_type,
            respondent_id=response.respondent_id,
            data=outbound.response_data(response, **extra),
            now=self.clock.now(),
            anonymous=self.settings.anonymous,
        )

    def _recall(self, session: Session, earlier: Response | None) -> str | None:
        """The theme of the person's previous comment for the follow-up to ask about; none
        when the workspace turned it off or is anonymous (nobody is reminded what they
        said where answers are not to be tied to people)."""
        if earlier is None or earlier.comment is None or self.settings.anonymous:
            return None
        workspace = session.get(Workspace, earlier.workspace_id)
        if workspace is None or workspace.anonymous or not workspace.followup_remember:
            return None
        return recalled_theme(earlier.comment, language=earlier.language)

    def _store_score(
        self,
        session: Session,
        invitation: Invitation,
        respondent: Respondent,
        response: Response | None,
        event: ScoreSubmitted,
        earlier: Response | None,
    ) -> Response:
        """The answer written (new, with the person's score before it, or re-scored) and the
        invitation marked answered."""
        now = self.clock.now()
        if response is None:
            response = store.built(
                Response,
                invitation_id=invitation.id or 0,
                workspace_id=invitation.workspace_id,
                respondent_id=respondent.id or 0,
                platform=respondent.platform,
                attributes=dict(respondent.attributes),
                score=event.score,
                answered_at=now,
                previous_score=earlier.score if earlier is not None else None,
            )
            store.add_response(session=session, response=response)
        else:
            store.rescore(session=session, response=response, score=event.score, answered_at=now)
        store.mark_answered(session=session, invitation=invitation)
        return response

    async def on_comment(self, event: CommentSubmitted) -> Outcome:
        """Attach free text to the person's newest answer still waiting for one."""
        stored = await self.store(event)
        await self.effects.run(stored.jobs, stored.context)
        return stored.outcome

    def _record_comment(self, session: Session, origin: Origin, text: str, now: datetime) -> Stored:
        if not self._first_delivery(session, origin, "comment"):
            return Stored(Outcome(False, "duplicate delivery"))
        respondent = self._respondent(session, origin)
        if respondent is None:
            return Stored(Outcome(False, "not a respondent"))
        window = timedelta(hours=self.settings.followup_window_hours)
        response = store.awaiting_comment(
            session=session, respondent_id=respondent.id or 0, since=now - window
        )
        if response is None:
            # The follow-up comes first: a person answering it is not talking to the team.
            if self.conversations is not None and (
                relayed := self.conversations.customer_wrote(
                    session, respondent=respondent, text=text
                )
            ):
                return relayed
            return Stored(Outcome(False, "no survey waiting for a comment"))
        sentiment = analyse(text)
        response.comment = text[:COMMENT_LIMIT]
        response.polarity = sentiment.polarity
        response.subjectivity = sentiment.subjectivity
        response.language = sentiment.language or UNDETERMINED
        response.terms = stored_terms(response.comment, language=response.language)
        response.followup = "done"
        response.commented_at = now
        session.add(response)
        self._emit(session, response, "response.updated", {"change": "comment"})
        answer = Answer.written(session=session, response=response, respondent=respondent)
        recipient = recipient_of(respondent)
        thanks = self.effects.text(
            session,
            platform=respondent.platform,
            recipient=recipient,
            text=words_for(self.catalogue, recipient).t("survey.thanks"),
        )
        return Stored(Outcome(True), [thanks, *self.effects.alert(session, answer=answer)], answer)


def _shown(event: ScoreSubmitted) -> MessageRef | None:
    if event.shown_chat is None or event.shown_message is None:
        return None
    return MessageRef(chat_id=event.shown_chat, message_id=event.shown_message)


def _ref(invitation: Invitation) -> MessageRef | None:
    if invitation.chat_ref is None or invitation.message_ref is None:
        return None
    return MessageRef(chat_id=invitation.chat_ref, message_id=invitation.message_ref)
