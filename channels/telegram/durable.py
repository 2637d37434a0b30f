"""Telegram updates recorded before Telegram hears they arrived.

Webhook: the update is written to the job table (or the local spool) and only then answered
200; Telegram redelivers anything not answered. Long polling: we drive `getUpdates`
ourselves, because PTB's Updater confirms an update (the next call's `offset`) as soon as it
sits in a memory queue; here the offset moves past an update only once it is recorded.
The recorded update is then handled through PTB's handlers as a job, so a crash, or a
database that stops answering halfway, leaves it to run again.
"""

from __future__ import annotations

import asyncio
import contextvars
import logging
from typing import Any

from telegram import Update
from telegram.error import NetworkError, TelegramError

from bot.inbound import Inbound
from channels.telegram.build import AnyApplication

log = logging.getLogger(__name__)

UPDATE_JOB = "telegram.update"
FAILURES: contextvars.ContextVar[list[BaseException] | None] = contextvars.ContextVar(
    "telegram_update_failures", default=None
)
"""Errors PTB's handlers raised for the update being processed (PTB reports them to error
handlers instead of raising), so the job can be tried again."""


class UpdateFailed(Exception):
    """A handler raised while the update was processed; the job runs again later."""


def lane(payload: dict[str, Any]) -> str | None:
    """One chat's updates run one at a time, in the order Telegram sent them."""
    for field in ("message", "edited_message", "my_chat_member", "chat_member"):
        if chat := (payload.get(field) or {}).get("chat"):
            return f"telegram:{chat.get('id')}"
    query = payload.get("callback_query") or {}
    if chat := (query.get("message") or {}).get("chat"):
        return f"telegram:{chat.get('id')}"
    if sender := query.get("from"):
        return f"telegram:{sender.get('id')}"
    return None


class DurableUpdates:
    """Records updates (webhook or polling) and processes them as jobs."""

    def __init__(self, *, application: AnyApplication, inbound: Inbound) -> None:
        self.application = application
        self.inbound = inbound
        self._poller: asyncio.Task[None] | None = None
        inbound.jobs.register(UPDATE_JOB, self._process)

    async def record(self, payload: dict[str, Any]) -> None:
        """Durable once this returns (job table or spool); raises when neither took it."""
        key = f"telegram:{self.application.bot.id}:update:{payload['update_id']}"
        job = await self.inbound.record(
            kind=UPDATE_JOB, key=key, lane=lane(payload), payload=payload
        )
        if job is not None:
            self.inbound.jobs.start_jobs([job])

    async def _process(self, payload: dict[str, Any], context: Any) -> None:
        update = Update.de_json(payload, self.application.bot)
        token = FAILURES.set([])
        try:
            await self.application.process_update(update)
            failures = FAILURES.get() or []
        finally:
            FAILURES.reset(token)
        if failures:
            raise UpdateFailed(f"update {payload['update_id']}: {failures[0]!r}") from failures[0]

    # -- long polling ------------------------------------------------------------------------

    async def start_polling(self, *, allowed_updates: tuple[str, ...], timeout: int = 10) -> None:
        """Polling and a webhook exclude each other; pending updates are kept, not dropped."""
        await self.application.bot.delete_webhook(drop_pending_updates=False)
        self._poller = asyncio.create_task(self._poll(list(allowed_updates), timeout))

    async def stop_polling(self) -> None:
        poller, self._poller = self._poller, None
        if poller is not None:
            poller.cancel()
            await asyncio.gather(poller, return_exceptions=True)

    async def _poll(self, allowed_updates: list[str], timeout: int) -> None:
        offset: int | None = None
        backoff = 0.5
        while True:
            try:
                updates = await self.application.bot.get_updates(
                    offset=offset,
                    timeout=timeout,
                    allowed_updates=allowed_updates,
                    read_timeout=timeout + 5,
                )
                for update in updates:
                    await self.record(update.to_dict())
                    offset = update.update_id + 1
                backoff = 0.5
            except asyncio.CancelledError:
                raise
            except (NetworkError, TelegramError, OSError) as exc:
                log.warning("getUpdates failed (%s); again in %.1fs", exc, backoff)
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, 30)
            except Exception:
                # Not recorded (neither database nor spool took it): the offset stays, so
                # Telegram hands the same updates over again.
                log.exception("updates could not be recorded; fetching them again")
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, 30)
