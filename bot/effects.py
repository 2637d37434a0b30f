"""After an answer, each effect is its own durable job.

Showing the chosen score, asking the follow-up, a thank-you line and the detractor alert are
queued in the answer's own transaction and run right after it. Each is retried with back-off
on its own: `chat.update` failing for a while delays only the edit, never the follow-up or
the alert, and a crash between the answer and its effects loses none of them.
"""

from __future__ import annotations

import asyncio
import dataclasses
from typing import Any, Protocol

from sqlmodel import Session

from bot import store, wording
from bot.answer import Answer, Stored
from bot.channel import Channel, MessageRef, Recipient
from bot.i18n import Catalogue, Words
from bot.jobs import JobRunner
from bot.models import Job, Respondent
from bot.settings import Settings

SHOW_SCORE = "survey.show_score"
ASK_FOLLOWUP = "survey.ask_followup"
SEND_TEXT = "survey.send_text"
ALERT = "alert.refresh"


class AlertPublisher(Protocol):
    """Posts or refreshes a detractor alert; raises when the platform refused it."""

    async def publish(self, answer: Answer) -> None: ...

    async def load(self, response_id: int) -> Answer | None: ...


class Conversations(Protocol):
    """Takes a DM no follow-up awaits into an open conversation with the team, if any."""

    def customer_wrote(
        self, session: Session, *, respondent: Respondent, text: str
    ) -> Stored | None: ...


class Effects:
    """Queues an answer's effects in its transaction and runs them as jobs."""

    def __init__(
        self,
        *,
        jobs: JobRunner,
        channels: dict[str, Channel],
        settings: Settings,
        catalogue: Catalogue,
        alerts: AlertPublisher | None,
    ) -> None:
        self.jobs = jobs
        self.channels = channels
        self.settings = settings
        self.catalogue = catalogue
        self.alerts = alerts
        jobs.register(SHOW_SCORE, self._show_score)
        jobs.register(ASK_FOLLOWUP, self._ask_followup)
        jobs.register(SEND_TEXT, self._send_text)
        jobs.register(ALERT, self._alert)

    # -- queued in the answer's transaction ------------------------------------------------

    def _job(self, kind: str, payload: dict[str, Any]) -> Job:
        """Born leased to this worker, which runs it right after the answer's commit."""
        return store.new_job(
            kind=kind,
            payload=payload,
            now=self.jobs.clock.now(),
            worker=self.jobs.worker,
            lease_until=self.jobs.lease_until(),
        )

    def _queue(self, session: Session, jobs: list[Job]) -> list[Job]:
        """Written in one statement, in the answer's transaction (no unit of work)."""
        return store.add_jobs(session=session, jobs=jobs)

    def score_shown(
        self,
        session: Session,
        *,
        platform: str,
        recipient: Recipient,
        ref: MessageRef,
        invitation_id: int,
        score: int,
        first: bool,
        recall: str | None = None,
    ) -> list[Job]:
        """Edit the invitation to show the score; on a first answer, ask the follow-up (about
        `recall`, the theme of the person's previous comment, when there is one)."""
        payload = {
            "platform": platform,
            "recipient": dataclasses.asdict(recipient),
            "ref": dataclasses.asdict(ref),
            "invitation_id": invitation_id,
            "score": score,
            "recall": recall,
        }
        kinds = [SHOW_SCORE, ASK_FOLLOWUP] if first else [SHOW_SCORE]
        return self._queue(session, [self._job(kind, payload) for kind in kinds])

    def text(self, session: Session, *, platform: str, recipient: Recipient, text: str) -> Job:
        """One line to the person (already in their language)."""
        payload = {"platform": platform, "recipient": dataclasses.asdict(recipient), "text": text}
        return self._queue(session, [self._job(SEND_TEXT, payload)])[0]

    def alert(self, session: Session, *, answer: Answer) -> list[Job]:
        """Post or refresh the detractor alert, when there is one to post or refresh."""
        if self.alerts is None or not answer.alerting:
            return []
        return self._queue(session, [self._job(ALERT, {"response_id": answer.response.id})])

    async def run(self, jobs: list[Job], context: Any = None) -> None:
        """Run the jobs just written, concurrently; a failure leaves only its own job queued."""
        await asyncio.gather(*(self.jobs.run_now(job, context) for job in jobs))

    # -- the jobs ----------------------------------------------------------------------------

    def _words(self, payload: dict[str, Any]) -> tuple[Channel, Recipient, Words]:
        recipient = Recipient(**payload["recipient"])
        words = self.catalogue.for_person(explicit=recipient.language, platform=recipient.locale)
        return self.channels[payload["platform"]], recipient, words

    async def _show_score(self, payload: dict[str, Any], context: Any) -> None:
        channel, _, words = self._words(payload)
        question = wording.question(
            words,
            invitation_id=payload["invitation_id"],
            company=self.settings.company_name,
            score=payload["score"],
        )
        ref = MessageRef(**payload["ref"])
        await channel.show_score(ref=ref, question=question, score=payload["score"])

    async def _ask_followup(self, payload: dict[str, Any], context: Any) -> None:
        channel, recipient, words = self._words(payload)
        followup = wording.followup(
            words,
            invitation_id=payload["invitation_id"],
            score=payload["score"],
            recall=payload.get("recall"),
        )
        ref = MessageRef(**payload["ref"])
        await channel.ask_followup(recipient=recipient, ref=ref, followup=followup)

    async def _send_text(self, payload: dict[str, Any], context: Any) -> None:
        recipient = Recipient(**payload["recipient"])
        await self.channels[payload["platform"]].send_text(
            recipient=recipient, text=payload["text"]
        )

    async def _alert(self, payload: dict[str, Any], context: Any) -> None:
        """In the writer's process the answer comes along; a retry reads it as it is now."""
        assert self.alerts is not None
        answer = context if isinstance(context, Answer) else None
        if answer is None:
            answer = await self.alerts.load(payload["response_id"])
        if answer is not None:
            await self.alerts.publish(answer)
