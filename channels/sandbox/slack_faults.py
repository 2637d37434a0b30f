"""Fault injection: make chosen Web API calls fail with any error Slack can give.

A fault replaces the method's answer without taking effect: `ratelimited` is an HTTP 429 with
`Retry-After`, a 5xx is a server error, and any other code (`invalid_auth`,
`account_inactive`, `token_revoked`, `channel_not_found`, ...) is Slack's usual HTTP 200 with
`{"ok": false, "error": code}`. `"*"` matches every method, for token-level faults. A late
answer is the other fault: the call takes effect, but its answer comes after `delay` seconds,
as when Slack is slow and the client gives up waiting. Stopping the sandbox answers every
held call at once, so a test never waits out a delay after it is done.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import defaultdict, deque
from dataclasses import dataclass

__all__ = ["Fault", "Faults"]

ANY_METHOD = "*"


@dataclass(frozen=True, slots=True)
class Fault:
    error: str
    status: int
    retry_after: int = 1


class Faults:
    """Queued faults per method, taken one per call."""

    def __init__(self) -> None:
        self._queued: dict[str, deque[Fault]] = defaultdict(deque)
        self._late: dict[str, deque[float]] = defaultdict(deque)
        self._released = asyncio.Event()

    def add(
        self,
        method: str,
        *,
        error: str | None = None,
        status: int | None = None,
        count: int = 1,
        retry_after: int = 1,
    ) -> None:
        """Queue `count` faults; `status` alone picks Slack's error for it (429, 500...)."""
        if error is None:
            error = "ratelimited" if status in (None, 429) else "fatal_error"
        if status is None:
            status = 429 if error == "ratelimited" else 200
        self._queued[method].extend(Fault(error, status, retry_after) for _ in range(count))

    def take(self, method: str) -> Fault | None:
        for key in (method, ANY_METHOD):
            if self._queued[key]:
                return self._queued[key].popleft()
        return None

    def add_late(self, method: str, *, delay: float, count: int = 1) -> None:
        self._late[method].extend([delay] * count)

    def take_late(self, method: str) -> float:
        """Seconds to hold back the answer of this call (0: answer at once)."""
        return self._late[method].popleft() if self._late[method] else 0.0

    async def hold(self, delay: float) -> None:
        """Hold an answer back `delay` seconds, or until `release_held`."""
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(delay):
                await self._released.wait()

    def release_held(self) -> None:
        """Answer every held call now, and any later one at once."""
        self._released.set()
