"""Cases: the follow-up of each alerted answer, and the conversation kept with it."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Session, col, select

from bot.channel import MessageRef
from bot.models import Case, CaseMessage, CaseState, Response
from bot.store.digest import Span
from scoring.digest import FollowUp


def case_for(*, session: Session, response_id: int) -> Case | None:
    return session.exec(select(Case).where(Case.response_id == response_id)).first()


def open_case(*, session: Session, response: Response, now: datetime) -> Case:
    """The answer's case, created as its alert is first posted (once, however often)."""
    case = case_for(session=session, response_id=response.id or 0)
    if case is None:
        case = Case(
            response_id=response.id or 0,
            workspace_id=response.workspace_id,
            respondent_id=response.respondent_id,
            opened_at=now,
        )
        session.add(case)
        session.flush()
    return case


def case_shown_at(*, session: Session, chat_id: str, message_id: str) -> Case | None:
    """The case whose alert, or one of whose relayed turns, is this message."""
    alerted = session.exec(
        select(Case)
        .join(Response, col(Response.id) == Case.response_id)
        .where(Response.alert_chat == chat_id, Response.alert_ref == message_id)
    ).first()
    if alerted is not None:
        return alerted
    return session.exec(
        select(Case)
        .join(CaseMessage, col(CaseMessage.case_id) == Case.id)
        .where(CaseMessage.chat_ref == chat_id, CaseMessage.message_ref == message_id)
    ).first()


def add_case_message(
    *, session: Session, case: Case, from_team: bool, author: str | None, text: str, at: datetime
) -> CaseMessage:
    message = CaseMessage(
        case_id=case.id or 0, from_team=from_team, author=author, text=text, at=at
    )
    session.add(message)
    session.flush()
    return message


def case_message(*, session: Session, message_id: int) -> CaseMessage | None:
    return session.get(CaseMessage, message_id)


def show_case_message(*, session: Session, message_id: int, ref: MessageRef) -> None:
    """Where a relayed turn shows in the team's chat, so a reply to it finds its case."""
    message = session.get(CaseMessage, message_id)
    if message is not None:
        message.chat_ref, message.message_ref = ref.chat_id, ref.message_id
        session.add(message)


def latest_team_message(*, session: Session, case_id: int) -> CaseMessage | None:
    """The team's last words to the customer, shown on the alert."""
    return session.exec(
        select(CaseMessage)
        .where(CaseMessage.case_id == case_id, col(CaseMessage.from_team))
        .order_by(col(CaseMessage.at).desc(), col(CaseMessage.id).desc())
    ).first()


def conversing_case(*, session: Session, respondent_id: int, since: datetime) -> Case | None:
    """The person's case the team last wrote in, if that was at `since` or later."""
    return session.exec(
        select(Case)
        .where(Case.respondent_id == respondent_id, col(Case.last_reply_at) >= since)
        .order_by(col(Case.last_reply_at).desc())
    ).first()


def unresolved_case(*, session: Session, respondent_id: int) -> Case | None:
    """The person's newest case the team has not resolved (a reply to an announcement joins
    it rather than opening another)."""
    return session.exec(
        select(Case)
        .where(Case.respondent_id == respondent_id, Case.state != CaseState.RESOLVED)
        .order_by(col(Case.opened_at).desc(), col(Case.id).desc())
    ).first()


def unreminded_open_cases(*, session: Session, opened_before: datetime) -> Sequence[int]:
    """Ids of cases nobody claimed since before `opened_before` and not yet reminded of."""
    return session.exec(
        select(Case.id).where(
            Case.state == CaseState.OPEN,
            col(Case.reminded_at).is_(None),
            col(Case.opened_at) <= opened_before,
        )
    ).all()  # type: ignore[return-value]  # stored rows' ids are never None


def mark_reminded(*, session: Session, case_id: int, now: datetime) -> bool:
    """Take the case's one reminder; False when another replica took it first."""
    taken = session.exec(
        sa.update(Case)
        .where(col(Case.id) == case_id, col(Case.reminded_at).is_(None))
        .values(reminded_at=now)
    )
    return bool(taken.rowcount)


def case_counts(*, session: Session, span: Span) -> FollowUp:
    """Cases opened in the span, how many were claimed and answered (by now), each wait for
    the first reply, and how many cases of any week were still open at the span's end."""
    query = select(Case.claimed_at, Case.first_reply_at, Case.opened_at).where(
        col(Case.opened_at) >= span.start,
        col(Case.opened_at) < span.end,
        col(Case.announcement_id).is_(None),  # a reply to an announcement is no detractor
    )
    backlog = (
        select(sa.func.count())
        .select_from(Case)
        .where(
            col(Case.opened_at) < span.end,
            sa.or_(col(Case.resolved_at).is_(None), col(Case.resolved_at) >= span.end),
        )
    )
    if span.workspace_ids is not None:
        query = query.where(col(Case.workspace_id).in_(span.workspace_ids))
        backlog = backlog.where(col(Case.workspace_id).in_(span.workspace_ids))
    rows = session.exec(query).all()
    waits = tuple(
        (replied - opened).total_seconds() for _, replied, opened in rows if replied and opened
    )
    return FollowUp(
        alerted=len(rows),
        claimed=sum(1 for claimed, _, _ in rows if claimed),
        replied=len(waits),
        reply_seconds=waits,
        open_cases=int(session.exec(backlog).one()),
    )


def team_replies(*, session: Session, response_ids: Sequence[int]) -> dict[int, CaseMessage]:
    """The latest team turn of each of these answers' cases (for exports)."""
    if not response_ids:
        return {}
    rows = session.exec(
        select(Case.response_id, CaseMessage)
        .join(CaseMessage, col(CaseMessage.case_id) == Case.id)
        .where(col(Case.response_id).in_(response_ids), col(CaseMessage.from_team))
        .order_by(col(CaseMessage.at), col(CaseMessage.id))
    ).all()
    return dict(rows)


def case_messages(*, session: Session, case_id: int) -> Sequence[CaseMessage]:
    return session.exec(
        select(CaseMessage).where(CaseMessage.case_id == case_id).order_by(col(CaseMessage.id))
    ).all()
