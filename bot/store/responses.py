"""Answers: the one per invitation, and the one still waiting for its comment."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Session, col, select

from bot.models import Respondent, Response
from bot.store.rows import insert_models, table_of

_TABLE = table_of(Response)
_RESCORE = (
    sa.update(_TABLE)
    .where(_TABLE.c.id == sa.bindparam("response_id"))
    .values(score=sa.bindparam("new_score"), answered_at=sa.bindparam("new_answered_at"))
)


def add_response(*, session: Session, response: Response) -> None:
    """A new answer, built in memory, written in one INSERT that brings back its id."""
    insert_models(session=session, instances=[response])


def rescore(*, session: Session, response: Response, score: int, answered_at: datetime) -> None:
    """A changed score on an answer `invitation_for_answer` read (one UPDATE; the instance is
    told too)."""
    session.connection().execute(
        _RESCORE, {"response_id": response.id, "new_score": score, "new_answered_at": answered_at}
    )
    response.score, response.answered_at = score, answered_at


def response_for(*, session: Session, invitation_id: int) -> Response | None:
    return session.exec(select(Response).where(Response.invitation_id == invitation_id)).first()


def awaiting_comment(*, session: Session, respondent_id: int, since: datetime) -> Response | None:
    """The newest answer of this person still waiting for its follow-up comment."""
    return session.exec(
        select(Response)
        .where(
            Response.respondent_id == respondent_id,
            Response.followup == "awaiting",
            col(Response.answered_at) >= since,
        )
        .order_by(col(Response.answered_at).desc())
    ).first()


def newest_response(*, session: Session, respondent_id: int) -> Response | None:
    """The person's latest answer (in the one workspace a respondent row belongs to)."""
    return session.exec(
        select(Response)
        .where(Response.respondent_id == respondent_id)
        .order_by(col(Response.answered_at).desc(), col(Response.id).desc())
    ).first()


def responses_after(
    *,
    session: Session,
    after_id: int,
    limit: int,
    since: datetime | None = None,
    until: datetime | None = None,
) -> Sequence[tuple[Response, Respondent]]:
    """The next `limit` answers after `after_id` (id order) with their respondents, answered
    in [since, until) when given: an export streams through these a batch at a time."""
    query = (
        select(Response, Respondent)
        .join(Respondent, col(Respondent.id) == Response.respondent_id)
        .where(col(Response.id) > after_id)
        .order_by(col(Response.id))
        .limit(limit)
    )
    if since is not None:
        query = query.where(col(Response.answered_at) >= since)
    if until is not None:
        query = query.where(col(Response.answered_at) < until)
    return session.exec(query).all()
