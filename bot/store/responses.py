"""Answers: the one per invitation, and the one still waiting for its comment."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, col, select

from bot.models import (
    Response,
)


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
