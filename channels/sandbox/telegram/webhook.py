"""Webhook delivery: Telegram POSTs each update to the bot's URL and waits for a 2xx.

Updates go out in parallel, up to `max_connections` at once (40 unless setWebhook says
otherwise), but one at a time per chat, so a chat's updates keep their order. An answer other
than 2xx (or no answer) is redelivered after a pause; `getWebhookInfo` reports the last error.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from typing import Any

import aiohttp

from channels.sandbox.telegram.queue import Queued, UpdateQueue

__all__ = ["Webhook", "WebhookAttempt", "WebhookPusher"]

JSON = dict[str, Any]


@dataclass(frozen=True, slots=True)
class WebhookAttempt:
    """One POST of an update to the webhook; `status` is None when the connection failed."""

    update_id: int
    status: int | None
    at: float
    started: float = 0.0


@dataclass(slots=True)
class Webhook:
    url: str
    secret: str | None
    max_connections: int = 40
    last_error_date: int | None = None
    last_error_message: str | None = None


def chat_key(update: JSON) -> int | None:
    """The chat an update belongs to (None: no chat, so no ordering to keep)."""
    for part in update.values():
        if isinstance(part, dict):
            msg = part.get("message", part)
            chat = msg.get("chat") if isinstance(msg, dict) else None
            if isinstance(chat, dict):
                return int(chat["id"])
    return None


class WebhookPusher:
    """Pushes queued updates while a webhook is set; `attempts` records every POST."""

    def __init__(self, queue: UpdateQueue, *, retries: int, retry_delay: float) -> None:
        self.queue = queue
        self.retries = retries
        self.retry_delay = retry_delay
        self.hook: Webhook | None = None
        self.attempts: list[WebhookAttempt] = []
        self._session: aiohttp.ClientSession | None = None
        self._loop: asyncio.Task[None] | None = None
        self._pushes: set[asyncio.Task[None]] = set()
        self._closing = False

    def set(self, hook: Webhook | None) -> None:
        self.hook = hook
        if hook is not None and (self._loop is None or self._loop.done()):
            self._loop = asyncio.create_task(self._run())
        self.queue.notify()

    async def close(self) -> None:
        self._closing = True
        self.queue.notify()
        for task in [*self._pushes, *([self._loop] if self._loop else [])]:
            task.cancel()
        await asyncio.gather(
            *self._pushes, *([self._loop] if self._loop else []), return_exceptions=True
        )
        if self._session is not None:
            await self._session.close()

    async def _run(self) -> None:
        self._session = self._session or aiohttp.ClientSession(
            timeout=aiohttp.ClientTimeout(total=10)
        )
        while self.hook is not None and not self._closing:
            ready = self._ready()
            if not ready:
                await self.queue.wait_change(None)
                continue
            for entry in ready:
                entry.in_flight = True
                task = asyncio.create_task(self._deliver(entry))
                self._pushes.add(task)
                task.add_done_callback(self._pushes.discard)

    def _ready(self) -> list[Queued]:
        """The oldest update of each chat not already in flight, within max_connections."""
        assert self.hook is not None
        room = self.hook.max_connections - sum(e.in_flight for e in self.queue.entries)
        busy = {chat_key(e.update) for e in self.queue.entries if e.in_flight} - {None}
        ready: list[Queued] = []
        for entry in self.queue.entries:
            key = chat_key(entry.update)
            if len(ready) >= room:
                break
            if entry.in_flight or (key is not None and key in busy):
                continue
            if key is not None:
                busy.add(key)
            ready.append(entry)
        return ready

    async def _deliver(self, entry: Queued) -> None:
        try:
            for attempt in range(self.retries + 1):
                if await self._post(entry.update) or self.hook is None:
                    self.queue.remove(entry)
                    return
                if attempt < self.retries:
                    await asyncio.sleep(self.retry_delay)
            self.queue.remove(entry)  # given up on, as Telegram eventually does
        finally:
            entry.in_flight = False
            self.queue.notify()

    async def _post(self, update: JSON) -> bool:
        hook, session = self.hook, self._session
        if hook is None or session is None:
            return True
        headers = {"X-Telegram-Bot-Api-Secret-Token": hook.secret} if hook.secret else {}
        status: int | None = None
        started = time.monotonic()
        try:
            async with session.post(hook.url, json=update, headers=headers) as answer:
                status = answer.status
                error = f"Wrong response from the webhook: {status} {answer.reason}"
        except (aiohttp.ClientError, TimeoutError) as exc:
            error = f"Connection failed: {exc}"
        self.attempts.append(WebhookAttempt(update["update_id"], status, time.monotonic(), started))
        if status is not None and 200 <= status < 300:
            return True
        hook.last_error_date, hook.last_error_message = int(time.time()), error
        return False
