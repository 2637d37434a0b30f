"""A detractor alert's case: open -> claimed -> replied -> resolved, one function per step.

Every change of a case's state happens here, inside the caller's transaction, so whatever
must follow a step (the alert redrawn, a webhook event) is written beside it and none is
lost or doubled. Each function returns what it wrote, or why it could not.
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from bot import store
from bot.models import Case, CaseMessage, CaseState, Response

MESSAGE_LIMIT = 20_000


def opened(session: Session, *, response: Response, now: datetime) -> Case:
    """The alert is about to be posted: its case starts open (once, however often)."""
    return store.open_case(session=session, response=response, now=now)


def raised(session: Session, *, response: Response, announcement_id: int, now: datetime) -> Case:
    """A reply to an announcement about this answer's comment: the answer's case (opened
    now, marked as the announcement's, when it has none yet; its alert follows)."""
    case = store.case_for(session=session, response_id=response.id or 0)
    if case is None:
        case = store.open_case(session=session, response=response, now=now)
        case.announcement_id = announcement_id
        session.add(case)
    return case


def claimed(session: Session, *, case: Case, by: str, now: datetime) -> str | None:
    """Someone takes the case; taken by another, it stays theirs (whose it is returned)."""
    if case.claimed_by and case.claimed_by != by:
        return case.claimed_by
    if case.claimed_by is None:
        case.claimed_by, case.claimed_at = by, now
        if case.state == CaseState.OPEN:
            case.state = CaseState.CLAIMED
        session.add(case)
    return None


def replied(session: Session, *, case: Case, by: str, text: str, now: datetime) -> CaseMessage:
    """The team's words reached the customer: the first reply is timed, and the
    conversation window opens (again) from now."""
    claimed(session, case=case, by=by, now=now)
    case.first_reply_at = case.first_reply_at or now
    case.last_reply_at = now
    if case.state in (CaseState.OPEN, CaseState.CLAIMED):
        case.state = CaseState.REPLIED
    session.add(case)
    return store.add_case_message(
        session=session, case=case, from_team=True, author=by, text=text[:MESSAGE_LIMIT], at=now
    )


def resolved(session: Session, *, case: Case, by: str, note: str | None, now: datetime) -> None:
    """The case is settled; a note given later (Telegram asks for it after the press) is
    added to the resolution without moving its time."""
    if case.state != CaseState.RESOLVED:
        case.state, case.resolved_by, case.resolved_at = CaseState.RESOLVED, by, now
    if note:
        case.resolution_note = note[:MESSAGE_LIMIT]
    session.add(case)


def customer_wrote(
    session: Session, *, case: Case, author: str | None, text: str, now: datetime
) -> CaseMessage:
    """The customer answered within the conversation window; their words go to the thread.
    A resolved case opens again, as a helpdesk ticket does when its customer writes back."""
    if case.state == CaseState.RESOLVED:
        case.state = (
            CaseState.REPLIED
            if case.first_reply_at
            else CaseState.CLAIMED
            if case.claimed_by
            else CaseState.OPEN
        )
        case.resolved_by = case.resolved_at = case.resolution_note = None
        session.add(case)
    return store.add_case_message(
        session=session,
        case=case,
        from_team=False,
        author=author,
        text=text[:MESSAGE_LIMIT],
        at=now,
    )


def reminded(session: Session, *, case_id: int, now: datetime) -> bool:
    """The case's one SLA reminder is taken (False: another replica took it)."""
    return store.mark_reminded(session=session, case_id=case_id, now=now)
