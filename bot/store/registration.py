"""The bot's own workspaces, as the platform names them, and the rows filed before we knew.

The real key of a workspace (Slack's team id, Telegram's bot id) comes from the token at
start-up. Rows a CLI import or `audience add` made before that are filed under a placeholder
key; registering the real workspace adopts them, so their clicks, comments, alerts and
cadence all meet the events the platform sends.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Session, col, select

from bot.models import (
    AudienceSource,
    AuditEntry,
    Invitation,
    Respondent,
    Response,
    Target,
    Workspace,
)
from bot.store.workspaces import find_workspace, get_or_create_workspace

PLACEHOLDERS = {"slack": "default", "telegram": "sandbox"}
"""Where the CLI files people of a platform whose bot has not started yet."""
FILED_BY_WORKSPACE = (Invitation, Response, Target, AudienceSource, AuditEntry)


def register_workspace(
    *, session: Session, platform: str, external_id: str, name: str, now: datetime
) -> tuple[Workspace, int]:
    """The bot's workspace, created or renamed; returns it and how many people it adopted."""
    placeholder = find_workspace(
        session=session, platform=platform, external_id=PLACEHOLDERS[platform]
    )
    real = find_workspace(session=session, platform=platform, external_id=external_id)
    if placeholder is not None and real is None:
        placeholder.external_id = external_id  # nothing to merge: the placeholder becomes it
        real, adopted = placeholder, _count(session, placeholder.id or 0)
    else:
        real = get_or_create_workspace(
            session=session, platform=platform, external_id=external_id, now=now
        )
        adopted = 0
        if placeholder is not None and placeholder.id != real.id:
            adopted = _adopt(session, source=placeholder, into=real)
    if name and real.name != name:
        real.name = name
    session.add(real)
    session.flush()
    return real, adopted


def _count(session: Session, workspace_id: int) -> int:
    return session.exec(
        select(sa.func.count())
        .select_from(Respondent)
        .where(Respondent.workspace_id == workspace_id)
    ).one()


def _adopt(session: Session, *, source: Workspace, into: Workspace) -> int:
    """Move every row of `source` into `into`; a person known to both keeps the real row."""
    source_id, into_id = source.id or 0, into.id or 0
    known = {
        r.platform_user_id: r
        for r in session.exec(select(Respondent).where(Respondent.workspace_id == into_id))
    }
    adopted = 0
    for person in session.exec(select(Respondent).where(Respondent.workspace_id == source_id)):
        twin = known.get(person.platform_user_id)
        if twin is None:
            person.workspace_id = into_id
            session.add(person)
            adopted += 1
            continue
        twin.attributes = {**person.attributes, **twin.attributes}
        for field in ("email", "person_key", "display_name", "timezone", "language"):
            if getattr(twin, field) is None:
                setattr(twin, field, getattr(person, field))
        session.add(twin)
        for owned in (Invitation, Response):
            session.execute(
                sa.update(owned)
                .where(col(owned.respondent_id) == person.id)
                .values(respondent_id=twin.id)
            )
        session.flush()
        session.delete(person)
    session.flush()
    for table in FILED_BY_WORKSPACE:
        session.execute(
            sa.update(table)
            .where(col(table.workspace_id) == source_id)
            .values(workspace_id=into_id)
        )
    session.flush()
    session.delete(source)
    return adopted
