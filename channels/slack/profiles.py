"""Who people are, according to Slack: profiles with a short in-process cache, and members.

Every `/nps` command and channel join asks whether someone is an admin or a human; the cache
keeps that from costing a `users.info` call each time. The core stores profiles for longer.
A large channel is resolved with `users.list` pages (1,000 people a call) rather than one
`users.info` per member: users.info is Tier 4, about 100 a minute, so 5,000 members would take
most of an hour of 429s, while the listing takes a handful of Tier 2 calls.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.channel import Profile
from channels.slack.errors import slack_errors

if TYPE_CHECKING:
    from bot.clock import Clock

PROFILE_TTL = timedelta(minutes=15)
PAGE_SIZE = 200
LIST_PAGE_SIZE = 1000
DIRECT_LOOKUPS = 40
"""Up to this many uncached members are looked up one by one; more, and users.list is used."""
LOOKUP_CONCURRENCY = 8


def to_profile(user: dict[str, Any]) -> Profile:
    """A `users.info` user object as the core's Profile."""
    profile = user.get("profile") or {}
    return Profile(
        user_id=user["id"],
        display_name=profile.get("display_name") or user.get("real_name") or user.get("name"),
        timezone=user.get("tz"),
        locale=user.get("locale"),
        email=profile.get("email"),
        is_bot=bool(user.get("is_bot")) or user.get("id") == "USLACKBOT",
        deleted=bool(user.get("deleted")),
        is_admin=bool(user.get("is_admin") or user.get("is_owner")),
    )


@dataclass(frozen=True, slots=True)
class _Cached:
    profile: Profile | None
    at: datetime


class Directory:
    """Profiles and channel members, fetched from the Web API and cached for `ttl`."""

    def __init__(
        self, *, client: AsyncWebClient, clock: Clock, ttl: timedelta = PROFILE_TTL
    ) -> None:
        self.client = client
        self.clock = clock
        self.ttl = ttl
        self._cache: dict[str, _Cached] = {}
        self._me: dict[str, Any] | None = None

    async def profile(self, *, user_id: str) -> Profile | None:
        """The person's profile, or None when Slack does not know them."""
        cached = self._cache.get(user_id)
        now = self.clock.now()
        if cached is not None and now - cached.at < self.ttl:
            return cached.profile
        profile: Profile | None = None
        with slack_errors(dm=False):
            try:
                response = await self.client.users_info(user=user_id, include_locale=True)
                profile = to_profile(response["user"])
            except SlackApiError as exc:
                if exc.response.get("error") != "user_not_found":
                    raise
        self._cache[user_id] = _Cached(profile, now)
        return profile

    async def _auth(self) -> dict[str, Any]:
        """The bot's own identity, from `auth.test` once."""
        if self._me is None:
            with slack_errors(dm=False):
                data = (await self.client.auth_test()).data
                assert isinstance(data, dict), "auth.test answers JSON (bytes are file downloads)"
                self._me = dict(data)
        return self._me

    async def whoami(self) -> dict[str, Any]:
        """`auth.test` asked afresh: the team and bot behind the token, or its error."""
        self._me = None
        return await self._auth()

    async def bot_user_id(self) -> str:
        return str((await self._auth())["user_id"])

    async def bot_name(self) -> str:
        """How people @-mention the bot, for hints such as `/invite @npsbot`."""
        return str((await self._auth()).get("user") or "npsbot")

    async def member_ids(self, *, chat_id: str) -> list[str]:
        """Every member id of a channel, following `conversations.members` cursors."""
        members: list[str] = []
        cursor: str | None = None
        with slack_errors(dm=False):
            while True:
                page = await self.client.conversations_members(
                    channel=chat_id, limit=PAGE_SIZE, cursor=cursor
                )
                members.extend(page["members"])
                cursor = (page.get("response_metadata") or {}).get("next_cursor") or None
                if cursor is None:
                    return members

    async def humans_in(self, *, chat_id: str) -> list[Profile]:
        """The channel's people: no bots, no deactivated accounts, not the bot itself."""
        me = await self.bot_user_id()
        ids = [user_id for user_id in await self.member_ids(chat_id=chat_id) if user_id != me]
        now = self.clock.now()
        uncached = [i for i in ids if i not in self._cache or now - self._cache[i].at >= self.ttl]
        if len(uncached) > DIRECT_LOOKUPS:
            await self._load_everyone()
        gate = asyncio.Semaphore(LOOKUP_CONCURRENCY)

        async def lookup(user_id: str) -> Profile | None:
            async with gate:
                return await self.profile(user_id=user_id)

        profiles = await asyncio.gather(*(lookup(user_id) for user_id in ids))
        return [p for p in profiles if p is not None and p.is_human]

    async def _load_everyone(self) -> None:
        """Cache every profile in the workspace from `users.list`, following its cursors."""
        cursor: str | None = None
        with slack_errors(dm=False):
            while True:
                page = await self.client.users_list(
                    limit=LIST_PAGE_SIZE, cursor=cursor, include_locale=True
                )
                now = self.clock.now()
                for user in page["members"]:
                    self._cache[user["id"]] = _Cached(to_profile(user), now)
                cursor = (page.get("response_metadata") or {}).get("next_cursor") or None
                if cursor is None:
                    return
