"""What an answer's transaction wrote, handed on to its effects instead of being read back.

A score click used to commit, then let the alert step load the response, the respondent, the
workspace and the alert targets again. The transaction that writes them already holds them;
it loads only what the alert will need (nothing for a promoter without an alert).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlmodel import Session

from bot import store
from bot.channel import Recipient
from bot.i18n import Catalogue, Words
from bot.models import Announcement, Case, Job, Respondent, Response
from scoring.returning import moved

DETRACTOR_MAX = 6


@dataclass(frozen=True, slots=True)
class Answer:
    """A response as just written, with the respondent and the alert's context."""

    response: Response
    respondent: Respondent
    anonymous: bool = False
    alert_targets: tuple[str, ...] = ()
    mover: bool = False
    """Not a detractor, but fell against their own previous score (a mover alert)."""
    case: Case | None = None
    """The follow-up of a posted alert, with the team's latest words in it."""
    last_reply: str | None = None
    raised: bool = False
    """The customer's reply to an announcement opened its case: alerted whatever the score."""
    announcement: str | None = None
    """The phrase of the announcement whose reply opened the case, if one did."""

    @property
    def alerting(self) -> bool:
        """Whether an alert is to be posted (a new detractor or mover) or refreshed (one
        exists)."""
        has_alert = self.response.alert_ref is not None and self.response.alert_chat is not None
        due = self.response.score <= DETRACTOR_MAX or self.mover or self.raised
        return has_alert or (due and bool(self.alert_targets))

    @classmethod
    def written(
        cls, *, session: Session, response: Response, respondent: Respondent, raised: bool = False
    ) -> Answer:
        """The answer in the writer's session; the alert context only when an alert is due
        (`raised`: a reply to an announcement opened its case, which is to be alerted)."""
        detractor = response.score <= DETRACTOR_MAX or raised
        if response.alert_ref is None and not detractor and response.previous_score is None:
            return cls(response=response, respondent=respondent)
        workspace = store.alert_settings(session=session, workspace_id=response.workspace_id)
        assert workspace is not None
        moving = workspace.mover_alerts and moved(
            response.previous_score, response.score, points=workspace.mover_points
        )
        # A posted alert re-clicked to another fall is still labelled with the move.
        fell = response.previous_score is not None and response.previous_score > response.score
        mover = not detractor and fell and (response.alert_ref is not None or moving)
        if response.alert_ref is None and not detractor and not mover:
            return cls(response=response, respondent=respondent)
        targets = () if response.alert_ref is not None else workspace.targets
        case = (
            store.case_for(session=session, response_id=response.id or 0)
            if response.alert_ref is not None or raised
            else None
        )
        latest = store.latest_team_message(session=session, case_id=case.id or 0) if case else None
        told = (
            session.get(Announcement, case.announcement_id)
            if case is not None and case.announcement_id is not None
            else None
        )
        return cls(
            response=response,
            respondent=respondent,
            anonymous=workspace.anonymous,
            alert_targets=targets,
            mover=mover,
            case=case,
            last_reply=latest.text if latest else None,
            raised=raised,
            announcement=told.phrase if told is not None else None,
        )

    @classmethod
    def load(cls, *, session: Session, response_id: int, raised: bool = False) -> Answer | None:
        """The answer as stored now (a claim or a reply changed it)."""
        response = session.get(Response, response_id)
        if response is None:
            return None
        respondent = session.get(Respondent, response.respondent_id)
        assert respondent is not None
        return cls.written(session=session, response=response, respondent=respondent, raised=raised)


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


@dataclass(frozen=True, slots=True)
class Stored:
    """An answer's transaction committed: its outcome, the effects' jobs, and what was
    written (handed to the jobs so they need not read it back)."""

    outcome: Outcome
    jobs: list[Job] = field(default_factory=list)
    context: Answer | None = None
