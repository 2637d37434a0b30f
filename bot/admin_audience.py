"""`/nps audience add|remove <@person|#channel> ...` and `/nps audience list`: who is asked.

A mixin of `Admin`, which supplies the database, the channels, the clock, the team's words
and the audit log. People synced from a channel who asked to be forgotten stay forgotten.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlmodel import Session

from bot import store
from bot.channel import Channel, Profile
from bot.models import Workspace

if TYPE_CHECKING:
    from bot.admin_parse import Command
    from bot.clock import Clock
    from bot.db import Database
    from bot.events import AdminCommand, Audited
    from bot.i18n import Words


LISTED = 50
"""People named in `/nps audience list`; the rest are counted."""


class AudienceCommands:
    """Adding, removing and listing the people a workspace surveys."""

    db: Database
    words: Words
    clock: Clock
    channels: dict[str, Channel]

    if TYPE_CHECKING:

        def _audit(
            self, session: Session, workspace_id: int, event: Audited, action: str
        ) -> None: ...

    async def _audience(self, workspace_id: int, command: Command, event: AdminCommand) -> str:
        if command.args == ("list",):
            return await self._audience_list(workspace_id)
        action, names = command.args[0], command.args[1:]
        channel = self.channels[event.origin.platform]
        people: list[Profile] = []
        synced: list[str] = []  # from a channel's members, not named: a forgotten one is left out
        for name in names:
            if name.startswith("#"):
                members = await channel.channel_members(chat_id=name[1:])
                people.extend(member for member in members if member.is_human)
                synced.extend(member.user_id for member in members)
            else:
                people.append(Profile(user_id=name.lstrip("@")))
        now = self.clock.now()

        def write(session: Session) -> int:
            workspace = session.get(Workspace, workspace_id)
            assert workspace is not None
            for name in names:
                if name.startswith("#") and action == "add":
                    store.add_audience_source(
                        session=session, workspace_id=workspace_id, chat_id=name[1:]
                    )
            synced_ids = synced if action == "add" else []
            platform = event.origin.platform
            forgotten = store.forgotten_among(
                session=session, workspace_id=workspace_id, platform=platform, user_ids=synced_ids
            )
            for person in (p for p in people if p.user_id not in forgotten):
                store.upsert_respondent(
                    session=session,
                    workspace=workspace,
                    platform_user_id=person.user_id,
                    now=now,
                    active=action == "add",
                    display_name=person.display_name,
                    timezone=person.timezone,
                    locale=person.locale,
                    email=person.email,
                    person_key=person.email.lower() if person.email else None,
                    profile_refreshed_at=now if person.timezone else None,
                )
            self._audit(session, workspace_id, event, f"audience {action}")
            return len(people) - len(forgotten)

        count = await self.db.run(write)
        if action == "add":
            return self.words.t("admin.audience_added", count=count)
        return self.words.t("admin.audience_removed", count=count)

    async def _audience_list(self, workspace_id: int) -> str:
        rows = await self.db.run(
            lambda session: store.active_respondents(session=session, workspace_id=workspace_id)
        )
        if not rows:
            return self.words.t("admin.audience_empty")
        names = [r.display_name or r.platform_user_id for r in rows[:LISTED]]
        shown = ", ".join(
            self.words.t("admin.audience_opted_out", name=name) if r.opted_out else name
            for r, name in zip(rows, names, strict=False)
        )
        if len(rows) > LISTED:
            shown = self.words.t("admin.audience_more", people=shown, count=len(rows) - LISTED)
        return self.words.t("admin.audience_list", count=len(rows), people=shown)
