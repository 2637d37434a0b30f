"""A rejected token pauses its platform's sending, and nothing is learnt about people.

`invalid_auth`, `account_inactive`, `token_revoked` (Telegram: 401) say the bot's access to a
whole workspace is gone, as does Slack's `app_uninstalled` event. Sending there stops at once
(the invitations wait as pending), the workspace's admins see why in `/nps status`, and a
probe asks the platform who we are (`auth.test`, `getMe`) with growing back-off: the first
answer that works resumes sending, the held invitations first.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Iterator
from itertools import chain, repeat

from bot import store
from bot.channel import Adapter, Channel, ChannelError
from bot.clock import Clock
from bot.db import Database
from bot.i18n import Words
from bot.reason_words import token_problem

log = logging.getLogger(__name__)

PROBE_DELAYS = (1.0, 2.0, 5.0, 15.0, 30.0)
"""Seconds between identity checks while paused; then once a minute."""
PROBLEM = "token"


class TokenPause:
    """Which platforms are paused for their token, and the probes that lift the pause."""

    def __init__(
        self,
        *,
        db: Database,
        clock: Clock,
        resume: Callable[[list[int]], Awaitable[object]],
        team: Words,
    ) -> None:
        """`team`: the words the workspaces' admins read the pause in (`/nps status`)."""
        self.team = team
        self.db = db
        self.clock = clock
        self.resume = resume
        self._probes: dict[str, asyncio.Task[None]] = {}
        self._held: dict[str, list[int]] = {}

    def paused(self, platform: str) -> bool:
        return platform in self._probes

    def hold(self, platform: str, invitation_id: int) -> None:
        """An invitation not sent because of the pause: sent first when it lifts."""
        self._held.setdefault(platform, []).append(invitation_id)

    def pause(self, platform: str, channel: Channel, reason: str) -> None:
        if platform in self._probes:
            return
        log.error("%s rejected the bot's token (%s); sending is paused", platform, reason)
        self._set_problem(platform, token_problem(self.team, platform, reason))
        self._probes[platform] = asyncio.create_task(self._probe(platform, channel))

    async def close(self) -> None:
        probes = list(self._probes.values())
        for probe in probes:
            probe.cancel()
        await asyncio.gather(*probes, return_exceptions=True)

    async def _probe(self, platform: str, channel: Channel) -> None:
        for delay in _delays():
            await asyncio.sleep(delay)
            if not isinstance(channel, Adapter):
                continue
            try:
                await channel.identify()
            except ChannelError as exc:
                log.debug("%s token still refused: %s", platform, exc)
                continue
            break
        log.info("%s accepts the bot's token again; sending resumes", platform)
        self._set_problem(platform, None)
        del self._probes[platform]
        held = self._held.pop(platform, [])
        await self.resume(held)

    def _set_problem(self, platform: str, message: str | None) -> None:
        with self.db.session() as session:
            for workspace in store.workspaces_of(session=session, platform=platform):
                if message is None:
                    store.clear_problem(session=session, workspace=workspace, kind=PROBLEM)
                elif workspace.id is not None:
                    store.set_problem(
                        session=session, workspace_id=workspace.id, kind=PROBLEM, message=message
                    )


def _delays() -> Iterator[float]:
    return chain(PROBE_DELAYS, repeat(60.0))
