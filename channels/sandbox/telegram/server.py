"""A local Telegram Bot API server that speaks the real wire format and enforces its rules.

Tests, `npsbot demo` and the benchmark point the real python-telegram-bot stack at it
(`ApplicationBuilder().base_url(sandbox.base_url)`), so our adapter meets Telegram's envelopes,
error codes, long polling and webhook pushes instead of a mock of our own code. What Telegram
refuses, it refuses by default: bad HTML, over-long texts, floods, sends to a migrated group
or one the bot was removed from. State lives in memory, on the caller's event loop.
"""

from __future__ import annotations

import copy
import time
from dataclasses import dataclass, field
from typing import Any, Self

from aiohttp import web

from channels.sandbox.telegram import account, delivery, messages  # noqa: F401 (registers)
from channels.sandbox.telegram import updates as tg
from channels.sandbox.telegram.errors import ApiError, Faults
from channels.sandbox.telegram.flood import FloodControl, FloodLimits
from channels.sandbox.telegram.methods import METHODS
from channels.sandbox.telegram.people import People
from channels.sandbox.telegram.queue import UpdateQueue
from channels.sandbox.telegram.webhook import WebhookAttempt, WebhookPusher
from channels.sandbox.telegram.wire import read_params
from channels.sandbox.telegram.world import World

__all__ = ["RecordedCall", "SandboxDocument", "SandboxPhoto", "TelegramSandbox"]

JSON = dict[str, Any]


@dataclass(frozen=True, slots=True)
class RecordedCall:
    """One Bot API request as the sandbox parsed it; `status` is the HTTP status answered."""

    method: str
    params: JSON
    at: float
    status: int = 200
    files: dict[str, bytes] = field(default_factory=dict)
    error: str | None = None


@dataclass(frozen=True, slots=True)
class SandboxPhoto:
    """A delivered sendPhoto: the uploaded bytes (empty when sent by URL) and caption."""

    chat_id: int
    message_id: int
    file_id: str
    data: bytes
    caption: str | None


@dataclass(frozen=True, slots=True)
class SandboxDocument:
    """A delivered sendDocument: the uploaded file's name, bytes and caption."""

    chat_id: int
    message_id: int
    file_name: str
    data: bytes
    caption: str | None


