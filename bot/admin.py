"""What `/nps ...` does, the same on every platform.

Only admins may change anything; every change is written to the audit log. Replies are
short text the adapter shows privately (ephemeral on Slack).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Protocol

from sqlmodel import Session

from bot import outbound, store
from bot.admin_announce import Announcing
from bot.admin_audience import AudienceCommands
from bot.admin_cadence import apply_cadence, describe_cadence
from bot.admin_help import help_text
from bot.admin_loop import LoopSettings
from bot.admin_parse import Command, UsageError, parse
from bot.admin_status import describe_status
from bot.channel import Channel, TargetUnavailable
from bot.clock import Clock
from bot.db import Database
from bot.events import AdminCommand, AnnouncementStarted, AnnouncementWritten, Audited
from bot.i18n import Catalogue
from bot.invites import Inviter
from bot.models import Respondent, Workspace
from bot.reason_words import problem_text, send_reply
from bot.settings import Settings

READ_ONLY = {"help", "status"}


class DigestPoster(Protocol):
    async def post_now(self, *, workspace_id: int) -> int: ...


class Admin(AudienceCommands, LoopSettings, Announcing):
    """Executes admin commands against the database and the channels."""

    def __init__(
        self,
        *,
        db: Database,
        settings: Settings,
        clock: Clock,
        channels: dict[str, Channel],
        inviter: Inviter,
        digests: DigestPoster,
        next_digest: Callable[[], datetime | None],
        catalogue: Catalogue,
    ) -> None:
        self.words = catalogue.team
        self.db = db
        self.settings = settings
        self.clock = clock
        self.channels = channels
        self.inviter = inviter
        self.digests = digests
        self.next_digest = next_digest

    def is_admin(self, event: AdminCommand | AnnouncementStarted | AnnouncementWritten) -> bool:
        return event.platform_admin or event.origin.user_id in self.settings.admin_ids

    async def handle(self, event: AdminCommand) -> str:
        """Run one command and return the reply; never raises for a user's mistake."""
        try:
            command = parse(event.text)
        except UsageError as exc:
            return exc.say(self.words)
        if command.verb not in READ_ONLY and not self.is_admin(event):
            return self.words.t("admin.not_allowed")
        workspace = await self._workspace(event.origin)
        workspace_id = workspace.id or 0
        problems = dict(workspace.problems)
        handler = getattr(self, f"_{command.verb}")
        reply: str = await handler(workspace_id, command, event)
        if problems and command.verb != "status" and self.is_admin(event):
            said = "; ".join(problem_text(self.words, k, p) for k, p in problems.items())
            reply += "\n" + self.words.t("admin.problems", problems=said)
        return reply

    def _audit(self, session: Session, workspace_id: int, event: Audited, action: str) -> None:
        store.audit(
            session=session,
            workspace_id=workspace_id,
            actor=f"{event.origin.platform}:{event.origin.user_id}",
            action=action,
            detail=event.text,
            now=self.clock.now(),
        )

    async def _help(self, workspace_id: int, command: Command, event: AdminCommand) -> str:
        return help_text(self.words)

    async def _status(self, workspace_id: int, command: Command, event: AdminCommand) -> str:
        now = self.clock.now()
        week_ago = now - timedelta(days=7)

        def read(session: Session) -> tuple[Workspace, store.WorkspaceStatus]:
            workspace = session.get(Workspace, workspace_id)
            assert workspace is not None
            status = store.workspace_status(
                session=session, workspace_id=workspace_id, since=week_ago
            )
            return workspace, status

        workspace, status = await self.db.run(read)
        return describe_status(
            workspace,
            status,
            next_digest=self.next_digest(),
            words=self.words,
            anonymous=self.settings.anonymous,
        )

    async def _cadence(self, workspace_id: int, command: Command, event: AdminCommand) -> str:

        def change(session: Session) -> str:
            workspace = session.get(Workspace, workspace_id)
            assert workspace is not None
            if command.options:
                apply_cadence(workspace, command.options)
                session.add(workspace)
                self._audit(session, workspace_id, event, "cadence")
                cadence = describe_cadence(workspace, self.words)
                return self.words.t("admin.cadence_updated", cadence=cadence)
            return self.words.t("admin.cadence", cadence=describe_cadence(workspace, self.words))

        return await self.db.run(change)

    async def _pause(self, workspace_id: int, command: Command, event: AdminCommand) -> str:
        return await self._set_paused(workspace_id, event, paused=True)

    async def _resume(self, workspace_id: int, command: Command, event: AdminCommand) -> str:
        return await self._set_paused(workspace_id, event, paused=False)

    async def _set_paused(self, workspace_id: int, event: AdminCommand, *, paused: bool) -> str:
        action = "pause" if paused else "resume"
        await self.db.run(self._set_flag, workspace_id, event, "paused", paused, action)
        return self.words.t("admin.paused") if paused else self.words.t("admin.resumed")

    async def _anonymous(self, workspace_id: int, command: Command, event: AdminCommand) -> str:
        on = command.args[0] == "on"
        await self.db.run(self._set_flag, workspace_id, event, "anonymous", on, "anonymous")
        if on:
            return self.words.t("admin.anonymous_on")
        return self.words.t("admin.anonymous_off")

    def _set_flag(
        self,
        session: Session,
        workspace_id: int,
        event: AdminCommand,
        flag: str,
        value: bool,
        action: str,
    ) -> None:
        workspace = session.get(Workspace, workspace_id)
        assert workspace is not None
        setattr(workspace, flag, value)
        session.add(workspace)
        self._audit(session, workspace_id, event, action)

    async def _digest(self, workspace_id: int, command: Command, event: AdminCommand) -> str:
        if command.args == ("now",):
            posted = await self.digests.post_now(workspace_id=workspace_id)
            if posted:
                return self.words.t("admin.digest_posted", count=posted)
            return await self.db.run(self._not_posted, workspace_id)
        return await self._set_target(workspace_id, command, event, kind="digest")

    def _not_posted(self, session: Session, workspace_id: int) -> str:
        """Why `/nps digest now` posted nowhere: no channel set, or the channel failed."""
        if not store.targets(session=session, workspace_id=workspace_id, kind="digest"):
            return self.words.t("admin.no_digest_target")
        workspace = session.get(Workspace, workspace_id)
        problem = workspace.problems.get("digest channel") if workspace else None
        return problem or self.words.t("admin.digest_failed")  # the problem says which and why

    async def _alerts(self, workspace_id: int, command: Command, event: AdminCommand) -> str:
        if command.args[0].lower() == "movers":
            return await self._movers(workspace_id, command, event)
        return await self._set_target(workspace_id, command, event, kind="alerts")

    async def _set_target(
        self, workspace_id: int, command: Command, event: AdminCommand, *, kind: str
    ) -> str:
        """Say yes only to a chat the bot can post to (joining a public channel first)."""
        chat_id = event.chat_id if command.args == ("here",) else command.args[1].lstrip("#")
        where = self.words.t("admin.this_chat") if command.args == ("here",) else f"<#{chat_id}>"
        try:
            await self.channels[event.origin.platform].check_can_post(chat_id=chat_id)
        except TargetUnavailable as exc:
            return self.words.t("admin.cannot_post", where=where, hint=exc.hint)

        def write(session: Session) -> None:
            store.set_target(
                session=session,
                workspace_id=workspace_id,
                kind=kind,
                chat_id=chat_id,
                replace=kind == "alerts",
            )
            self._audit(session, workspace_id, event, f"{kind} target")
            store.note_target(session=session, workspace_id=workspace_id, kind=kind, problem=None)

        await self.db.run(write)
        if kind == "digest":
            return self.words.t("admin.digest_target", where=where)
        return self.words.t("admin.alerts_target", where=where)

    def _named(self, session: Session, workspace_id: int, user_id: str) -> Respondent:
        """The respondent an admin named, added to the workspace if new."""
        workspace = session.get(Workspace, workspace_id)
        assert workspace is not None
        return store.upsert_respondent(
            session=session, workspace=workspace, platform_user_id=user_id, now=self.clock.now()
        )

    async def _send(self, workspace_id: int, command: Command, event: AdminCommand) -> str:
        user_id = command.args[0].lstrip("@")

        def name(session: Session) -> int:
            respondent = self._named(session, workspace_id, user_id)
            self._audit(session, workspace_id, event, "send")
            return respondent.id or 0

        respondent_id = await self.db.run(name)
        result = await self.inviter.invite_now(respondent_id=respondent_id, force=command.force)
        return send_reply(self.words, _mention(event, user_id), result)

    async def _optout(self, workspace_id: int, command: Command, event: AdminCommand) -> str:
        user_id = command.args[0].lstrip("@")

        def opt_out(session: Session) -> None:
            respondent = self._named(session, workspace_id, user_id)
            now = self.clock.now()
            if not respondent.opted_out:
                outbound.opted_out(
                    session, respondent=respondent, now=now, anonymous=self.settings.anonymous
                )
            store.set_opted_out(session=session, respondent=respondent, opted_out=True, now=now)
            self._audit(session, workspace_id, event, "optout")

        await self.db.run(opt_out)
        return self.words.t("admin.opted_out", person=_mention(event, user_id))


def _mention(event: AdminCommand, user_id: str) -> str:
    return f"<@{user_id}>" if event.origin.platform == "slack" else user_id
