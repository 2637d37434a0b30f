"""`/nps alerts movers on|off|<points>` and `/nps followup remember on|off`: how a workspace
closes the loop beyond detractor alerts, written and described.

A mixin of `Admin`, which supplies the database, the team's words and the audit log.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlmodel import Session

from bot.models import Workspace

if TYPE_CHECKING:
    from bot.admin_parse import Command
    from bot.db import Database
    from bot.events import AdminCommand, Audited
    from bot.i18n import Words


class LoopSettings:
    """Mover alerts and the follow-up that remembers, one workspace's settings each."""

    db: Database
    words: Words

    if TYPE_CHECKING:

        def _audit(
            self, session: Session, workspace_id: int, event: Audited, action: str
        ) -> None: ...

    async def _movers(self, workspace_id: int, command: Command, event: AdminCommand) -> str:
        """`on` keeps the points set before, a number sets them (and turns alerts on)."""
        value = command.args[1].lower()

        def change(session: Session) -> tuple[bool, int]:
            workspace = session.get(Workspace, workspace_id)
            assert workspace is not None
            workspace.mover_alerts = value != "off"
            if value not in {"on", "off"}:
                workspace.mover_points = int(value)
            session.add(workspace)
            self._audit(session, workspace_id, event, "mover alerts")
            return workspace.mover_alerts, workspace.mover_points

        on, points = await self.db.run(change)
        if on:
            return self.words.t("admin.movers_on", points=points)
        return self.words.t("admin.movers_off")

    async def _followup(self, workspace_id: int, command: Command, event: AdminCommand) -> str:
        on = command.args[1].lower() == "on"

        def change(session: Session) -> None:
            workspace = session.get(Workspace, workspace_id)
            assert workspace is not None
            workspace.followup_remember = on
            session.add(workspace)
            self._audit(session, workspace_id, event, "followup remember")

        await self.db.run(change)
        return self.words.t("admin.remember_on") if on else self.words.t("admin.remember_off")


def describe_loop(workspace: Workspace, *, anonymous: bool, words: Words) -> str:
    """The `/nps status` line: when a person's own drop alerts, and what the follow-up recalls."""
    movers = (
        words.t("loop.movers_on", points=workspace.mover_points)
        if workspace.mover_alerts
        else words.t("loop.movers_off")
    )
    if anonymous or workspace.anonymous:
        remember = words.t("loop.recall_anonymous")
    elif workspace.followup_remember:
        remember = words.t("loop.recall_theme")
    else:
        remember = words.t("loop.recall_nothing")
    return words.t("loop.summary", movers=movers, remember=remember)
