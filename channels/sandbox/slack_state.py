"""What the fake workspace holds: people, conversations and who is a member of which.

Membership is enforced the way Slack enforces it for a bot without `chat:write.public`:
a public channel the bot has not joined answers `not_in_channel`, a private one it was not
invited to does not exist for it (`channel_not_found`).
"""

from __future__ import annotations

import itertools
import time
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from channels.sandbox.slack_payloads import Workspace
from channels.sandbox.slack_records import Json, PostedMessage

__all__ = ["BOT_SCOPES", "Conversation", "SandboxState", "SlackError", "default_dnd"]

BOT_SCOPES = frozenset(
    {
        "chat:write",
        "im:write",
        "im:history",
        "users:read",
        "users:read.email",
        "channels:read",
        "channels:join",
        "groups:read",
        "files:write",
        "commands",
        "dnd:read",
    }
)
"""The bot scopes of channels/slack/manifest.yml: what an install grants by default."""


class SlackError(Exception):
    """Raised by a method handler to answer `{"ok": false, "error": ...}` like Slack."""

    def __init__(
        self, error: str, *, messages: list[str] | None = None, fields: Json | None = None
    ) -> None:
        super().__init__(error)
        self.error = error
        self.messages = messages or []
        self.fields = fields or {}
        """Top-level fields beside `error`, e.g. `needed`/`provided` of a `missing_scope`."""


@dataclass(slots=True)
class Conversation:
    """A channel, private channel or DM, with its members in join order."""

    id: str
    name: str
    members: list[str]
    is_private: bool = False
    is_im: bool = False
    is_archived: bool = False
    created: int = field(default_factory=lambda: int(time.time()))

    def info(self, *, for_user: str) -> Json:
        """The `conversations.info` object as the caller sees it."""
        return {
            "id": self.id,
            "name": self.name,
            "is_channel": not (self.is_private or self.is_im),
            "is_group": self.is_private,
            "is_im": self.is_im,
            "is_private": self.is_private or self.is_im,
            "is_archived": self.is_archived,
            "is_member": for_user in self.members,
            "created": self.created,
            "num_members": len(self.members),
        }


