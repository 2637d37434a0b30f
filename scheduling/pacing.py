"""Send pacing: one token bucket per platform, so a pass runs at the rate the platform allows.

The adapters wait out a 429 (slack_sdk's retry handler, PTB's AIORateLimiter), but a pass that
fires faster than the platform allows turns into a storm of them, and each one stalls the sends
in flight for a second or more. Pacing on our side keeps a 429 the exception. It also keeps crash
safety tight: the dispatcher marks an invitation `sending` only once it holds a token, so a killed
process leaves just the sends on the wire uncertain, not a queue of them waiting in a limiter.

Default rates (sends per second, per process):

- telegram 30: the Bot API's overall limit for one bot. Every invitation goes to a different
  private chat, so the 1/s per-chat limit does not bind. The adapter's own limiter uses the same
  figure; pacing here as well keeps the invitations waiting for it `claimed`, not `sending`.
- slack 5: chat.postMessage allows 1/s per channel, but every DM is a channel of its own. What
  binds is the workspace-wide limit, which Slack does not publish ("several hundred messages per
  minute" in the method's docs): 5/s is 300 a minute. It leaves headroom for the replies,
  follow-ups and reminders that share the workspace's budget. Pass a higher rate when the
  workspace allows it. A 429 that gets through halves the rate, which then recovers.

Rates are per process: replicas that share a workspace should split its rate between them.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Mapping

DEFAULT_RATES: dict[str, float] = {"slack": 5.0, "telegram": 30.0}
RECOVERY_SECONDS = 30.0
"""After a 429 the rate climbs back from half to full in half this time."""
MIN_RATE = 0.5


BURST_SECONDS = 0.1
MIN_BURST = 5.0
"""Our bursts stay small, a tenth of a second's worth (at least 5, so a handful of sends goes
out at once): the platform's own burst allowance should absorb our jitter (a late wake-up,
a slow response), not be spent at the start and leave none for it."""


class Pacer:
    """A token bucket (GCRA): `rate` sends a second, in small bursts.

    Each caller reserves the next free slot before it sleeps, so waiters go out in order and
    a late wake-up does not push back the ones behind it.
    """

    def __init__(
        self, rate: float, *, burst: float | None = None, now: Callable[[], float] = time.monotonic
    ) -> None:
        if rate <= 0:
            raise ValueError("a send rate must be positive")
        self.ceiling = rate
        self.rate = rate
        self.burst = max(1.0, max(MIN_BURST, rate * BURST_SECONDS) if burst is None else burst)
        self.slowdowns = 0
        self._now = now
        self._tat = 0.0  # when the bucket would be empty again ("theoretical arrival time")
        self._resume_at = 0.0
        self._updated = now()

    async def acquire(self) -> None:
        """Wait for a token."""
        while True:
            now = self._now()
            if now < self._resume_at:
                await asyncio.sleep(self._resume_at - now)
                continue
            self._recover(now)
            interval = 1.0 / self.rate
            tat = max(self._tat, now)
            wait = tat - (self.burst - 1.0) * interval - now
            self._tat = tat + interval
            if wait > 0:
                await asyncio.sleep(wait)
            if self._now() >= self._resume_at:
                return

    def slow_down(self, retry_after: float) -> None:
        """The platform said 429: pause every send for `retry_after`, then go at half the rate."""
        now = self._now()
        self._recover(now)
        self.slowdowns += 1
        self.rate = max(MIN_RATE, min(self.ceiling, self.rate / 2))
        self._resume_at = max(self._resume_at, now + max(retry_after, 0.0))
        self._tat = self._resume_at  # no burst straight after a pause

    def _recover(self, now: float) -> None:
        if self.rate < self.ceiling:
            climb = self.ceiling * (now - self._updated) / RECOVERY_SECONDS
            self.rate = min(self.ceiling, self.rate + climb)
        self._updated = now


class Pacing:
    """The pacers of one dispatcher, one per platform, made on first use."""

    def __init__(self, rates: Mapping[str, float | None] | None = None) -> None:
        self.rates: dict[str, float | None] = {**DEFAULT_RATES, **(rates or {})}
        self._pacers: dict[str, Pacer] = {}

    def pacer(self, platform: str) -> Pacer | None:
        """The platform's pacer, or None when its rate is None (unpaced)."""
        rate = self.rates.get(platform)
        if rate is None:
            return None
        pacer = self._pacers.get(platform)
        if pacer is None or pacer.ceiling != rate:  # new, or its rate was changed
            pacer = self._pacers[platform] = Pacer(rate)
        return pacer

    async def acquire(self, platform: str) -> None:
        pacer = self.pacer(platform)
        if pacer is not None:
            await pacer.acquire()

    def slow_down(self, platform: str, retry_after: float) -> None:
        pacer = self.pacer(platform)
        if pacer is not None:
            pacer.slow_down(retry_after)

    def sends_per_second(self, platforms: list[str]) -> float | None:
        """What `platforms` can send together per second; None when one of them is unpaced."""
        rates = [self.rates.get(platform) for platform in platforms]
        if not rates or any(rate is None for rate in rates):
            return None
        return sum(rate for rate in rates if rate is not None)
