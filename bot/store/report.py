"""The live report's rows: a workspace's open cases and latest comments, newest first.

Both are bounded (`limit`) and read through indexed columns, so a Home tab opened in a
workspace with a year of answers costs two small queries.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from bot.models import Case, CaseState, Respondent, Response


def open_cases(
    *, session: Session, workspace_id: int, limit: int
) -> Sequence[tuple[Response, Respondent]]:
    """Answers whose alert's case the team has not answered yet (claimed or not)."""
    waiting = sa.exists().where(
        col(Case.response_id) == Response.id,
        col(Case.state).in_([CaseState.OPEN, CaseState.CLAIMED]),
    )
    return _newest(
        session,
        workspace_id,
        limit,
        [col(Response.alert_ref).is_not(None), waiting],
        col(Response.answered_at),
    )


def latest_comments(
    *, session: Session, workspace_id: int, limit: int
) -> Sequence[tuple[Response, Respondent]]:
    """The newest comments of the workspace with who wrote them (for masking names)."""
    return _newest(
        session,
        workspace_id,
        limit,
        [col(Response.comment).is_not(None), col(Response.commented_at).is_not(None)],
        col(Response.commented_at),
    )


def _newest(
    session: Session,
    workspace_id: int,
    limit: int,
    where: list[sa.ColumnElement[bool]],
    newest: Any,
) -> Sequence[tuple[Response, Respondent]]:
    return session.exec(
        select(Response, Respondent)
        .join(Respondent, col(Respondent.id) == col(Response.respondent_id))
        .where(Response.workspace_id == workspace_id, *where)
        .order_by(col(newest).desc(), col(Response.id).desc())
        .limit(limit)
    ).all()
