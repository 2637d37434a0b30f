"""Where digests and alerts go when the platform moves or closes a team chat.

A Telegram group upgraded to a supergroup gets a new id: its targets move with it. A bot
removed from a group can post there no more: its targets are dropped and noted as the
workspace's problem (`store.note_target`), which its admins see in `/nps status` and on their
next `/nps` until a target is set again.
"""

from __future__ import annotations

import logging

from bot import store
from bot.clock import Clock
from bot.db import Database
from bot.events import TargetMigrated, TargetRemoved
from bot.i18n import Words

log = logging.getLogger(__name__)

DROPPED = "target dropped"
MOVED = "target moved"


def target_problem(words: Words, kind: str, chat_id: str, hint: str | None) -> str | None:
    """The workspace's problem when its `kind` ("digest" or "alerts") channel failed, in
    the team's words; None when the post worked (which clears it)."""
    if hint is None:
        return None
    if kind == "digest":
        return words.t("problem.digest_target", chat=chat_id, hint=hint)
    return words.t("problem.alerts_target", chat=chat_id, hint=hint)


class Targets:
    """Keeps the stored digest and alert targets in step with the platform's chats."""

    def __init__(self, *, db: Database, clock: Clock, words: Words) -> None:
        self.db = db
        self.clock = clock
        self.words = words

    async def migrated(self, event: TargetMigrated) -> None:
        with self.db.session() as session:
            workspace = store.find_workspace(
                session=session, platform=event.platform, external_id=event.workspace
            )
            if workspace is None:
                return
            moved = store.move_target(
                session=session,
                workspace_id=workspace.id or 0,
                old_chat_id=event.old_chat_id,
                new_chat_id=event.new_chat_id,
            )
            if moved:
                store.audit(
                    session=session,
                    workspace_id=workspace.id or 0,
                    actor=event.platform,
                    action=MOVED,
                    detail=f"{event.old_chat_id} -> {event.new_chat_id}",
                    now=self.clock.now(),
                )
        if moved:
            log.info("%s targets moved from %s to %s", moved, event.old_chat_id, event.new_chat_id)

    async def removed(self, event: TargetRemoved) -> None:
        with self.db.session() as session:
            workspace = store.find_workspace(
                session=session, platform=event.platform, external_id=event.workspace
            )
            if workspace is None:
                return
            kinds = store.drop_target(
                session=session, workspace_id=workspace.id or 0, chat_id=event.chat_id
            )
            if kinds:
                what = f"{' and '.join(kinds)} in {event.chat_id}"
                store.audit(
                    session=session,
                    workspace_id=workspace.id or 0,
                    actor=event.platform,
                    action=DROPPED,
                    detail=f"{what}: {event.reason}",
                    now=self.clock.now(),
                )
                for kind in kinds:
                    again = f"/nps {kind} here"
                    hint = self.words.t("problem.add_back", reason=event.reason, command=again)
                    store.note_target(
                        session=session,
                        workspace_id=workspace.id or 0,
                        kind=kind,
                        problem=target_problem(self.words, kind, event.chat_id, hint),
                    )
        if kinds:
            log.warning("%s targets in %s dropped: %s", kinds, event.chat_id, event.reason)
