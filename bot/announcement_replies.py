"""A customer's reply to a "you said, we did" announcement becomes a case's conversation.

A respondent's DM is read in one order, so it is never handled twice (`bot.survey`, then
`bot.case_threads`):

1. within NPSBOT_FOLLOWUP_WINDOW_HOURS of a score still awaiting its comment, it is that
   comment (the survey comes first: a person answering it is not talking to the team);
2. within NPSBOT_CONVERSATION_DAYS of the team's last reply in one of their cases, it is
   that conversation's next turn;
3. within NPSBOT_CONVERSATION_DAYS of an announcement sent to them, it is a reply to it:
   it joins the person's case the team has not resolved, if any, else opens the case of the
   answer whose comment matched the announcement (its alert is posted first, labelled as
   the reply it is), and goes to that case's thread, where the team answers as for (2).

Anything else is no survey's and nobody's: it is left alone, as before.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session

from bot import cases, store
from bot.models import Case, Response


@dataclass(frozen=True, slots=True)
class Replied:
    """The case a reply to an announcement goes to, and what the announcement was about."""

    case: Case
    announcement_id: int
    phrase: str


def reply_case(
    session: Session, *, respondent_id: int, since: datetime, now: datetime
) -> Replied | None:
    """The case the person's DM replies into, when an announcement reached them at `since`
    or later; None otherwise (or when the matching answer is gone)."""
    told = store.latest_told(session=session, respondent_id=respondent_id, since=since)
    if told is None:
        return None
    delivery, announcement = told
    announcement_id = announcement.id or 0
    case = store.unresolved_case(session=session, respondent_id=respondent_id)
    if case is None:
        response = (
            session.get(Response, delivery.response_id)
            if delivery.response_id is not None
            else store.newest_response(session=session, respondent_id=respondent_id)
        )
        if response is None:
            return None
        case = cases.raised(session, response=response, announcement_id=announcement_id, now=now)
    return Replied(case=case, announcement_id=announcement_id, phrase=announcement.phrase)
