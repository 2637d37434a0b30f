"""Do Not Disturb: a send waits while the person's DND window is on, as Slack shows it."""

from __future__ import annotations

import logging
import time
from datetime import UTC, datetime

from slack_sdk.web.async_client import AsyncWebClient

from bot.channel import RateLimited
from bot.clock import Clock
from channels.slack.errors import slack_errors

log = logging.getLogger(__name__)


class DoNotDisturb:
    """`dnd.info` lookups (needs dnd:read), skipped for a while once Slack rate-limits them.

    Snoozes are private: Slack reports them only to the person themselves, never to a bot.
    dnd.info is Tier 3 (about 50 calls a minute), far below a pass's send rate. Rather than
    let its 429s slow every send, the check is skipped until Slack's Retry-After passes:
    the people asked in that window are asked as if they were free.
    """

    def __init__(self, *, lookups: AsyncWebClient, clock: Clock) -> None:
        self.lookups = lookups
        self.clock = clock
        self._resumes_at = 0.0

    async def busy_until(self, *, user_id: str) -> datetime | None:
        """When the person's DND window in force now ends, or None when they are free."""
        if time.monotonic() < self._resumes_at:
            return None
        try:
            with slack_errors(dm=False):
                info = await self.lookups.dnd_info(user=user_id)
        except RateLimited as exc:
            self._resumes_at = time.monotonic() + exc.retry_after
            log.info("dnd.info is rate limited; DND checks pause for %.0f s", exc.retry_after)
            return None
        now = self.clock.now().timestamp()
        if not info.get("dnd_enabled") or info.get("next_dnd_start_ts", 0) > now:
            return None
        end = float(info.get("next_dnd_end_ts", 0))
        return datetime.fromtimestamp(end, UTC) if end > now else None
