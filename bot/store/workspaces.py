"""Workspaces and their configuration: digest and alert targets, audience sources."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.util import identity_key
from sqlmodel import Session, col, select

from bot.models import AudienceSource, Target, Workspace
from bot.store.rows import table_of

WORKSPACES: sa.Table = Workspace.__table__  # type: ignore[attr-defined]  # set by SQLModel, undeclared


_TARGETS = table_of(Target)
_ALERT_SETTINGS = (
    sa.select(
        WORKSPACES.c.anonymous,
        WORKSPACES.c.mover_alerts,
        WORKSPACES.c.mover_points,
        _TARGETS.c.chat_id,
    )
    .select_from(
        WORKSPACES.outerjoin(
            _TARGETS, (_TARGETS.c.workspace_id == WORKSPACES.c.id) & (_TARGETS.c.kind == "alerts")
        )
    )
    .where(WORKSPACES.c.id == sa.bindparam("workspace_id"))
    .order_by(_TARGETS.c.id)
)


@dataclass(frozen=True, slots=True)
class AlertSettings:
    """What a just-written answer's alert needs of its workspace."""

    anonymous: bool
    mover_alerts: bool
    mover_points: int
    targets: tuple[str, ...]
    """The alert channels' chat ids, oldest first."""


def alert_settings(*, session: Session, workspace_id: int) -> AlertSettings | None:
    """One Core statement in the answer's transaction (the ORM's `get` and a second query
    for the targets cost a detractor's click about a millisecond more)."""
    rows = session.connection().execute(_ALERT_SETTINGS, {"workspace_id": workspace_id}).all()
    if not rows:
        return None
    anonymous, mover_alerts, mover_points, _ = rows[0]
    chats = tuple(row.chat_id for row in rows if row.chat_id is not None)
    return AlertSettings(anonymous, mover_alerts, mover_points, chats)


def get_or_create_workspace(
    *, session: Session, platform: str, external_id: str, now: datetime, name: str = ""
) -> Workspace:
    workspace = session.exec(
        select(Workspace).where(
            Workspace.platform == platform, Workspace.external_id == external_id
        )
    ).first()
    if workspace is None:
        workspace = Workspace(platform=platform, external_id=external_id, name=name, created_at=now)
        session.add(workspace)
        session.flush()
    return workspace


def find_workspace(*, session: Session, platform: str, external_id: str) -> Workspace | None:
    return session.exec(
        select(Workspace).where(
            Workspace.platform == platform, Workspace.external_id == external_id
        )
    ).first()


class UnknownWorkspace(LookupError):
    """No workspace of that platform exists yet, or several do and none was named."""

    def __init__(self, message: str, *, ambiguous: bool = False) -> None:
        super().__init__(message)
        self.ambiguous = ambiguous


def sole_workspace(*, session: Session, platform: str, external_id: str | None = None) -> Workspace:
    """The platform's one workspace, or the one named; `UnknownWorkspace` when ambiguous."""
    query = select(Workspace).where(Workspace.platform == platform)
    if external_id is not None:
        query = query.where(Workspace.external_id == external_id)
    candidates = session.exec(query).all()
    if len(candidates) != 1:
        raise UnknownWorkspace(
            f"no {platform} workspace named {external_id}"
            if external_id
            else f"{len(candidates)} {platform} workspaces match; name one with 'workspace'",
            ambiguous=len(candidates) > 1,
        )
    return candidates[0]


def workspaces_of(
    *, session: Session, platform: str, external_id: str | None = None
) -> Sequence[Workspace]:
    """A platform's workspaces, or the one with `external_id` (empty when it is unknown)."""
    query = select(Workspace).where(Workspace.platform == platform)
    if external_id is not None:
        query = query.where(Workspace.external_id == external_id)
    return session.exec(query.order_by(col(Workspace.id))).all()


def list_workspaces(*, session: Session) -> Sequence[Workspace]:
    return session.exec(select(Workspace).order_by(col(Workspace.id))).all()


def targets(*, session: Session, workspace_id: int, kind: str) -> Sequence[Target]:
    return session.exec(
        select(Target).where(Target.workspace_id == workspace_id, Target.kind == kind)
    ).all()


def set_target(
    *, session: Session, workspace_id: int, kind: str, chat_id: str, replace: bool
) -> None:
    """Add a digest or alert destination; `replace` makes it the only one of its kind."""
    if replace:
        session.execute(
            sa.delete(Target).where(
                col(Target.workspace_id) == workspace_id, col(Target.kind) == kind
            )
        )
    exists = session.exec(
        select(Target).where(
            Target.workspace_id == workspace_id, Target.kind == kind, Target.chat_id == chat_id
        )
    ).first()
    if exists is None:
        session.add(Target(workspace_id=workspace_id, kind=kind, chat_id=chat_id))