class SandboxState:
    """Users, conversations, posted messages and views of one fake workspace."""

    def __init__(self, workspace: Workspace) -> None:
        self.workspace = workspace
        self.users: dict[str, Json] = {}
        self.conversations: dict[str, Conversation] = {}
        self.dnd: dict[str, Json] = {}
        self.messages: list[PostedMessage] = []
        self.ephemerals: list[PostedMessage] = []
        self.views: dict[str, Json] = {}
        self.scopes: set[str] = set(BOT_SCOPES)
        """The bot token's scopes; methods that need one it lacks answer `missing_scope`."""
        self.ids = itertools.count(1)
        self._last_ts_us = 0

    @property
    def bot(self) -> str:
        return self.workspace.bot_user_id

    # -- registry -------------------------------------------------------------------------

    def add_user(
        self,
        user_id: str,
        *,
        name: str | None = None,
        real_name: str | None = None,
        tz: str = "Europe/Berlin",
        locale: str = "en-US",
        is_bot: bool = False,
        deleted: bool = False,
        is_admin: bool = False,
        is_owner: bool = False,
        email: str | None = None,
    ) -> None:
        """Register a user as `users.info` returns it."""
        name = name or user_id.lower()
        real_name = real_name or name.replace(".", " ").title()
        offset = datetime.now(ZoneInfo(tz)).utcoffset()
        self.users[user_id] = {
            "id": user_id,
            "team_id": self.workspace.team_id,
            "name": name,
            "real_name": real_name,
            "deleted": deleted,
            "is_bot": is_bot,
            "is_admin": is_admin,
            "is_owner": is_owner,
            "tz": tz,
            "tz_offset": int(offset.total_seconds()) if offset else 0,
            "locale": locale,
            "profile": {"display_name": name, "real_name": real_name, "email": email},
        }

    def add_channel(
        self, channel_id: str, members: list[str], *, name: str | None = None, private: bool = False
    ) -> Conversation:
        """A channel; the bot can post only if `members` includes it (or it joins later)."""
        name = name or channel_id.lower()
        conversation = Conversation(
            id=channel_id, name=name, members=list(members), is_private=private
        )
        self.conversations[channel_id] = conversation
        return conversation

    def set_dnd(
        self,
        user_id: str,
        *,
        dnd_enabled: bool = False,
        snooze_enabled: bool = False,
        next_dnd_start_ts: int = 1,
        next_dnd_end_ts: int = 1,
        snooze_endtime: int | None = None,
    ) -> None:
        """Set a person's DND window and snooze; `dnd.info` shows snoozes only to their owner."""
        info = {
            **default_dnd(),
            "dnd_enabled": dnd_enabled,
            "next_dnd_start_ts": next_dnd_start_ts,
            "next_dnd_end_ts": next_dnd_end_ts,
            "snooze_enabled": snooze_enabled,
        }
        if snooze_enabled and snooze_endtime is not None:
            info["snooze_endtime"] = snooze_endtime
            info["snooze_remaining"] = max(0, snooze_endtime - int(time.time()))
        self.dnd[user_id] = info

    def dm_channel(self, user_id: str) -> str:
        """The stable DM id for a user (what `conversations.open` returns)."""
        channel = "D" + user_id
        if channel not in self.conversations:
            self.conversations[channel] = Conversation(
                id=channel, name=user_id, members=[user_id, self.bot], is_private=True, is_im=True
            )
        return channel

    # -- lookups that answer like Slack ---------------------------------------------------

    def user(self, user_id: Any) -> Json:
        if user_id not in self.users:
            raise SlackError("user_not_found")
        return self.users[user_id]

    def visible(self, channel_id: Any) -> Conversation:
        """A conversation the bot can see: public ones, and private ones it is in."""
        conversation = self.conversations.get(channel_id)
        hidden = conversation is not None and conversation.is_private
        if conversation is None or (hidden and self.bot not in conversation.members):
            raise SlackError("channel_not_found")
        return conversation

    def writable(self, channel: Any) -> Conversation:
        """Where the bot may post: a DM (by user or DM id) or a channel it is a member of.

        A user id stands for the DM with that user, as in Slack; a deactivated user's DM is
        closed to new messages.
        """
        if isinstance(channel, str) and channel[:1] in "UW" and channel in self.users:
            if self.users[channel]["deleted"]:
                raise SlackError("user_disabled")
            channel = self.dm_channel(channel)
        elif isinstance(channel, str) and channel[:1] == "D" and channel[1:] in self.users:
            self.dm_channel(channel[1:])
        conversation = self.visible(channel)
        if conversation.is_archived:
            raise SlackError("is_archived")
        if self.bot not in conversation.members:
            raise SlackError("not_in_channel")
        return conversation

    def find(self, channel: str, ts: Any) -> PostedMessage:
        for message in self.messages:
            if message.channel == channel and message.ts == ts:
                return message
        raise SlackError("message_not_found")

    def thread_parent(self, channel: str, ts: Any) -> PostedMessage:
        """A reply's `thread_ts` must name a top-level message of the same channel: Slack
        refuses a ts from elsewhere, an unknown one, and a reply's own ts alike."""
        for message in self.messages:
            if message.channel == channel and message.ts == ts:
                if message.thread_ts not in (None, message.ts):
                    break
                return message
        raise SlackError("invalid_thread_ts")

    def next_ts(self) -> str:
        """Unique, increasing message ts in Slack's `seconds.micros` form."""
        self._last_ts_us = max(time.time_ns() // 1000, self._last_ts_us + 1)
        return f"{self._last_ts_us // 1_000_000}.{self._last_ts_us % 1_000_000:06d}"

    def require_scope(self, scope: str) -> None:
        """`missing_scope` as Slack answers it, naming the scope needed and those granted."""
        if scope not in self.scopes:
            provided = ",".join(sorted(self.scopes))
            raise SlackError("missing_scope", fields={"needed": scope, "provided": provided})

    def message_json(self, message: PostedMessage, *, metadata: bool = True) -> Json:
        body: Json = {
            "type": "message",
            "user": self.bot,
            "bot_id": self.workspace.bot_id,
            "app_id": self.workspace.api_app_id,
            "team": self.workspace.team_id,
            "text": message.text or "",
            "ts": message.ts,
            "blocks": message.blocks or [],
        }
        if message.thread_ts:
            body["thread_ts"] = message.thread_ts
        if metadata and message.metadata:
            body["metadata"] = message.metadata
        return body


def default_dnd() -> Json:
    """No Do Not Disturb; Slack uses 1 for "no upcoming window"."""
    return {
        "dnd_enabled": False,
        "next_dnd_start_ts": 1,
        "next_dnd_end_ts": 1,
        "snooze_enabled": False,
    }
