"""What the team does with an alert's case: claim it, answer the customer, resolve it.

Each action is checked against `bot.team_access` first, takes its step through
`bot.cases` in one transaction with its audit entry, and then redraws the alert.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from sqlmodel import Session

from bot import cases, store
from bot.alerts import Alerts
from bot.answer import Answer, recipient_of, words_for
from bot.channel import ChannelError
from bot.events import (
    AlertClaimed,
    AlertReplied,
    CaseResolved,
    Origin,
    ThreadReplied,
)
from bot.models import Case, CaseState
from bot.team_access import TeamAction, team_chat_member

log = logging.getLogger(__name__)


class CaseActions:
    """The team's side of a case, on top of the alerts it redraws."""

    def __init__(self, *, alerts: Alerts, company: str) -> None:
        self.alerts = alerts
        self.db = alerts.db
        self.clock = alerts.clock
        self.team = alerts.team
        self.company = company

    async def refusal(self, event: TeamAction) -> str | None:
        """One line for someone who may not act on this alert; None when they may."""
        admins = self.alerts.admins
        allowed = await self.db.run(
            lambda session: team_chat_member(session=session, admins=admins, event=event)
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

    def _step(
        self,
        response_id: int,
        origin: Origin,
        action: str,
        step: Callable[[Session, Case], str | None],
    ) -> Callable[[Session], str | None]:
        """A transaction taking one step on the answer's case, audited; a refusal or None."""

        def run(session: Session) -> str | None:
            case = store.case_for(session=session, response_id=response_id)
            if case is None:
                return self.team.t("alert.gone")
            if (refused := step(session, case)) is not None:
                return refused
            store.audit(
                session=session,
                workspace_id=case.workspace_id,
                actor=f"{origin.platform}:{origin.user_id}",
                action=action,
                detail=f"response {response_id}",
                now=self.clock.now(),
            )
            return None

        return run

    async def claim(self, event: AlertClaimed) -> str:
        if (refused := await self.refusal(event)) is not None:
            return refused
        owner = event.name or event.origin.user_id

        def take(session: Session, case: Case) -> str | None:
            fresh = case.claimed_by is None
            other = cases.claimed(session, case=case, by=owner, now=self.clock.now())
            if other is not None:
                return self.team.t("alert.taken", owner=other)
            if fresh:
                self.alerts.case_event(session, case, "case.claimed", owner=owner)
            return None

        step = self._step(event.response_id, event.origin, "alert claimed", take)
        if refused := await self.db.run(step):
            return refused
        await self.alerts.score_changed(event.response_id)
        return self.team.t("alert.claimed", owner=owner)

    async def resolve(self, event: CaseResolved) -> str:
        """Resolve the case (a note given later is added to it)."""
        if (refused := await self.refusal(event)) is not None:
            return refused
        who = event.name or event.origin.user_id
        note = (event.note or "").strip() or None

        earlier: list[bool] = []

        def settle(session: Session, case: Case) -> None:
            earlier.append(case.state == CaseState.RESOLVED)
            cases.resolved(session, case=case, by=who, note=note, now=self.clock.now())
            self.alerts.case_event(session, case, "case.resolved", resolved_by=who, note=note)

        action = "case resolved" if note is None else "case resolution noted"
        step = self._step(event.response_id, event.origin, action, settle)
        if refused := await self.db.run(step):
            return refused
        await self.alerts.score_changed(event.response_id)
        if earlier == [True]:  # Telegram's note, after the press that resolved it
            return self.team.t("alert.note_added")
        return self.team.t("alert.resolved", who=who)

    async def reply(self, event: AlertReplied) -> str:
        """Relay a teammate's words to the customer and keep them in the case's conversation."""
        if (refused := await self.refusal(event)) is not None:
            return refused
        text = event.text.strip()
        if not text:
            return self.team.t("alert.reply_empty")
        answer = await self.alerts.load(event.response_id)
        if answer is None or answer.case is None:
            return self.team.t("alert.gone")
        who = event.name or event.origin.user_id
        respondent = answer.respondent
        recipient = recipient_of(respondent)
        try:
            await self.alerts.channels[respondent.platform].send_text(
                recipient=recipient, text=f"{self._intro(answer, who)}\n\n{text}"
            )
        except ChannelError as exc:
            return self.team.t("alert.reply_failed", error=str(exc))

        def keep(session: Session, case: Case) -> None:
            fresh = case.claimed_by is None
            cases.replied(session, case=case, by=who, text=text, now=self.clock.now())
            if fresh:
                self.alerts.case_event(session, case, "case.claimed", owner=who)
            self.alerts.case_event(session, case, "case.replied", replied_by=who, text=text)

        await self.db.run(self._step(event.response_id, event.origin, "case replied", keep))
        await self.alerts.score_changed(event.response_id)
        return self.team.t("alert.reply_sent")

    def _intro(self, answer: Answer, teammate: str) -> str:
        """Who is talking, in the customer's language: the teammate by name, or the team
        alone in anonymous mode (nobody is named either way round)."""
        words = words_for(self.alerts.catalogue, recipient_of(answer.respondent))
        if answer.anonymous or self.alerts.anonymous:
            return words.t("reply.from_team", company=self.company)
        return words.t("reply.from_person", name=teammate, company=self.company)

    async def thread_reply(self, event: ThreadReplied) -> str | None:
        """A reply in a team chat to an alert or a relayed turn answers that case's customer;
        a reply to any other message of the bot is not ours to act on (None)."""
        response_id = await self.db.run(
            lambda session: _shown_case(session, event.chat_id, event.message_id)
        )
        if response_id is None:
            return None
        replied = AlertReplied(
            event.origin,
            response_id,
            event.text,
            name=event.name,
            chat_id=event.chat_id,
            member=event.member,
        )
        return await self.reply(replied)


def _shown_case(session: Session, chat_id: str, message_id: str) -> int | None:
    case = store.case_shown_at(session=session, chat_id=chat_id, message_id=message_id)
    return case.response_id if case is not None else None