def move_target(*, session: Session, workspace_id: int, old_chat_id: str, new_chat_id: str) -> int:
    """Point every digest and alert target at `old_chat_id` to `new_chat_id`; returns how many.

    A kind that already posts to the new chat just loses the old row (no duplicates).
    """
    moved = 0
    for target in session.exec(
        select(Target).where(Target.workspace_id == workspace_id, Target.chat_id == old_chat_id)
    ).all():
        twin = session.exec(
            select(Target).where(
                Target.workspace_id == workspace_id,
                Target.kind == target.kind,
                Target.chat_id == new_chat_id,
            )
        ).first()
        if twin is None:
            target.chat_id = new_chat_id
            session.add(target)
        else:
            session.delete(target)
        moved += 1
    return moved


def drop_target(*, session: Session, workspace_id: int, chat_id: str) -> list[str]:
    """Remove every target at `chat_id`; returns the kinds dropped ("alerts", "digest")."""
    found = session.exec(
        select(Target).where(Target.workspace_id == workspace_id, Target.chat_id == chat_id)
    ).all()
    for target in found:
        session.delete(target)
    return sorted(target.kind for target in found)


def add_audience_source(*, session: Session, workspace_id: int, chat_id: str) -> None:
    exists = session.exec(
        select(AudienceSource).where(
            AudienceSource.workspace_id == workspace_id, AudienceSource.chat_id == chat_id
        )
    ).first()
    if exists is None:
        session.add(AudienceSource(workspace_id=workspace_id, chat_id=chat_id))


def is_audience_source(*, session: Session, workspace_id: int, chat_id: str) -> bool:
    return (
        session.exec(
            select(AudienceSource).where(
                AudienceSource.workspace_id == workspace_id, AudienceSource.chat_id == chat_id
            )
        ).first()
        is not None
    )


def set_problem(*, session: Session, workspace_id: int, kind: str, message: str) -> None:
    """Remember what failed for this workspace alone; its admins see it in /nps status."""
    problems = _locked_problems(session, workspace_id)
    if problems is not None and problems.get(kind) != message:
        _write_problems(session, workspace_id, {**problems, kind: message})


def clear_problem(*, session: Session, workspace: Workspace, kind: str) -> None:
    """Forget a problem that passed. `workspace` as the caller loaded it decides only whether
    to look: a problem stored since shows until the next success clears it."""
    if kind not in workspace.problems or workspace.id is None:
        return
    problems = _locked_problems(session, workspace.id)
    if problems is not None and kind in problems:
        _write_problems(session, workspace.id, {k: v for k, v in problems.items() if k != kind})


def _locked_problems(session: Session, workspace_id: int) -> dict[str, str] | None:
    """The stored problems, read with the row locked until the transaction ends.

    `problems` is one JSON value, read, changed and written whole; two writers reading it
    before either wrote would lose one change. A no-op UPDATE takes the row's lock first (on
    PostgreSQL as SELECT ... FOR UPDATE would; on SQLite the database's write lock, which a
    SELECT does not take) and RETURNING reads the row as the previous holder committed it.
    """
    row = session.execute(
        sa.update(WORKSPACES)
        .where(WORKSPACES.c.id == workspace_id)
        .values(problems=WORKSPACES.c.problems)
        .returning(WORKSPACES.c.problems)
    ).first()
    return None if row is None else dict(row[0] or {})


def _write_problems(session: Session, workspace_id: int, problems: dict[str, str]) -> None:
    session.execute(
        sa.update(WORKSPACES).where(WORKSPACES.c.id == workspace_id).values(problems=problems)
    )
    loaded = session.identity_map.get(identity_key(Workspace, workspace_id))
    if isinstance(loaded, Workspace):  # the caller's copy shows what is stored, unflushed
        set_committed_value(loaded, "problems", problems)


def note_target(*, session: Session, workspace_id: int, kind: str, problem: str | None) -> None:
    """A team post failed for want of access (`problem` says so, in the team's words; see
    `bot.targets.target_problem`) or worked (None clears it)."""
    slot = f"{kind} channel"
    if problem is not None:
        set_problem(session=session, workspace_id=workspace_id, kind=slot, message=problem)
    elif (workspace := session.get(Workspace, workspace_id)) is not None:
        clear_problem(session=session, workspace=workspace, kind=slot)
