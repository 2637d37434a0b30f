"""`/nps status`: what the bot is doing for a workspace, and what holds it back, in a few lines."""

from __future__ import annotations

from datetime import datetime

from bot import store
from bot.admin_cadence import describe_cadence
from bot.admin_loop import describe_loop
from bot.clock import when
from bot.i18n import Words
from bot.models import Workspace
from bot.reason_words import problem_text, reason_text


def describe_status(
    workspace: Workspace,
    status: store.WorkspaceStatus,
    *,
    next_digest: datetime | None,
    words: Words,
    anonymous: bool,
) -> str:
    """A few lines in the team's language; skips' reasons as `bot.reason_words` says them
    (a platform's own error text stays as the platform gave it)."""

    def moment(at: datetime | None) -> str:
        return when(at) if at else words.t("status.never")

    state = words.t("status.paused") if workspace.paused else words.t("status.running")
    lines = [
        words.t("status.state", state=state),
        words.t("status.cadence", cadence=describe_cadence(workspace, words)),
        words.t("status.loop", loop=describe_loop(workspace, anonymous=anonymous, words=words)),
        words.t("status.audience", audience=status.audience, opted_out=status.opted_out),
        words.t("status.week", sent=status.sent, answered=status.answered),
        words.t("status.digests", last=moment(workspace.last_digest_at), next=moment(next_digest)),
    ]
    lines += [
        words.t("status.problem", problem=problem_text(words, kind, problem))
        for kind, problem in workspace.problems.items()
    ]
    if status.skips:
        skips = ", ".join(f"{reason_text(words, why)} {count}" for why, count in status.skips)
        lines.append(words.t("status.not_sent", skips=skips))
    if status.uncertain:
        lines.append(words.t("status.uncertain", count=status.uncertain))
    if workspace.held_back:
        held_back = sorted(workspace.held_back.items())
        held = ", ".join(f"{reason_text(words, why)} {count}" for why, count in held_back)
        lines.append(words.t("status.held_back", at=moment(workspace.planned_at), held=held))
    return "\n".join(lines)
