"""`/nps status`: what the bot is doing for a workspace, and what holds it back, in a few lines."""

from __future__ import annotations

from datetime import datetime

from bot import store
from bot.admin_cadence import describe_cadence
from bot.clock import when
from bot.models import Workspace


def describe_status(
    workspace: Workspace, status: store.WorkspaceStatus, *, next_digest: datetime | None
) -> str:
    lines = [
        f"*Status*: {'paused' if workspace.paused else 'running'}",
        f"*Cadence*: {describe_cadence(workspace)}",
        f"*Audience*: {status.audience} respondents ({status.opted_out} opted out)",
        f"*This week*: {status.sent} invitations sent, {status.answered} answered",
        f"*Last digest*: {when(workspace.last_digest_at)}; *next*: {when(next_digest)}",
    ]
    lines += [f"*Problem*: {problem}" for problem in workspace.problems.values()]
    if status.skips:
        lines.append(
            "*Not sent this week*: "
            + ", ".join(f"{reason or 'other'} {count}" for reason, count in status.skips)
        )
    if workspace.held_back:
        lines.append(
            f"*Due but held back* (as of {when(workspace.planned_at)}): "
            + ", ".join(f"{why} {count}" for why, count in sorted(workspace.held_back.items()))
        )
    return "\n".join(lines)
