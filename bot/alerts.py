"""Detractor alerts: the closed loop. A low score reaches the team within seconds, someone
claims it, and their reply reaches the customer as a message from the bot."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from sqlmodel import Session

from bot import outbound, store, wording
from bot.answer import Answer, recipient_of, words_for
from bot.channel import Alert, Channel, ChannelError, MessageRef, TargetUnavailable
from bot.clock import Clock
from bot.db import Database
from bot.events import AlertClaimed, AlertReplied, AlertReplyStarted
from bot.i18n import Catalogue
from bot.metrics import Metrics
from bot.models import Response
from bot.team_access import TeamAction, team_chat_member

log = logging.getLogger(__name__)


class Alerts:
    """Posts, updates and closes detractor alerts."""

    def __init__(
        self,
        *,
        db: Database,
        channels: dict[str, Channel],
        clock: Clock,
        company: str,
        catalogue: Catalogue,
        metrics: Metrics | None = None,
        admins: frozenset[str] = frozenset(),
        anonymous: bool = False,
    ) -> None:
        self.db = db
        self.admins = admins
        self.anonymous = anonymous
        """NPSBOT_ANONYMOUS: no alert names anyone, whatever each workspace says."""
        self.channels = channels
        self.clock = clock
        self.company = company
        self.catalogue = catalogue
        self.team = catalogue.team
        self.metrics = metrics or Metrics()
        self._publishing: dict[int, asyncio.Lock] = {}

    def _alert(self, answer: Answer) -> Alert:
        response, respondent = answer.response, answer.respondent
        name = (
            None
            if answer.anonymous or self.anonymous or store.is_forgotten(respondent)
            else (respondent.display_name or respondent.platform_user_id)
        )
        return Alert(
            response_id=response.id or 0,
            score=response.score,
            respondent=name,
            attributes=dict(response.attributes),
            comment=response.comment,
            owner=response.owner,
            reply=response.reply_text,
            labels=wording.alert_labels(
                self.team,
                score=response.score,
                respondent=name,
                owner=response.owner,
                previous=response.previous_score,
                mover=answer.mover,
            ),
        )

    def _emit(self, session: Session, response: Response, event_type: str, **data: Any) -> None:
        """A case event for the team's own systems, in the transaction that made it."""
        outbound.emit(
            session,
            type=event_type,
            respondent_id=response.respondent_id,
            data={"response_id": response.id, "score": response.score, **data},
            now=self.clock.now(),
            anonymous=self.anonymous,
        )

    async def load(self, response_id: int) -> Answer | None:
        return await self.db.run(
            lambda session: Answer.load(session=session, response_id=response_id)
        )

    async def score_changed(self, response_id: int) -> None:
        """Refresh the alert of an answer a teammate changed (claimed, replied)."""
        answer = await self.load(response_id)
        if answer is None:
            return
        try:
            await self.publish(answer)
        except ChannelError:
            self.metrics.alerts.labels(result="failed").inc()
            log.exception("detractor alert for response %s could not be updated", response_id)

    async def publish(self, answer: Answer) -> None:
        """Post an alert for a new detractor, or refresh the one already posted; raises
        when the platform refused, so the job that called it is tried again.

        One answer's alert jobs (the score's, then the comment's) may run at once; the second
        waits for the first and re-reads the answer, so it edits the alert instead of posting
        a second one.
        """
        if not answer.alerting:
            return
        response_id = answer.response.id or 0
        lock = self._publishing.setdefault(response_id, asyncio.Lock())
        try:
            async with lock:
                await self._publish(await self.load(response_id) or answer)
        finally:
            if not lock.locked():
                self._publishing.pop(response_id, None)

    async def _publish(self, answer: Answer) -> None:
        response = answer.response
        alert = self._alert(answer)
        channel = self.channels[answer.respondent.platform]
        if response.alert_ref and response.alert_chat:
            ref = MessageRef(chat_id=response.alert_chat, message_id=response.alert_ref)
            await channel.update_alert(ref=ref, alert=alert)
            return
        workspace_id = response.workspace_id
        for chat_id in answer.alert_targets:
            try:
                posted = await channel.post_alert(chat_id=chat_id, alert=alert)
            except TargetUnavailable as exc:
                await self.db.run(self._note, workspace_id, chat_id, exc.hint)
                raise
            await self.db.run(self._note, workspace_id, chat_id, None)
            if posted is not None:
                self.metrics.alerts.labels(result="posted").inc()
                await self.db.run(self._remember, response.id or 0, posted)

    @staticmethod
    def _note(session: Session, workspace_id: int, chat_id: str, hint: str | None) -> None:
        """Tell the admins (in /nps status and on their next /nps) when the channel fails."""
        store.note_target(
            session=session, workspace_id=workspace_id, kind="alerts", chat_id=chat_id, hint=hint
        )

    @staticmethod
    def _remember(session: Session, response_id: int, ref: MessageRef) -> None:
        response = session.get(Response, response_id)
        assert response is not None
        response.alert_chat, response.alert_ref = ref.chat_id, ref.message_id
        session.add(response)

    async def refusal(self, event: TeamAction | AlertReplyStarted) -> str | None:
        """One line for someone who may not act on this alert; None when they may."""
        allowed = await self.db.run(
            lambda session: team_chat_member(session=session, admins=self.admins, event=event)
        )
        if allowed:
            return None
        log.warning(
            "team action on response %s refused: %s:%s from chat %s",
            event.response_id,
            event.origin.platform,
            event.origin.user_id,
            event.chat_id,
        )
        return self.team.t("alert.not_team")

    async def claim(self, event: AlertClaimed) -> str:
        if (refused := await self.refusal(event)) is not None:
            return refused
        owner = event.name or event.origin.user_id

        def take(session: Session) -> str | None:
            response = session.get(Response, event.response_id)
            if response is None:
                return self.team.t("alert.gone")
            if response.owner and response.owner != owner:
                return self.team.t("alert.taken", owner=response.owner)
            if response.owner != owner:
                self._emit(session, response, "case.claimed", owner=owner)
            response.owner = owner
            session.add(response)
            store.audit(
                session=session,
                workspace_id=response.workspace_id,
                actor=f"{event.origin.platform}:{event.origin.user_id}",
                action="alert claimed",
                detail=f"response {event.response_id}",
                now=self.clock.now(),
            )
            return None

        if refused := await self.db.run(take):
            return refused
        await self.score_changed(event.response_id)
        return self.team.t("alert.claimed", owner=owner)

    async def reply(self, event: AlertReplied) -> str:
        """Relay a teammate's words to the respondent and keep them with the response."""
        if (refused := await self.refusal(event)) is not None:
            return refused
        text = event.text.strip()
        if not text:
            return self.team.t("alert.reply_empty")
        answer = await self.load(event.response_id)
        if answer is None:
            return self.team.t("alert.gone")
        respondent = answer.respondent
        channel = self.channels[respondent.platform]
        recipient = recipient_of(respondent)
        intro = words_for(self.catalogue, recipient).t("reply.from_team", company=self.company)
        try:
            await channel.send_text(recipient=recipient, text=f"{intro}\n\n{text}")
        except ChannelError as exc:
            return self.team.t("alert.reply_failed", error=str(exc))

        def keep(session: Session) -> None:
            stored = session.get(Response, event.response_id)
            assert stored is not None
            stored.reply_text = text
            stored.replied_by = event.name or event.origin.user_id
            stored.replied_at = self.clock.now()
            stored.owner = stored.owner or stored.replied_by
            session.add(stored)
            self._emit(session, stored, "case.replied", replied_by=stored.replied_by, text=text)

        await self.db.run(keep)
        await self.score_changed(event.response_id)
        return self.team.t("alert.reply_sent")
