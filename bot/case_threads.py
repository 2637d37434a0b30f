"""What is posted under an alert: the customer's side of the conversation, and the one
reminder an alert nobody claimed gets.

Both are jobs written in the transaction that calls for them (the customer's message
stored; the reminder taken by `bot.cases.reminded`, which only one replica can win), so a
crash loses neither and no replica posts either twice.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlmodel import Session

from bot import cases, store
from bot.alerts import Alerts
from bot.announcement_replies import reply_case
from bot.answer import Answer, Outcome, Stored
from bot.channel import MessageRef, ThreadNote
from bot.jobs import JobRunner
from bot.models import Case, CaseState, Job, Respondent
from bot.settings import Settings

RELAY = "case.relay"
REMIND = "case.remind"


class CaseThreads:
    """Relays customers' messages into alert threads and reminds of unclaimed alerts."""

    def __init__(self, *, alerts: Alerts, jobs: JobRunner, settings: Settings) -> None:
        self.alerts = alerts
        self.jobs = jobs
        self.db = alerts.db
        self.clock = alerts.clock
        self.team = alerts.team
        self.window = timedelta(days=settings.conversation_days)
        self.sla = timedelta(hours=settings.alert_sla_hours)
        jobs.register(RELAY, self._relay)
        jobs.register(REMIND, self._remind)

    def _queue(self, session: Session, kind: str, lane: str, payload: dict[str, Any]) -> Job:
        return store.enqueue(
            session=session,
            kind=kind,
            lane=lane,
            payload=payload,
            now=self.jobs.clock.now(),
            worker=self.jobs.worker,
            lease_until=self.jobs.lease_until(),
        )

    # -- the customer's side -------------------------------------------------------------

    def customer_wrote(
        self, session: Session, *, respondent: Respondent, text: str
    ) -> Stored | None:
        """In the comment's transaction: a DM within the conversation window of the team's
        last reply joins that case's conversation; else one within the window of an
        announcement sent to the person is a reply to it (`bot.announcement_replies`);
        None: neither is open."""
        now = self.clock.now()
        person = respondent.id or 0
        case = store.conversing_case(session=session, respondent_id=person, since=now - self.window)
        told = None
        if case is None:
            told = reply_case(session, respondent_id=person, since=now - self.window, now=now)
            if told is None:
                return None
            case = told.case
        reopened = case.state == CaseState.RESOLVED
        message = cases.customer_wrote(
            session, case=case, author=respondent.display_name, text=text, now=now
        )
        payload: dict[str, Any] = {"message_id": message.id, "reopened": reopened}
        extra: dict[str, Any] = {}
        if told is not None:
            payload["announcement"] = told.phrase
            extra = {"announcement_id": told.announcement_id, "phrase": told.phrase}
        self.alerts.case_event(session, case, "case.message", text=message.text, **extra)
        job = self._queue(session, RELAY, f"case:{case.id}", payload)
        why = "an announcement's reply relayed" if told else "relayed to the alert's thread"
        return Stored(Outcome(False, why), [job])

    async def _relay(self, payload: dict[str, Any], context: Any) -> None:
        def read(session: Session) -> tuple[Answer, str] | None:
            message = store.case_message(session=session, message_id=payload["message_id"])
            if message is None or message.text is None or message.message_ref is not None:
                return None  # erased meanwhile, or already posted
            case = session.get(Case, message.case_id)
            assert case is not None
            answer = Answer.load(session=session, response_id=case.response_id, raised=True)
            return (answer, message.text) if answer is not None else None

        found = await self.db.run(read)
        if found is None:
            return
        answer, text = found
        if answer.response.alert_ref is None:
            # A reply to an announcement opened this case: its alert is the thread's root.
            await self.alerts.publish(answer)  # raises when refused: the job is retried
            found = await self.db.run(read)
            if found is None:
                return
            answer, text = found
        who = self.alerts.respondent_name(answer) or self.team.t("alert.anonymous")
        phrase = payload.get("announcement")
        said = (
            self.team.t("alert.customer_wrote", respondent=who, text=text)
            if phrase is None
            else self.team.t("alert.announcement_reply", respondent=who, phrase=phrase, text=text)
        )
        note = ThreadNote(
            response_id=answer.response.id or 0, text=said, reply=self.team.t("alert.reply_button")
        )
        posted = await self._post(answer, note)
        if posted is not None:
            await self.db.run(
                lambda session: store.show_case_message(
                    session=session, message_id=payload["message_id"], ref=posted
                )
            )
        if payload.get("reopened"):
            await self.alerts.score_changed(answer.response.id or 0)  # its Resolve button back

    # -- the reminder --------------------------------------------------------------------

    async def remind_due(self) -> int:
        """Queue the one reminder of every alert still unclaimed after the SLA."""

        def take(session: Session) -> list[Job]:
            now = self.clock.now()
            due = store.unreminded_open_cases(session=session, opened_before=now - self.sla)
            return [
                self._queue(session, REMIND, f"case:{case_id}", {"case_id": case_id})
                for case_id in due
                if cases.reminded(session, case_id=case_id, now=now)
            ]

        queued = await self.db.run(take)
        self.jobs.start_jobs(queued)
        return len(queued)

    async def _remind(self, payload: dict[str, Any], context: Any) -> None:
        def read(session: Session) -> Answer | None:
            case = session.get(Case, payload["case_id"])
            if case is None or case.state != CaseState.OPEN:
                return None  # claimed since: nobody needs reminding
            return Answer.load(session=session, response_id=case.response_id)

        answer = await self.db.run(read)
        if answer is None:
            return
        hours = round(self.sla.total_seconds() / 3600)
        text = self.team.t("alert.sla_reminder", hours=hours)
        await self._post(answer, ThreadNote(response_id=answer.response.id or 0, text=text))

    async def _post(self, answer: Answer, note: ThreadNote) -> MessageRef | None:
        response = answer.response
        if response.alert_chat is None or response.alert_ref is None:
            return None
        alert = MessageRef(chat_id=response.alert_chat, message_id=response.alert_ref)
        channel = self.alerts.channels[answer.respondent.platform]
        return await channel.post_under_alert(alert=alert, note=note)
