"""Slack's per-method rate tiers, enforced with a token bucket per method (and per channel).

Tier 1 allows about 1 call a minute, Tier 2 about 20, Tier 3 about 50, Tier 4 about 100,
each with a burst of up to a minute's worth; `chat.postMessage` has its own limit of about one
message a second per channel with a short burst. Over a limit Slack answers HTTP 429
`ratelimited` with `Retry-After` in seconds. The defaults are Slack's; benchmarks and the demo
raise them explicitly with `RateLimits(...)`.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field

__all__ = ["METHOD_TIERS", "RateLimiter", "RateLimits"]

METHOD_TIERS: dict[str, int] = {
    "apps.connections.open": 1,
    "users.list": 2,
    "conversations.open": 3,
    "conversations.history": 3,
    "conversations.info": 3,
    "conversations.join": 3,
    "chat.update": 3,
    "dnd.info": 3,
    "auth.test": 4,
    "chat.postEphemeral": 4,
    "chat.getPermalink": 4,
    "conversations.members": 4,
    "users.info": 4,
    "views.open": 4,
    "views.update": 4,
    "views.publish": 4,
    "files.getUploadURLExternal": 4,
    "files.completeUploadExternal": 4,
}
"""From each method's page of the Web API reference; chat.postMessage is special (per channel).
conversations.history is Tier 3 for internal and Marketplace apps (others: 1 a minute)."""


@dataclass(frozen=True, slots=True)
class RateLimits:
    """Calls per minute for each tier, and chat.postMessage's per-channel pace.

    `tier_1_burst` lets a Socket Mode client reconnect a few times in a minute, as Slack
    tolerates; `post_per_workspace_per_second` adds a workspace-wide cap on chat.postMessage
    (off by default, as Slack documents none) for benchmarks that model a slow platform.
    """

    tiers: dict[int, float] = field(default_factory=lambda: {1: 1, 2: 20, 3: 50, 4: 100})
    tier_1_burst: int = 3
    post_per_channel_per_second: float = 1.0
    post_burst: int = 5
    post_per_workspace_per_second: float | None = None

    def scaled(self, factor: float) -> RateLimits:
        """Every limit times `factor`: for the demo and benchmarks, never for tests of rules."""
        workspace = self.post_per_workspace_per_second
        return RateLimits(
            tiers={tier: rate * factor for tier, rate in self.tiers.items()},
            tier_1_burst=math.ceil(self.tier_1_burst * factor),
            post_per_channel_per_second=self.post_per_channel_per_second * factor,
            post_burst=math.ceil(self.post_burst * factor),
            post_per_workspace_per_second=workspace * factor if workspace else None,
        )


@dataclass(slots=True)
class _Bucket:
    rate: float  # tokens per second
    capacity: float
    tokens: float
    updated: float

    def take(self, now: float) -> float:
        """Take a token; 0 when there was one, else the seconds until there will be."""
        self.tokens = min(self.capacity, self.tokens + (now - self.updated) * self.rate)
        self.updated = now
        if self.tokens >= 1:
            self.tokens -= 1
            return 0.0
        return (1 - self.tokens) / self.rate


class RateLimiter:
    """Answers "may this call go through now?" for one workspace."""

    def __init__(self, limits: RateLimits, *, clock: Callable[[], float]) -> None:
        self.limits = limits
        self.clock = clock
        self._buckets: dict[str, _Bucket] = {}

    def retry_after(self, method: str, *, channel: str | None = None) -> int | None:
        """None when the call may proceed, else the whole seconds to put in `Retry-After`."""
        now = self.clock()
        waits = []
        if method == "chat.postMessage":
            per_channel = self.limits.post_per_channel_per_second
            waits.append(self._take(f"post:{channel}", per_channel, self.limits.post_burst, now))
            if workspace := self.limits.post_per_workspace_per_second:
                waits.append(self._take("post:*", workspace, max(1.0, workspace), now))
        elif (tier := METHOD_TIERS.get(method)) is not None:
            per_minute = self.limits.tiers[tier]
            burst = self.limits.tier_1_burst if tier == 1 else per_minute
            waits.append(self._take(method, per_minute / 60, burst, now))
        wait = max(waits, default=0.0)
        return math.ceil(wait) if wait > 0 else None

    def _take(self, key: str, rate: float, capacity: float, now: float) -> float:
        bucket = self._buckets.get(key)
        if bucket is None:
            bucket = self._buckets[key] = _Bucket(rate, capacity, capacity, now)
        return bucket.take(now)
