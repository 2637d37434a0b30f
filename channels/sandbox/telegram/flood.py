"""Flood control: the Bot API's limits on how fast a bot may send.

Telegram allows about 30 messages a second overall, about one a second in any one chat (short
bursts pass) and 20 a minute in a group. Past a limit it answers 429 "Too Many Requests: retry
after N" with `parameters.retry_after`, and delivers nothing. Only sends count.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from channels.sandbox.telegram.errors import ApiError

__all__ = ["SEND_METHODS", "FloodControl", "FloodLimits"]

SEND_METHODS = frozenset(
    {"sendmessage", "sendphoto", "senddocument", "sendmediagroup", "copymessage", "forwardmessage"}
)


@dataclass(frozen=True, slots=True)
class FloodLimits:
    """Rates in messages per second, bursts in messages; the defaults are Telegram's.

    Benchmarks and the demo raise them explicitly (`FloodLimits.relaxed()`) to run at local
    speed; tests keep the defaults, so a bot that floods meets a 429.
    """

    overall_rate: float = 30.0
    overall_burst: int = 30
    chat_rate: float = 1.0
    chat_burst: int = 3
    group_rate: float = 20 / 60
    group_burst: int = 20

    @classmethod
    def relaxed(cls, rate: float = 10_000.0) -> FloodLimits:
        """Limits high enough never to bite on one machine."""
        burst = int(rate)
        return cls(rate, burst, rate, burst, rate, burst)


@dataclass(slots=True)
class _Bucket:
    rate: float
    burst: int
    last: float
    tokens: float = field(init=False)

    def __post_init__(self) -> None:
        self.tokens = float(self.burst)

    def take(self, now: float) -> int:
        """0 when a message may go now, else whole seconds to wait (Telegram's unit)."""
        self.tokens = min(float(self.burst), self.tokens + (now - self.last) * self.rate)
        self.last = now
        if self.tokens >= 1.0:
            self.tokens -= 1.0
            return 0
        return max(1, math.ceil((1.0 - self.tokens) / self.rate))

    def give_back(self) -> None:
        self.tokens += 1.0


class FloodControl:
    """One bucket overall and one per chat (private chats per second, groups per minute)."""

    def __init__(self, limits: FloodLimits, *, clock: Callable[[], float] = time.monotonic) -> None:
        self.limits = limits
        self._clock = clock
        self._overall = _Bucket(limits.overall_rate, limits.overall_burst, clock())
        self._chats: dict[int, _Bucket] = {}

    def check(self, method: str, chat_id: int | None) -> None:
        """Raise 429 when this send would exceed a limit; a refused send costs nothing."""
        if method.lower() not in SEND_METHODS:
            return
        now = self._clock()
        wait = self._overall.take(now)
        if wait == 0 and chat_id is not None:
            wait = self._chat(chat_id, now).take(now)
            if wait:
                self._overall.give_back()
        if wait:
            raise ApiError(
                429, f"Too Many Requests: retry after {wait}", parameters={"retry_after": wait}
            )

    def _chat(self, chat_id: int, now: float) -> _Bucket:
        if chat_id not in self._chats:
            limits = self.limits
            group = chat_id < 0
            self._chats[chat_id] = _Bucket(
                limits.group_rate if group else limits.chat_rate,
                limits.group_burst if group else limits.chat_burst,
                now,
            )
        return self._chats[chat_id]
