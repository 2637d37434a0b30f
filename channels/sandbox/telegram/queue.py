"""The updates Telegram keeps for a bot until getUpdates confirms them or the webhook takes them.

Waiters (long polls, webhook pushes, tests) sleep on one change signal and re-check their
condition, so an update, a call or a shutdown wakes each of them exactly when it matters.
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

__all__ = ["Queued", "UpdateQueue"]

JSON = dict[str, Any]
DEFAULT_EXCLUDED = frozenset({"chat_member", "message_reaction", "message_reaction_count"})


@dataclass(slots=True)
class Queued:
    update: JSON
    handed_out: bool = False
    in_flight: bool = False


class UpdateQueue:
    """Pending updates in order, the `allowed_updates` filter and the change signal."""

    def __init__(self) -> None:
        self.entries: list[Queued] = []
        self.allowed: frozenset[str] | None = None
        self._changed = asyncio.Event()

    def push(self, update: JSON) -> JSON:
        """Queue an update unless allowed_updates excludes its type (Telegram never makes it)."""
        kind = next(key for key in update if key != "update_id")
        allowed = kind in self.allowed if self.allowed else kind not in DEFAULT_EXCLUDED
        if allowed:
            self.entries.append(Queued(copy.deepcopy(update)))
            self.notify()
        return update

    def set_allowed(self, params: JSON) -> None:
        if "allowed_updates" in params:
            self.allowed = frozenset(params["allowed_updates"] or ()) or None

    def remove(self, entry: Queued) -> None:
        if entry in self.entries:
            self.entries.remove(entry)
        self.notify()

    def notify(self) -> None:
        """Wake every waiter; each captured the Event before its last check, so none is missed."""
        self._changed.set()
        self._changed = asyncio.Event()

    async def wait_change(self, timeout: float | None) -> None:
        with contextlib.suppress(TimeoutError):  # asyncio.timeout: 3.11's wait_for can
            async with asyncio.timeout(timeout):  # swallow a cancel
                await self._changed.wait()

    async def wait_until(self, ready: Callable[[], bool], timeout: float, what: str) -> None:
        deadline = asyncio.get_running_loop().time() + timeout
        while not ready():
            remaining = deadline - asyncio.get_running_loop().time()
            if remaining <= 0:
                raise TimeoutError(f"sandbox: {what} after {timeout} s")
            await self.wait_change(remaining)
