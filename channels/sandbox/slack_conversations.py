"""`conversations.*` and `users.*`/`dnd.info`: who is where, as the bot's token may see it."""

from __future__ import annotations

import base64
import time
from collections.abc import Awaitable, Callable
from typing import Any

from channels.sandbox.slack_records import Json
from channels.sandbox.slack_state import SandboxState, SlackError, default_dnd

__all__ = ["DirectoryMethods", "cursor_page", "truthy"]

MAX_PAGE = 1000
"""Slack's pagination caps `limit` at 1000 for list methods."""


def truthy(value: Any) -> bool:
    return value is True or str(value).lower() in {"1", "true"}


def cursor_page(items: list[Any], params: Json, *, default: int) -> tuple[list[Any], str]:
    """A cursor page of `items`; an empty cursor means the last page."""
    limit = int(params.get("limit") or default) or len(items) or 1
    limit = max(1, min(limit, MAX_PAGE))
    start = 0
    if cursor := params.get("cursor"):
        try:
            start = int(base64.b64decode(str(cursor)).decode().removeprefix("offset:"))
        except ValueError as exc:
            raise SlackError("invalid_cursor") from exc
    end = start + limit
    next_cursor = base64.b64encode(f"offset:{end}".encode()).decode() if end < len(items) else ""
    return items[start:end], next_cursor


class DirectoryMethods:
    """People and conversations, with Slack's visibility rules for a bot token."""

    def __init__(self, state: SandboxState) -> None:
        self.state = state

    @property
    def methods(self) -> dict[str, Callable[[Json], Awaitable[Json]]]:
        return {
            "auth.test": self.auth_test,
            "conversations.open": self.conversations_open,
            "conversations.members": self.conversations_members,
            "conversations.info": self.conversations_info,
            "conversations.join": self.conversations_join,
            "users.info": self.users_info,
            "users.list": self.users_list,
            "dnd.info": self.dnd_info,
        }

    async def auth_test(self, params: Json) -> Json:
        workspace = self.state.workspace
        return {
            "url": f"https://{workspace.team_domain}.slack.com/",
            "team": "Sandbox",
            "user": self.state.users[workspace.bot_user_id]["name"],
            "team_id": workspace.team_id,
            "user_id": workspace.bot_user_id,
            "bot_id": workspace.bot_id,
            "is_enterprise_install": False,
        }

    async def conversations_open(self, params: Json) -> Json:
        users = [u for u in str(params.get("users", "")).split(",") if u]
        if len(users) != 1:
            raise SlackError("not_enough_users" if not users else "not_implemented")
        if self.state.user(users[0])["deleted"]:
            raise SlackError("user_disabled")
        channel = self.state.dm_channel(users[0])
        return {"no_op": True, "already_open": True, "channel": {"id": channel}}

    async def conversations_members(self, params: Json) -> Json:
        conversation = self.state.visible(params.get("channel"))
        members, cursor = cursor_page(conversation.members, params, default=100)
        return {"members": members, "response_metadata": {"next_cursor": cursor}}

    async def conversations_info(self, params: Json) -> Json:
        conversation = self.state.visible(params.get("channel"))
        return {"channel": conversation.info(for_user=self.state.bot)}

    async def conversations_join(self, params: Json) -> Json:
        """Public channels only (scope channels:join); a private one needs an /invite."""
        conversation = self.state.visible(params.get("channel"))
        if conversation.is_im:
            raise SlackError("method_not_supported_for_channel_type")
        if conversation.is_archived:
            raise SlackError("is_archived")
        already = self.state.bot in conversation.members
        if not already:
            conversation.members.append(self.state.bot)
        body: Json = {"channel": conversation.info(for_user=self.state.bot)}
        if already:
            body["warning"] = "already_in_channel"
        return body

    def _user_json(self, user: Json, params: Json) -> Json:
        user = dict(user)
        if not truthy(params.get("include_locale")):
            user.pop("locale")
        return user

    async def users_info(self, params: Json) -> Json:
        return {"user": self._user_json(self.state.user(params.get("user")), params)}

    async def users_list(self, params: Json) -> Json:
        users, cursor = cursor_page(list(self.state.users.values()), params, default=0)
        return {
            "members": [self._user_json(user, params) for user in users],
            "cache_ts": int(time.time()),
            "response_metadata": {"next_cursor": cursor},
        }

    async def dnd_info(self, params: Json) -> Json:
        """Snooze fields are private: Slack shows them only for the calling user (the bot)."""
        user_id = params.get("user") or self.state.bot
        self.state.user(user_id)
        info = dict(self.state.dnd.get(user_id) or default_dnd())
        if user_id != self.state.bot:
            for key in ("snooze_enabled", "snooze_endtime", "snooze_remaining"):
                info.pop(key, None)
        return info
