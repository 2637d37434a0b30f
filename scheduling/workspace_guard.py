"""One workspace's fault stays its own.

Each workspace's part of a tick (planning, reminders) runs in its own transaction inside a
guard: a failure there (a stored policy that no longer parses, an unexpected row) is logged
once with the workspace, counted, stored for its admins (`/nps status`), and the tick goes
on with the next workspace. The next success clears it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from sqlmodel import Session

from bot import store
from bot.db import Database
from bot.models import Workspace

log = logging.getLogger(__name__)

Work = Callable[[Session, Workspace], None]


class WorkspaceGuard:
    """Runs a job workspace by workspace; `failed(job)` is told of each failure (metrics)."""

    def __init__(self, *, db: Database, failed: Callable[[str], None] | None = None) -> None:
        self.db = db
        self.failed = failed
        self._logged: set[tuple[int, str, str]] = set()

    def each_workspace(self, job: str, work: Work) -> int:
        """`work(session, workspace)` for every active workspace; returns how many failed."""
        with self.db.session() as session:
            ids = [ws.id for ws in store.active_workspaces(session=session) if ws.id is not None]
        failures = 0
        for workspace_id in ids:
            try:
                with self.db.session() as session:
                    workspace = session.get(Workspace, workspace_id)
                    if workspace is None:
                        continue
                    work(session, workspace)
                    store.clear_problem(session=session, workspace=workspace, kind=job)
            except Exception as exc:
                failures += 1
                self._record(workspace_id, job, exc)
        return failures

    def _record(self, workspace_id: int, job: str, exc: Exception) -> None:
        # The error's own text; `/nps status` says which job failed in the team's words.
        message = (str(exc) if isinstance(exc, ValueError) else f"{type(exc).__name__}: {exc}")[
            :300
        ]
        key = (workspace_id, job, message)
        if key in self._logged:
            log.debug("workspace %s: %s failed: %s (again)", workspace_id, job, message)
        else:
            self._logged.add(key)
            log.error("workspace %s: %s failed: %s", workspace_id, job, message, exc_info=exc)
        if self.failed is not None:
            self.failed(job)
        try:
            with self.db.session() as session:
                store.set_problem(
                    session=session, workspace_id=workspace_id, kind=job, message=message
                )
        except Exception:  # the database itself is what failed: the log line must do
            log.debug("could not store the problem of workspace %s", workspace_id)
