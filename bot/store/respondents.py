"""The audience: who may be asked, their rotation slot, opting out and back in."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from bot.models import Respondent, Workspace
from bot.sanitize import merge_attributes
from bot.store.invitations import withdraw_pending
from bot.store.workspaces import find_workspace

_GOLDEN = 0.6180339887498949
RespondentSnapshot = sa.Row[*tuple[Any, ...]]
"""A read-only row of the columns a bulk import compares (see `respondent_snapshots`)."""


def slot_for(index: int, cycle_days: int) -> int:
    """The slot of the index-th member: a golden-ratio walk keeps any prefix evenly spread.

    Imports, late joiners and a single newcomer all land where the cycle is thinnest, with no
    need to read the other slots. Assigned once, when the person joins.
    """
    cycle = max(cycle_days, 1)
    return min(int((index * _GOLDEN) % 1.0 * cycle), cycle - 1)


def find_respondent(
    *, session: Session, workspace_id: int, platform_user_id: str
) -> Respondent | None:
    return session.exec(
        select(Respondent).where(
            Respondent.workspace_id == workspace_id,
            Respondent.platform_user_id == platform_user_id,
        )
    ).first()


def count_respondents(*, session: Session, workspace_id: int) -> int:
    return session.exec(
        select(sa.func.count())
        .select_from(Respondent)
        .where(Respondent.workspace_id == workspace_id)
    ).one()


def respondent_snapshots(
    *, session: Session, workspace_id: int, user_ids: Sequence[str]
) -> dict[str, RespondentSnapshot]:
    """Read-only rows of the columns an import compares, for a batch of user ids at once.

    Plain rows, not ORM objects: a 100,000-person import reads each person once, cheaply.
    """
    found = session.execute(
        sa.select(
            col(Respondent.id),
            col(Respondent.platform_user_id),
            col(Respondent.display_name),
            col(Respondent.email),
            col(Respondent.person_key),
            col(Respondent.timezone),
            col(Respondent.language),
            col(Respondent.attributes),
            col(Respondent.active),
        ).where(
            col(Respondent.workspace_id) == workspace_id,
            col(Respondent.platform_user_id).in_(user_ids),
        )
    ).all()
    return {row.platform_user_id: row for row in found}


def save_respondents(
    *, session: Session, new: Sequence[dict[str, Any]], changed: Sequence[dict[str, Any]]
) -> None:
    """Insert and update many respondents in two executemany statements (`changed` has ids).

    `render_nulls` keeps a None in the INSERT instead of dropping its column, so every row has
    the same columns and the whole batch goes to the driver as one statement.
    """
    if new:
        session.execute(sa.insert(Respondent), list(new), execution_options={"render_nulls": True})
    if changed:
        session.execute(sa.update(Respondent), list(changed))


def analyze_respondents(*, session: Session) -> None:
    """After a bulk write on PostgreSQL, let the planner see the table's new size.

    Autovacuum's ANALYZE lags a fast import; with statistics of an empty table the planner
    scans a whole workspace for each batch's lookup instead of using the unique index.
    """
    if session.get_bind().dialect.name == "postgresql":
        session.execute(sa.text("ANALYZE respondent"))


def respondent_at(
    *, session: Session, platform: str, external_id: str, platform_user_id: str
) -> Respondent | None:
    """The respondent a platform user is in the named workspace, if both are known."""
    workspace = find_workspace(session=session, platform=platform, external_id=external_id)
    if workspace is None or workspace.id is None:
        return None
    return find_respondent(
        session=session, workspace_id=workspace.id, platform_user_id=platform_user_id
    )


def upsert_respondent(
    *,
    session: Session,
    workspace: Workspace,
    platform_user_id: str,
    now: datetime,
    attributes: dict[str, str] | None = None,
    **fields: object,
) -> Respondent:
    """Add someone to the audience, or refresh what we know of them.

    New attributes are merged into the old ones, so an import never erases a segment.
    """
    assert workspace.id is not None
    respondent = find_respondent(
        session=session, workspace_id=workspace.id, platform_user_id=platform_user_id
    )
    if respondent is None:
        count = count_respondents(session=session, workspace_id=workspace.id)
        respondent = Respondent(
            workspace_id=workspace.id,
            platform=workspace.platform,
            platform_user_id=platform_user_id,
            joined_at=now,
            rotation_slot=slot_for(count, workspace.cadence_days),
        )
    for name, value in fields.items():
        if value is not None:
            setattr(respondent, name, value)
    if attributes:
        respondent.attributes = merge_attributes(respondent.attributes, attributes)
    session.add(respondent)
    session.flush()
    return respondent


def set_opted_out(
    *, session: Session, respondent: Respondent, opted_out: bool, now: datetime
) -> int:
    """Opt someone out (or back in); returns how many waiting invitations were withdrawn."""
    respondent.opted_out = opted_out
    respondent.opted_out_at = now if opted_out else None
    session.add(respondent)
    if not opted_out:
        return 0
    return withdraw_pending(session=session, respondent_id=respondent.id or 0, reason="opted out")


def active_respondents(*, session: Session, workspace_id: int) -> Sequence[Respondent]:
    """The workspace's audience in the order people joined it."""
    return session.exec(
        select(Respondent)
        .where(Respondent.workspace_id == workspace_id, Respondent.active)
        .order_by(col(Respondent.id))
    ).all()


def stale_profiles(*, session: Session, cutoff: datetime, limit: int) -> list[int]:
    """Up to `limit` reachable respondents whose profile is older than `cutoff`, never-fetched
    first. Two range reads of the (profile_refreshed_at, id) index, so a pass touches only the
    stale rows however large the audience is."""
    askable = (col(Respondent.active), sa.not_(col(Respondent.unreachable)))
    never = session.exec(
        select(Respondent.id)
        .where(col(Respondent.profile_refreshed_at).is_(None), *askable)
        .order_by(col(Respondent.profile_refreshed_at), col(Respondent.id))
        .limit(limit)
    ).all()
    ids = [respondent_id for respondent_id in never if respondent_id is not None]
    if len(ids) < limit:
        old = session.exec(
            select(Respondent.id)
            .where(col(Respondent.profile_refreshed_at) < cutoff, *askable)
            .order_by(col(Respondent.profile_refreshed_at), col(Respondent.id))
            .limit(limit - len(ids))
        ).all()
        ids += [respondent_id for respondent_id in old if respondent_id is not None]
    return ids
