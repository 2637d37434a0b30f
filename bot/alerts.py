"""Detractor alerts: the closed loop. A low score reaches the team within seconds, someone
claims it, and their reply reaches the customer as a message from the bot."""

from __future__ import annotations

import logging

from bot import store, wording
from bot.channel import Alert, Channel, ChannelError, MessageRef, TargetUnavailable
from bot.clock import Clock
from bot.db import Database
from bot.events import AlertClaimed, AlertReplied
from bot.i18n import Catalogue
from bot.metrics import Metrics
from bot.models import Respondent, Response, Workspace
from bot.survey import recipient_of, words_for
from scoring.nps import category

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
    ) -> None:
        self.db = db
        self.channels = channels
        self.clock = clock
        self.company = company
        self.catalogue = catalogue
        self.team = catalogue.team
        self.metrics = metrics or Metrics()

    def _load(self, response_id: int) -> tuple[Response, Respondent, Workspace] | None:
        with self.db.session() as session:
            response = session.get(Response, response_id)
            if response is None:
                return None
            respondent = session.get(Respondent, response.respondent_id)
            workspace = session.get(Workspace, response.workspace_id)
            assert respondent is not None and workspace is not None
            return response, respondent, workspace

    def _alert(self, response: Response, respondent: Respondent, workspace: Workspace) -> Alert:
        name = (
            None
            if workspace.anonymous
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
                self.team, score=response.score, respondent=name, owner=response.owner
            ),
        )

    async def score_changed(self, response_id: int) -> None:
        """Post an alert for a new detractor, or refresh the one already posted."""
        loaded = self._load(response_id)
        if loaded is None:
            return
        response, respondent, workspace = loaded
        alert = self._alert(response, respondent, workspace)
        channel = self.channels[workspace.platform]
        try:
            if response.alert_ref and response.alert_chat:
                ref = MessageRef(chat_id=response.alert_chat, message_id=response.alert_ref)
                await channel.update_alert(ref=ref, alert=alert)
                return
            if category(response.score) != "detractor":
                return
            with self.db.session() as session:
                targets = store.targets(
                    session=session, workspace_id=workspace.id or 0, kind="alerts"
                )
            for target in targets:
                try:
                    posted = await channel.post_alert(chat_id=target.chat_id, alert=alert)
                except TargetUnavailable as exc:
                    self._note(workspace.id or 0, target.chat_id, exc.hint)
                    raise
                self._note(workspace.id or 0, target.chat_id, None)
                if posted is not None:
                    self.metrics.alerts.labels(result="posted").inc()
                    self._remember(response_id, posted)
        except ChannelError:
            self.metrics.alerts.labels(result="failed").inc()
            log.exception("detractor alert for response %s could not be posted", response_id)

    def _note(self, workspace_id: int, chat_id: str, hint: str | None) -> None:
        """Tell the admins (in /nps status and on their next /nps) when the channel fails."""
        with self.db.session() as session:
            store.note_target(
                session=session,
                workspace_id=workspace_id,
                kind="alerts",
                chat_id=chat_id,
                hint=hint,
            )

    def _remember(self, response_id: int, ref: MessageRef) -> None:
        with self.db.session() as session:
            response = session.get(Response, response_id)
            assert response is not None
            response.alert_chat, response.alert_ref = ref.chat_id, ref.message_id
            session.add(response)

    async def claim(self, event: AlertClaimed) -> str:
        owner = event.name or event.origin.user_id
        with self.db.session() as session:
            response = session.get(Response, event.response_id)
            if response is None:
                return self.team.t("alert.gone")
            if response.owner and response.owner != owner:
                return self.team.t("alert.taken", owner=response.owner)
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
        await self.score_changed(event.response_id)
        return self.team.t("alert.claimed", owner=owner)

    async def reply(self, event: AlertReplied) -> str:
        """Relay a teammate's words to the respondent and keep them with the response."""
        text = event.text.strip()
        if not text:
            return self.team.t("alert.reply_empty")
        loaded = self._load(event.response_id)
        if loaded is None:
            return self.team.t("alert.gone")
        _, respondent, workspace = loaded
        channel = self.channels[workspace.platform]
        recipient = recipient_of(respondent)
        intro = words_for(self.catalogue, recipient).t("reply.from_team", company=self.company)
        try:
            await channel.send_text(recipient=recipient, text=f"{intro}\n\n{text}")
        except ChannelError as exc:
            return self.team.t("alert.reply_failed", error=str(exc))
        with self.db.session() as session:
            stored = session.get(Response, event.response_id)
            assert stored is not None
            stored.reply_text = text
            stored.replied_by = event.name or event.origin.user_id
            stored.replied_at = self.clock.now()
            stored.owner = stored.owner or stored.replied_by
            session.add(stored)
        await self.score_changed(event.response_id)
        return self.team.t("alert.reply_sent")
