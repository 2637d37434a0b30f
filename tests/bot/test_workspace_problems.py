"""`Workspace.problems` under concurrent writers: each change survives the other's.

The problems are one JSON value. Each writer here has loaded the workspace (as the guard and
the token pause do) before the other commits: writing back what it read would lose the other's
change. Two threads, two sessions, on SQLite and PostgreSQL.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import UTC, datetime

import pytest
from sqlmodel import Session

from bot import store
from bot.db import Database
from bot.models import Workspace

pytestmark = pytest.mark.database  # concurrent writers

ROUNDS = 5
Change = Callable[[Session, Workspace], None]


def _workspace(db: Database, problems: dict[str, str] | None = None) -> int:
    with db.session() as session:
        workspace = store.get_or_create_workspace(
            session=session, platform="slack", external_id="T1", now=datetime.now(UTC)
        )
        if problems:
            store.set_problem(
                session=session, workspace_id=workspace.id or 0, kind="old", message="was"
            )
        assert workspace.id is not None
        return workspace.id


def _race(db: Database, workspace_id: int, changes: list[Change]) -> None:
    """Every change in its own thread and session, all loaded before any writes."""
    loaded = threading.Barrier(len(changes))
    errors: list[BaseException] = []

    def run(change: Change) -> None:
        try:
            with db.session() as session:
                workspace = session.get(Workspace, workspace_id)
                assert workspace is not None
                loaded.wait(timeout=10)
                change(session, workspace)
        except BaseException as exc:  # reported below, in the test's thread
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(change,)) for change in changes]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not errors, errors


def _problems(db: Database, workspace_id: int) -> dict[str, str]:
    with db.session() as session:
        workspace = session.get(Workspace, workspace_id)
        assert workspace is not None
        return dict(workspace.problems)


def _adds(kind: str) -> Change:
    def change(session: Session, workspace: Workspace) -> None:
        store.set_problem(
            session=session, workspace_id=workspace.id or 0, kind=kind, message=f"{kind} failed"
        )

    return change


def test_two_writers_adding_different_problems_keep_both(db: Database) -> None:
    workspace_id = _workspace(db)
    expected: dict[str, str] = {}
    for round_ in range(ROUNDS):
        first, second = f"planning{round_}", f"reminders{round_}"
        _race(db, workspace_id, [_adds(first), _adds(second)])
        expected |= {first: f"{first} failed", second: f"{second} failed"}
        assert _problems(db, workspace_id) == expected


def test_a_clear_and_an_add_at_once_keep_the_add(db: Database) -> None:
    workspace_id = _workspace(db, {"old": "was"})

    def clears(session: Session, workspace: Workspace) -> None:
        store.clear_problem(session=session, workspace=workspace, kind="old")

    _race(db, workspace_id, [clears, _adds("token")])
    assert _problems(db, workspace_id) == {"token": "token failed"}


def test_the_callers_copy_shows_the_stored_problems(db: Database) -> None:
    workspace_id = _workspace(db, {"old": "was"})
    with db.session() as session:
        workspace = session.get(Workspace, workspace_id)
        assert workspace is not None
        store.set_problem(session=session, workspace_id=workspace_id, kind="new", message="is")
        assert workspace.problems == {"old": "was", "new": "is"}
        store.clear_problem(session=session, workspace=workspace, kind="old")
        assert workspace.problems == {"new": "is"}
    assert _problems(db, workspace_id) == {"new": "is"}
