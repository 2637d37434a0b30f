"""Counts: the admin's `/nps status` line and the demo's progress and summary."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Session, col, select

from bot.models import Invitation, InvitationStatus, Respondent, Response


@dataclass(frozen=True, slots=True)
class WorkspaceStatus:
    """What `/nps status` reports about one workspace since a moment (a week ago)."""

    audience: int
    opted_out: int
    sent: int
    answered: int
    skips: Sequence[tuple[str | None, int]]
    uncertain: int
    """Sends the platform never confirmed nor refused, not yet settled (`scheduling.reconcile`)."""


@dataclass(frozen=True, slots=True)
class Totals:
    invitations: int
    responses: int
    comments: int


def workspace_status(*, session: Session, workspace_id: int, since: datetime) -> WorkspaceStatus:
    """Audience, opt-outs, sends and answers since `since`, and why others were not sent."""
    skips = session.exec(
        select(Invitation.reason, sa.func.count())
        .where(
            Invitation.workspace_id == workspace_id,
            col(Invitation.status).in_([InvitationStatus.SUPPRESSED, InvitationStatus.FAILED]),
            col(Invitation.created_at) >= since,
        )
        .group_by(col(Invitation.reason))
    ).all()
    return WorkspaceStatus(
        audience=_count(
            session,
            Respondent,
            col(Respondent.workspace_id) == workspace_id,
            col(Respondent.active),
            sa.not_(col(Respondent.opted_out)),
        ),
        opted_out=_count(
            session,
            Respondent,
            col(Respondent.workspace_id) == workspace_id,
            col(Respondent.opted_out),
        ),
        sent=_count(
            session,
            Invitation,
            col(Invitation.workspace_id) == workspace_id,
            col(Invitation.sent_at) >= since,
        ),
        answered=_count(
            session,
            Response,
            col(Response.workspace_id) == workspace_id,
            col(Response.answered_at) >= since,
        ),
        skips=[(reason, count) for reason, count in skips],
        uncertain=_count(
            session,
            Invitation,
            col(Invitation.workspace_id) == workspace_id,
            col(Invitation.status) == InvitationStatus.UNCERTAIN,
        ),
    )


def respondent_count(*, session: Session, platform: str, zoned: bool = False) -> int:
    """Respondents of a platform; `zoned` counts only those whose time zone is known."""
    conditions: list[sa.ColumnExpressionArgument[bool]] = [col(Respondent.platform) == platform]
    if zoned:
        conditions.append(col(Respondent.timezone).is_not(None))
    return _count(session, Respondent, *conditions)


def response_count(*, session: Session) -> int:
    return _count(session, Response)


def totals(*, session: Session) -> Totals:
    return Totals(
        invitations=_count(session, Invitation),
        responses=_count(session, Response),
        comments=_count(session, Response, col(Response.comment).is_not(None)),
    )


def _count(session: Session, table: type, *conditions: sa.ColumnExpressionArgument[bool]) -> int:
    query = select(sa.func.count()).select_from(table)
    if conditions:
        query = query.where(*conditions)
    return int(session.exec(query).one())
