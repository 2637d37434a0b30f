"""Queries of `npsbot responses import`: which answers are in already, who gave them, and
writing a batch of past answers with their never-sent invitations."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col

from bot.models import Invitation, InvitationSource, InvitationStatus, Respondent, Response


def imported_keys(*, session: Session, keys: Sequence[str]) -> set[str]:
    """The source keys among `keys` already imported (a re-import skips them)."""
    if not keys:
        return set()
    query = sa.select(col(Response.import_key)).where(col(Response.import_key).in_(list(keys)))
    return {str(key) for (key,) in session.execute(query)}


def people_by_id_or_email(
    *, session: Session, workspace_id: int, user_ids: Sequence[str], emails: Sequence[str]
) -> tuple[dict[str, int], dict[str, int]]:
    """Respondent ids of the workspace by platform user id, and by e-mail (lower case)."""
    by_id: dict[str, int] = {}
    by_email: dict[str, int] = {}
    in_workspace = col(Respondent.workspace_id) == workspace_id
    if user_ids:
        ids = sa.select(col(Respondent.platform_user_id), col(Respondent.id)).where(
            in_workspace, col(Respondent.platform_user_id).in_(list(user_ids))
        )
        by_id = {str(user): int(rid) for user, rid in session.execute(ids)}
    if emails:
        query = (
            sa.select(col(Respondent.person_key), col(Respondent.id))
            .where(in_workspace, col(Respondent.person_key).in_(list(emails)))
            .order_by(col(Respondent.id))
        )
        for key, rid in session.execute(query):
            by_email.setdefault(str(key), int(rid))  # the first one known: the oldest
    return by_id, by_email


def add_people(*, session: Session, people: Sequence[dict[str, Any]]) -> dict[str, int]:
    """Insert respondents (dicts of columns); their ids by platform user id."""
    if not people:
        return {}
    session.execute(sa.insert(Respondent), list(people), execution_options={"render_nulls": True})
    query = sa.select(col(Respondent.platform_user_id), col(Respondent.id)).where(
        col(Respondent.workspace_id) == people[0]["workspace_id"],
        col(Respondent.platform_user_id).in_([p["platform_user_id"] for p in people]),
    )
    return {str(user): int(rid) for user, rid in session.execute(query)}


def save_imported(
    *, session: Session, workspace_id: int, answers: Sequence[dict[str, Any]], now: datetime
) -> None:
    """One answered, never-sent invitation and its response per answer (dicts of Response
    columns with `respondent_id`): nothing is due, nothing alerts, nothing is followed up.

    Two executemany statements, the first returning the invitations' ids in order: building
    ORM objects cost more than the writes themselves.
    """
    if not answers:
        return
    invitations = [
        {
            "workspace_id": workspace_id,
            "respondent_id": answer["respondent_id"],
            "source": InvitationSource.IMPORTED.value,
            "status": InvitationStatus.ANSWERED.value,
            "due_at": answer["answered_at"],
            "created_at": now,
        }
        for answer in answers
    ]
    returning = sa.insert(Invitation).returning(col(Invitation.id), sort_by_parameter_order=True)
    ids = session.execute(returning, invitations).scalars().all()
    session.execute(
        sa.insert(Response),
        [
            {"invitation_id": invitation_id, "workspace_id": workspace_id, "followup": "imported"}
            | dict(answer)
            for invitation_id, answer in zip(ids, answers, strict=True)
        ],
        execution_options={"render_nulls": True},
    )
