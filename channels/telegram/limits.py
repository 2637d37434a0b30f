"""Telegram's flood limits, kept on our side so a 429 is the exception, not the pacing.

AIORateLimiter paces the whole bot (about 30 requests/s) and each group (20 messages/min), and
waits out a 429's `retry_after` before trying again. It leaves out Telegram's third limit,
about one message per second in any one private chat, which a survey conversation
(consent, question, follow-up, thanks) hits in a burst. `PacedRateLimiter` adds it.

A request sent with `rate_limit_args=NO_WAIT` (an invitation, whose row is `sending` while it
is on the wire) never waits out a 429: it raises `RetryAfter` at once, also while another
request's back-off is still running, so a crash cannot catch it mid-wait. The dispatcher puts
the row back in the queue until then.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Coroutine
from datetime import timedelta
from typing import Any

from aiolimiter import AsyncLimiter
from telegram.error import RetryAfter
from telegram.ext import AIORateLimiter

from channels.telegram.errors import retry_seconds
from channels.telegram.memory import Recent

JSONResult = bool | dict[str, Any] | list[dict[str, Any]]
PACED_METHODS = frozenset({"sendMessage", "sendPhoto"})
NO_WAIT = -1
"""`rate_limit_args` of a request whose 429 must not be waited out."""


class _Unretried(Exception):
    """Carries a NO_WAIT request's RetryAfter past AIORateLimiter's retry loop."""

    def __init__(self, error: RetryAfter) -> None:
        super().__init__(error.message)
        self.error = error


class PacedRateLimiter(AIORateLimiter):
    """AIORateLimiter plus a leaky bucket per private chat.

    Telegram tolerates short bursts in a chat, so each chat may send `chat_burst` messages at
    once and then one every `chat_interval` seconds.
    """

    def __init__(self, *, chat_burst: int = 3, chat_interval: float = 1.0, **limits: Any) -> None:
        super().__init__(**limits)
        self._chat_burst = chat_burst
        self._chat_interval = chat_interval
        self._chats: Recent[int, AsyncLimiter] = Recent(size=4096)
        self._paused_until = 0.0
        """Monotonic time until which Telegram asked the bot to wait (its last 429)."""
        self.on_429: Callable[[str], None] = lambda endpoint: None
        """Told the Bot API method of every 429 Telegram answers (for `/metrics`)."""

    def _chat_limiter(self, chat_id: int) -> AsyncLimiter:
        limiter = self._chats.get(chat_id)
        if limiter is None:
            limiter = AsyncLimiter(self._chat_burst, self._chat_burst * self._chat_interval)
        self._chats.put(chat_id, limiter)
        return limiter

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, JSONResult]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> JSONResult:
        chat_id = _private_chat_id(data) if endpoint in PACED_METHODS else None
        callback = self._counting(callback, endpoint)
        if rate_limit_args == NO_WAIT:
            self._refuse_while_paused()
            callback, rate_limit_args = _unretried(callback), None
        try:
            if chat_id is None:
                return await super().process_request(
                    callback, args, kwargs, endpoint, data, rate_limit_args
                )
            async with self._chat_limiter(chat_id):
                return await super().process_request(
                    callback, args, kwargs, endpoint, data, rate_limit_args
                )
        except _Unretried as exc:
            raise exc.error from None

    def _refuse_while_paused(self) -> None:
        waiting = self._paused_until - time.monotonic()
        if waiting > 0:
            raise RetryAfter(timedelta(seconds=math.ceil(waiting)))

    def _counting(
        self, callback: Callable[..., Coroutine[Any, Any, JSONResult]], endpoint: str
    ) -> Callable[..., Coroutine[Any, Any, JSONResult]]:
        async def counted(*args: Any, **kwargs: Any) -> JSONResult:
            try:
                return await callback(*args, **kwargs)
            except RetryAfter as exc:
                self.on_429(endpoint)
                pause = time.monotonic() + retry_seconds(exc)
                self._paused_until = max(self._paused_until, pause)
                raise

        return counted


def _unretried(
    callback: Callable[..., Coroutine[Any, Any, JSONResult]],
) -> Callable[..., Coroutine[Any, Any, JSONResult]]:
    """`callback` whose RetryAfter AIORateLimiter's retry loop does not catch."""

    async def once(*args: Any, **kwargs: Any) -> JSONResult:
        try:
            return await callback(*args, **kwargs)
        except RetryAfter as exc:
            raise _Unretried(exc) from exc

    return once


def _private_chat_id(data: dict[str, Any]) -> int | None:
    """The chat id when it names a private chat (positive), else None (groups, channels)."""
    try:
        chat_id = int(data["chat_id"])
    except (KeyError, TypeError, ValueError):
        return None
    return chat_id if chat_id > 0 else None
