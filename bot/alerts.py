"""Detractor alerts: the closed loop. A low score reaches the team within seconds as an
alert whose case (`bot.cases`) the team then claims, answers and resolves; the alert is
redrawn from the stored case after every step."""

from __future__ import annotations

import asyncio
import logging
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

from sqlmodel import Session

from bot import cases, outbound, store, wording
from bot.answer import Answer
from bot.channel import Alert, Channel, ChannelError, MessageRef, TargetUnavailable
from bot.clock import Clock
from bot.db import Database
from bot.i18n import Catalogue
from bot.metrics import Metrics
from bot.models import Case, CaseState, Response
from bot.targets import target_problem

log = logging.getLogger(__name__)

RECENT = 10_000
"""Answers remembered as alerted in this process: enough for any follow-up still to come."""


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
        self.changed: Callable[[int], None] | None = None
        """Told the workspace whose case an alert shows after it was posted or redrawn (the
        live App Home refreshes from it)."""
        self._published: OrderedDict[int, None] = OrderedDict()
        """Answers whose alert this process posted or refreshed lately (the newest last)."""

    def respondent_name(self, answer: Answer) -> str | None:
        """How the team may see the customer: None in anonymous mode or once forgotten."""
        respondent = answer.respondent
        if answer.anonymous or self.anonymous or store.is_forgotten(respondent):
            return None
        return respondent.display_name or respondent.platform_user_id

    def _alert(self, answer: Answer) -> Alert:
        response, case = answer.response, answer.case
        name = self.respondent_name(answer)
        owner = case.claimed_by if case else None
        return Alert(
            response_id=response.id or 0,
            score=response.score,
            respondent=name,
            attributes=dict(response.attributes),
            comment=response.comment,
            owner=owner,
            reply=answer.last_reply,
            labels=wording.alert_labels(
                self.team,
                score=response.score,
                respondent=name,
                owner=owner,
                previous=response.previous_score,
                mover=answer.mover,
                case=case,
                announcement=answer.announcement,
            ),
            resolved=case is not None and case.state == CaseState.RESOLVED,
        )

    def case_event(self, session: Session, case: Case, event_type: str, **data: Any) -> None:
        """A case event for the team's own systems (webhooks), in the step's transaction."""
        outbound.emit(
            session,
            type=event_type,
            respondent_id=case.respondent_id,
            data={"response_id": case.response_id, "case_id": case.id, "state": case.state, **data},
            now=self.clock.now(),
            anonymous=self.anonymous,
        )

    async def load(self, response_id: int, *, raised: bool = False) -> Answer | None:
        return await self.db.run(
            lambda session: Answer.load(session=session, response_id=response_id, raised=raised)
        )

    async def score_changed(self, response_id: int) -> None:
        """Refresh the alert of an answer a teammate changed (claimed, replied, resolved)."""
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

        `answer` is as its writer's transaction left it, handed along rather than read back.
        One answer's alert jobs (the score's, then the comment's) may run at once; the second
        waits for the first and re-reads the answer, so it edits the alert instead of posting
        a second one. So does one that comes after an alert of the same answer went out here
        (its writer may have read the answer before the alert's message was remembered).
        """
        if not answer.alerting:
            return
        response_id = answer.response.id or 0
        lock = self._publishing.setdefault(response_id, asyncio.Lock())
        stale = lock.locked() or response_id in self._published
        try:
            async with lock:
                try:
                    await self._publish(
                        (await self.load(response_id, raised=answer.raised) or answer)
                        if stale
                        else answer
                    )
                finally:
                    self._published[response_id] = None
                    self._published.move_to_end(response_id)
                    if len(self._published) > RECENT:
                        self._published.popitem(last=False)
        finally:
            if not lock.locked():
                self._publishing.pop(response_id, None)
        if self.changed is not None:
            self.changed(answer.response.workspace_id)

    async def _publish(self, answer: Answer) -> None:
        response = answer.response
        alert = self._alert(answer)
        channel = self.channels[answer.respondent.platform]
        if response.alert_ref and response.alert_chat:
            ref = MessageRef(chat_id=response.alert_chat, message_id=response.alert_ref)
            await channel.update_alert(ref=ref, alert=alert)
            return
        workspace_id = response.workspace_id
        if answer.alert_targets:
            # Opened before the post: a teammate can press a button the moment it shows.
            await self.db.run(self._open, response.id or 0)
        for chat_id in answer.alert_targets:
            try:
                posted = await channel.post_alert(chat_id=chat_id, alert=alert)
            except TargetUnavailable as exc:
                problem = target_problem(self.team, "alerts", chat_id, exc.hint)
                await self.db.run(self._note, workspace_id, problem)
                raise
            await self.db.run(self._note, workspace_id, None)
            if posted is not None:
                self.metrics.alerts.labels(result="posted").inc()
                await self.db.run(self._remember, response.id or 0, posted)

    @staticmethod
    def _note(session: Session, workspace_id: int, problem: str | None) -> None:
        """Tell the admins (in /nps status and on their next /nps) when the channel fails."""
        store.note_target(
            session=session, workspace_id=workspace_id, kind="alerts", problem=problem
        )

    def _open(self, session: Session, response_id: int) -> None:
        response = session.get(Response, response_id)
        assert response is not None
        cases.opened(session, response=response, now=self.clock.now())

    @staticmethod
    def _remember(session: Session, response_id: int, ref: MessageRef) -> None:
        """Where the alert lives (its case is open already)."""
        response = session.get(Response, response_id)
        assert response is not None
        response.alert_chat, response.alert_ref = ref.chat_id, ref.message_id
        session.add(response)