class TelegramSandbox(People):
    """A fake Telegram serving `/bot{token}/{method}` and `/file/bot{token}/{path}` on 127.0.0.1.

    Feed people's actions with `send_text` / `press_button` / `block` / `remove_bot` /
    `upgrade_group`; read what the bot did from `calls`, `sent_messages()` and `photos`.
    `flood` sets flood control (Telegram's limits unless raised for a benchmark).
    """

    def __init__(
        self,
        *,
        token: str = "123456:SANDBOX",
        bot_id: int = 123456,
        bot_username: str = "npsbot_sandbox_bot",
        flood: FloodLimits | None = None,
        require_start: bool = True,
        privacy_mode: bool = True,
        webhook_retries: int = 3,
        webhook_retry_delay: float = 0.2,
    ) -> None:
        self.token = token
        self.bot = tg.user(
            user_id=bot_id, first_name="NPS Sandbox", username=bot_username, is_bot=True
        )
        self.world = World(bot=self.bot, require_start=require_start, privacy_mode=privacy_mode)
        self.queue = UpdateQueue()
        self.pusher = WebhookPusher(
            self.queue, retries=webhook_retries, retry_delay=webhook_retry_delay
        )
        self.flood = FloodControl(flood or FloodLimits())
        self.faults = Faults()
        self.calls: list[RecordedCall] = []
        self.photos: list[SandboxPhoto] = []
        self.documents: list[SandboxDocument] = []
        self.count_429 = 0
        self.files: dict[str, tuple[bytes, str]] = {}
        self.commands: dict[tuple[str, str], list[JSON]] = {}
        self.open_queries: set[str] = set()
        self.poll_generation = 0
        self.closing = False
        self._next_update_id = 1
        self._next_query_id = 1_771_298_765_432_109_000
        self._runner: web.AppRunner | None = None
        self._port = 0

    # -- lifecycle ---------------------------------------------------------------------------

    async def start(self) -> None:
        """Listen on a free 127.0.0.1 port."""
        app = web.Application(client_max_size=64 * 1024**2)
        app.router.add_route("*", "/bot{token}/{method}", self._handle)
        app.router.add_get("/file/bot{token}/{path:.+}", self._serve_file)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=0.5)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self._port = self._runner.addresses[0][1]

    async def stop(self) -> None:
        """Wake pending long polls, stop webhook pushes and close the server."""
        self.closing = True
        self.queue.notify()
        await self.pusher.close()
        if self._runner is not None:
            await self._runner.cleanup()

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()

    @property
    def base_url(self) -> str:
        """What `ApplicationBuilder().base_url()` takes; PTB appends `{token}/{method}`."""
        return f"http://127.0.0.1:{self._port}/bot"

    @property
    def base_file_url(self) -> str:
        """What `ApplicationBuilder().base_file_url()` takes; PTB appends `{token}/{file_path}`."""
        return f"http://127.0.0.1:{self._port}/file/bot"

    # -- what the bot did --------------------------------------------------------------------

    @property
    def started(self) -> set[int]:
        return self.world.started

    @property
    def blocked(self) -> set[int]:
        return self.world.blocked

    @property
    def webhook_attempts(self) -> list[WebhookAttempt]:
        return self.pusher.attempts

    @property
    def pending_updates(self) -> list[JSON]:
        """Updates not yet confirmed (polling) or delivered (webhook)."""
        return [entry.update for entry in self.queue.entries]

    def calls_to(self, method: str) -> list[RecordedCall]:
        """Recorded calls of one method (case-insensitive, like the Bot API), failures included."""
        return [call for call in self.calls if call.method.lower() == method.lower()]

    def sent_messages(self, chat_id: int | None = None) -> list[JSON]:
        """The bot's messages still in a chat (all chats if None), as they are after edits:
        parsed, so `text` is what people read and formatting is in `entities`."""
        chats = (
            self.world.messages.values()
            if chat_id is None
            else [self.world.messages.get(chat_id, {})]
        )
        bot_id = self.bot["id"]
        return [
            copy.deepcopy(msg)
            for chat in chats
            for msg in sorted(chat.values(), key=lambda m: m["message_id"])
            if msg["from"]["id"] == bot_id
        ]

    def record_photo(self, msg: JSON, file_id: str, data: bytes) -> None:
        photo = SandboxPhoto(
            msg["chat"]["id"], msg["message_id"], file_id, data, msg.get("caption")
        )
        self.photos.append(photo)

    def fail_next(
        self,
        method: str,
        *,
        status: int = 429,
        count: int = 1,
        retry_after: int = 1,
        description: str | None = None,
        parameters: JSON | None = None,
    ) -> None:
        """Answer the next `count` calls of `method` with an error; they deliver nothing.

        Any status and any `parameters` (`migrate_to_chat_id`, `retry_after`); a 429 carries
        `retry_after` unless `parameters` says otherwise.
        """
        if status == 429 and parameters is None:
            parameters = {"retry_after": retry_after}
        self.faults.add(
            method, status=status, count=count, description=description, parameters=parameters
        )

    async def wait_idle(self, *, timeout: float = 5.0) -> None:
        """Wait until every queued update was confirmed by getUpdates or pushed to the webhook.

        Confirmation comes before the bot's handlers finish; use `wait_for_calls` for those.
        """
        await self.queue.wait_until(lambda: not self.queue.entries, timeout, "updates queued")

    async def wait_for_calls(
        self, method: str, *, count: int = 1, timeout: float = 5.0
    ) -> list[RecordedCall]:
        """Wait until `method` was called `count` times in all; return those calls."""
        await self.queue.wait_until(
            lambda: len(self.calls_to(method)) >= count, timeout, f"fewer than {count} {method}"
        )
        return self.calls_to(method)

    # -- HTTP --------------------------------------------------------------------------------

    async def _handle(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return web.json_response(ApiError(401, "Unauthorized").body, status=401)
        method = request.match_info["method"]
        handler = METHODS.get(method.lower())
        if handler is None:
            return web.json_response(ApiError(404, "Not Found").body, status=404)
        params, files = await read_params(request)
        try:
            self.faults.check(method)
            self.flood.check(method, _chat_id(params))
            body: JSON = {"ok": True, "result": await handler(self, params, files)}
            status = 200
        except ApiError as exc:
            body, status = exc.body, exc.status
        if status == 429:
            self.count_429 += 1
        error = None if status == 200 else str(body.get("description"))
        self.calls.append(RecordedCall(method, params, time.monotonic(), status, files, error))
        self.queue.notify()
        return web.json_response(body, status=status)

    async def _serve_file(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return web.json_response(ApiError(401, "Unauthorized").body, status=401)
        path = request.match_info["path"]
        for data, file_path in self.files.values():
            if file_path == path:
                return web.Response(body=data, content_type="application/octet-stream")
        return web.json_response(ApiError(404, "Not Found").body, status=404)


def _chat_id(params: JSON) -> int | None:
    try:
        return int(params["chat_id"])
    except (KeyError, TypeError, ValueError):
        return None
