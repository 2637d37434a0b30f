"""A local Telegram Bot API server that speaks the real wire format.

Tests, `npsbot demo` and the benchmark point the real python-telegram-bot stack at it
(`ApplicationBuilder().base_url(sandbox.base_url)`), so our adapter meets Telegram's envelopes,
error codes, long polling and webhook pushes instead of a mock of our own code. State lives in
memory: a registry of users and groups, the messages of each chat and a queue of updates.
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import json
import math
import re
import time
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Any, Self

import aiohttp
from aiohttp import web

from channels.sandbox import telegram_updates as tg

__all__ = [
    "ApiError",
    "RecordedCall",
    "SandboxDocument",
    "SandboxPhoto",
    "TelegramSandbox",
    "WebhookAttempt",
]

JSON = dict[str, Any]
MAX_TEXT = 4096
MAX_CAPTION = 1024
MAX_UPLOAD = 50 * 1024 * 1024  # bots upload documents of up to 50 MB
SEND_METHODS = frozenset({"sendmessage", "sendphoto"})
# Form and multipart bodies carry every value as a string; these are JSON-encoded on the wire.
_JSON_PARAMS = frozenset(
    {
        *("chat_id", "message_id", "user_id", "offset", "limit", "timeout", "max_connections"),
        *("cache_time", "show_alert", "drop_pending_updates", "disable_notification"),
        *("protect_content", "reply_to_message_id", "reply_markup", "reply_parameters"),
        *("allowed_updates", "commands", "scope", "entities", "caption_entities", "has_spoiler"),
        *("link_preview_options", "message_thread_id", "show_caption_above_media"),
    }
)
_DEFAULT_EXCLUDED = frozenset({"chat_member", "message_reaction", "message_reaction_count"})
_COMMAND = re.compile(r"^[a-z0-9_]{1,32}$")
_FAULT_TEXT = {
    400: "Bad Request",
    403: "Forbidden: bot was blocked by the user",
    500: "Internal Server Error",
    502: "Bad Gateway",
}
_NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup are"
    " exactly the same as a current content and reply markup of the message"
)


class ApiError(Exception):
    """An answer with `ok: false`; handlers raise it and the server turns it into the envelope."""

    def __init__(self, status: int, description: str, *, parameters: JSON | None = None) -> None:
        super().__init__(description)
        self.status = status
        self.body: JSON = {"ok": False, "error_code": status, "description": description}
        if parameters:
            self.body["parameters"] = parameters


@dataclass(frozen=True, slots=True)
class RecordedCall:
    """One Bot API request as the sandbox parsed it; `status` is the HTTP status answered."""

    method: str
    params: JSON
    at: float
    status: int = 200
    files: dict[str, bytes] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class SandboxDocument:
    """A delivered sendDocument: the uploaded file's name, bytes and caption."""

    chat_id: int
    message_id: int
    file_name: str
    data: bytes
    caption: str | None


@dataclass(frozen=True, slots=True)
class SandboxPhoto:
    """A delivered sendPhoto: the uploaded bytes (empty when sent by URL) and caption."""

    chat_id: int
    message_id: int
    file_id: str
    data: bytes
    caption: str | None


@dataclass(frozen=True, slots=True)
class WebhookAttempt:
    """One POST of an update to the webhook; `status` is None when the connection failed."""

    update_id: int
    status: int | None
    at: float


@dataclass(slots=True)
class _Webhook:
    url: str
    secret: str | None
    max_connections: int
    last_error_date: int | None = None
    last_error_message: str | None = None


@dataclass(slots=True)
class _Group:
    chat: JSON
    admins: set[int]
    members: set[int]
    creator: int | None


@dataclass(slots=True)
class _Queued:
    update: JSON
    handed_out: bool = False


@dataclass(slots=True)
class _Fault:
    status: int
    remaining: int
    retry_after: int
    description: str | None


@dataclass(slots=True)
class _TokenBucket:
    """Flood control over send methods: bursts up to one second's worth, then `rate` per s."""

    rate: float
    tokens: float = 0.0
    last: float = field(default_factory=time.monotonic)

    def __post_init__(self) -> None:
        self.tokens = max(1.0, self.rate)

    def take(self) -> int:
        """Return 0 when a token was taken, else whole seconds to wait (Telegram's unit)."""
        now = time.monotonic()
        self.tokens = min(max(1.0, self.rate), self.tokens + (now - self.last) * self.rate)
        self.last = now
        if self.tokens >= 1.0:
            self.tokens -= 1.0
            return 0
        return max(1, math.ceil((1.0 - self.tokens) / self.rate))


Handler = Callable[[JSON, dict[str, bytes]], Awaitable[Any]]


class TelegramSandbox:
    """A fake Telegram serving `/bot{token}/{method}` and `/file/bot{token}/{path}` on 127.0.0.1.

    Feed user actions with `send_text` / `press_button` / `block`; read what the bot did from
    `calls`, `sent_messages()` and `photos`. All of it runs on the caller's event loop.
    """

    def __init__(
        self,
        *,
        token: str = "123456:SANDBOX",
        bot_id: int = 123456,
        bot_username: str = "npsbot_sandbox_bot",
        rate_limit_per_second: float | None = None,
        require_start: bool = True,
        privacy_mode: bool = True,
        webhook_retries: int = 3,
        webhook_retry_delay: float = 0.2,
    ) -> None:
        self.token = token
        self.bot = tg.user(
            user_id=bot_id, first_name="NPS Sandbox", username=bot_username, is_bot=True
        )
        self.require_start = require_start
        self.privacy_mode = privacy_mode
        self.webhook_retries = webhook_retries
        self.webhook_retry_delay = webhook_retry_delay
        self.calls: list[RecordedCall] = []
        self.photos: list[SandboxPhoto] = []
        self.documents: list[SandboxDocument] = []
        self.webhook_attempts: list[WebhookAttempt] = []
        self.count_429 = 0
        self.started: set[int] = set()
        self.blocked: set[int] = set()
        self._bucket = (
            None if rate_limit_per_second is None else _TokenBucket(rate_limit_per_second)
        )
        self._users: dict[int, JSON] = {}
        self._groups: dict[int, _Group] = {}
        self._messages: dict[int, dict[int, JSON]] = {}
        self._last_message_id: dict[int, int] = {}
        self._queue: list[_Queued] = []
        self._next_update_id = 1
        self._next_query_id = 1_771_298_765_432_109_000
        self._open_queries: set[str] = set()
        self._faults: dict[str, deque[_Fault]] = {}
        self._commands: dict[tuple[str, str], list[JSON]] = {}
        self._files: dict[str, tuple[bytes, str]] = {}
        self._allowed: frozenset[str] | None = None
        self._webhook: _Webhook | None = None
        self._webhook_task: asyncio.Task[None] | None = None
        self._poll_generation = 0
        self._changed = asyncio.Event()
        self._closing = False
        self._runner: web.AppRunner | None = None
        self._session: aiohttp.ClientSession | None = None
        self._port = 0
        self._methods: dict[str, Handler] = {
            name.removeprefix("_api_").replace("_", ""): getattr(self, name)
            for name in dir(self)
            if name.startswith("_api_")
        }

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
        self._session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10))

    async def stop(self) -> None:
        """Wake pending long polls, stop webhook pushes and close the server."""
        self._closing = True
        self._notify()
        if self._webhook_task is not None:
            self._webhook_task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._webhook_task
        if self._session is not None:
            await self._session.close()
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

    # -- registry ----------------------------------------------------------------------------

    def add_user(
        self,
        user_id: int,
        *,
        first_name: str = "Ann",
        last_name: str | None = None,
        username: str | None = None,
        language_code: str | None = "en",
        started: bool = False,
    ) -> JSON:
        """Register a Telegram account; `started=True` skips the `/start` a send otherwise needs."""
        self._users[user_id] = tg.user(
            user_id=user_id,
            first_name=first_name,
            last_name=last_name,
            username=username,
            language_code=language_code,
        )
        if started:
            self.started.add(user_id)
        return self._users[user_id]

    def add_group(
        self,
        chat_id: int,
        *,
        title: str,
        admins: list[int],
        members: list[int],
        creator: int | None = None,
    ) -> JSON:
        """Register a group (negative id) whose getChatMember statuses come from these lists."""
        if chat_id >= 0:
            raise ValueError("group chat ids are negative on Telegram")
        for user_id in {*admins, *members, *([creator] if creator else [])}:
            self._account(user_id)
        chat = tg.group_chat(chat_id=chat_id, title=title)
        self._groups[chat_id] = _Group(chat, set(admins), set(members), creator)
        return chat

    def block(self, user_id: int) -> JSON:
        """The user blocks the bot: later sends answer 403 and a my_chat_member update arrives."""
        self.blocked.add(user_id)
        return self._member_change(user_id, old="member", new="kicked")

    def unblock(self, user_id: int) -> JSON:
        """The user unblocks the bot (kicked -> member)."""
        self.blocked.discard(user_id)
        return self._member_change(user_id, old="kicked", new="member")

    # -- what users do -----------------------------------------------------------------------

    def send_text(
        self,
        user_id: int,
        text: str,
        *,
        reply_to_message_id: int | None = None,
        chat_id: int | None = None,
    ) -> JSON:
        """The user sends `text` (to the bot's private chat unless `chat_id` names a group).

        A blocked user unblocks first, as the app's "Restart" button does. In groups with
        `privacy_mode`, text that is neither a command for this bot nor a reply to it is not
        delivered, as on Telegram; the built update is returned either way.
        """
        sender = self._account(user_id)
        if chat_id is not None and chat_id not in self._groups:
            raise LookupError(f"group {chat_id} is not registered; call add_group first")
        chat = self._chat(user_id if chat_id is None else chat_id)
        if chat["type"] == "private" and user_id in self.blocked:
            self.unblock(user_id)
        reply_to = None
        if reply_to_message_id is not None:
            reply_to = self._message(chat["id"], reply_to_message_id, "message to reply")
        msg = tg.message(
            message_id=self._new_message_id(chat["id"]),
            sender=sender,
            chat=chat,
            text=text,
            reply_to=reply_to,
        )
        self._messages[chat["id"]][msg["message_id"]] = msg
        if chat["type"] == "private" and text.split(maxsplit=1)[0] == "/start":
            self.started.add(user_id)
        update = {"update_id": self._new_update_id(), "message": msg}
        if chat["type"] == "private" or not self.privacy_mode or self._addressed(msg):
            self._enqueue(update)
        return update

    def press_button(
        self, user_id: int, *, message_id: int, data: str, chat_id: int | None = None
    ) -> JSON:
        """The user presses an inline button of a bot message; `data` must be on the keyboard."""
        sender = self._account(user_id)
        target = self._message(user_id if chat_id is None else chat_id, message_id, "message")
        buttons = target.get("reply_markup", {}).get("inline_keyboard", [])
        offered = [button.get("callback_data") for row in buttons for button in row]
        if data not in offered:
            raise ValueError(f"message {message_id} offers no button with data {data!r}: {offered}")
        self._next_query_id += 1
        query_id = str(self._next_query_id)
        self._open_queries.add(query_id)
        update = tg.callback_query_update(
            update_id=self._new_update_id(),
            query_id=query_id,
            sender=sender,
            message=copy.deepcopy(target),
            data=data,
        )
        return self._enqueue(update)

    def enqueue_raw(self, update: JSON) -> JSON:
        """Queue a given update as is (a fixture, or a replay keeping its `update_id`).

        Its users, chats, `/start` and callback query id are learnt so the bot can answer it.
        """
        update = copy.deepcopy(update)
        update.setdefault("update_id", self._new_update_id())
        self._next_update_id = max(self._next_update_id, update["update_id"] + 1)
        self._learn(update)
        return self._enqueue(update)

    # -- what the bot did --------------------------------------------------------------------

    def calls_to(self, method: str) -> list[RecordedCall]:
        """Recorded calls of one method (case-insensitive, like the Bot API), failures included."""
        return [call for call in self.calls if call.method.lower() == method.lower()]

    def sent_messages(self, chat_id: int | None = None) -> list[JSON]:
        """The bot's messages still in a chat (all chats if None), as they are after edits."""
        chats = self._messages.values() if chat_id is None else [self._messages.get(chat_id, {})]
        bot_id = self.bot["id"]
        return [
            copy.deepcopy(msg)
            for chat in chats
            for msg in sorted(chat.values(), key=lambda m: m["message_id"])
            if msg["from"]["id"] == bot_id
        ]

    def fail_next(
        self,
        method: str,
        *,
        status: int = 429,
        count: int = 1,
        retry_after: int = 1,
        description: str | None = None,
    ) -> None:
        """Answer the next `count` calls of `method` with an error; they deliver nothing."""
        fault = _Fault(status, count, retry_after, description)
        self._faults.setdefault(method.lower(), deque()).append(fault)

    @property
    def pending_updates(self) -> list[JSON]:
        """Updates not yet confirmed (polling) or delivered (webhook)."""
        return [entry.update for entry in self._queue]

    async def wait_idle(self, *, timeout: float = 5.0) -> None:
        """Wait until every queued update was confirmed by getUpdates or pushed to the webhook.

        Confirmation comes before the bot's handlers finish; use `wait_for_calls` for those.
        """
        await self._wait_until(lambda: not self._queue, timeout, "updates still queued")

    async def wait_for_calls(
        self, method: str, *, count: int = 1, timeout: float = 5.0
    ) -> list[RecordedCall]:
        """Wait until `method` was called `count` times in all; return those calls."""
        await self._wait_until(
            lambda: len(self.calls_to(method)) >= count, timeout, f"fewer than {count} {method}"
        )
        return self.calls_to(method)

    # -- HTTP --------------------------------------------------------------------------------

    async def _handle(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return web.json_response(ApiError(401, "Unauthorized").body, status=401)
        method = request.match_info["method"]
        handler = self._methods.get(method.lower())
        if handler is None:
            return web.json_response(ApiError(404, "Not Found").body, status=404)
        params, files = await _read_params(request)
        try:
            self._check_fault(method)
            self._check_flood(method)
            body: JSON = {"ok": True, "result": await handler(params, files)}
            status = 200
        except ApiError as exc:
            body, status = exc.body, exc.status
        if status == 429:
            self.count_429 += 1
        self.calls.append(RecordedCall(method, params, time.monotonic(), status, files))
        self._notify()
        return web.json_response(body, status=status)

    async def _serve_file(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return web.json_response(ApiError(401, "Unauthorized").body, status=401)
        path = request.match_info["path"]
        for data, file_path in self._files.values():
            if file_path == path:
                return web.Response(body=data, content_type="application/octet-stream")
        return web.json_response(ApiError(404, "Not Found").body, status=404)

    def _check_fault(self, method: str) -> None:
        faults = self._faults.get(method.lower())
        if not faults:
            return
        fault = faults[0]
        fault.remaining -= 1
        if fault.remaining <= 0:
            faults.popleft()
        if fault.status == 429:
            text = fault.description or f"Too Many Requests: retry after {fault.retry_after}"
            raise ApiError(429, text, parameters={"retry_after": fault.retry_after})
        default = _FAULT_TEXT.get(fault.status) or HTTPStatus(fault.status).phrase
        raise ApiError(fault.status, fault.description or default)

    def _check_flood(self, method: str) -> None:
        if self._bucket is None or method.lower() not in SEND_METHODS:
            return
        wait = self._bucket.take()
        if wait:
            raise ApiError(
                429, f"Too Many Requests: retry after {wait}", parameters={"retry_after": wait}
            )

    # -- Bot API methods (`_api_get_me` serves getMe; names match case-insensitively) ----------

    async def _api_get_me(self, params: JSON, files: dict[str, bytes]) -> JSON:
        return {
            **self.bot,
            "can_join_groups": True,
            "can_read_all_group_messages": not self.privacy_mode,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }

    async def _api_get_updates(self, params: JSON, files: dict[str, bytes]) -> list[JSON]:
        self._refuse_polling_with_webhook()
        if "allowed_updates" in params:
            self._allowed = frozenset(params["allowed_updates"] or ()) or None
        offset = int(params.get("offset") or 0)
        limit = min(max(int(params.get("limit") or 100), 1), 100)
        deadline = asyncio.get_running_loop().time() + float(params.get("timeout") or 0)
        self._poll_generation += 1
        generation = self._poll_generation
        self._notify()  # an older long poll now ends with 409, as on Telegram
        if offset < 0:
            del self._queue[: max(len(self._queue) + offset, 0)]
        else:
            self._queue = [
                e for e in self._queue if not (e.handed_out and e.update["update_id"] < offset)
            ]
        while True:
            if generation != self._poll_generation:
                raise ApiError(
                    409,
                    "Conflict: terminated by other getUpdates request;"
                    " make sure that only one bot instance is running",
                )
            self._refuse_polling_with_webhook()
            # Replays and late fixtures below `offset` are still handed out once.
            batch = [e for e in self._queue if e.update["update_id"] >= offset or not e.handed_out]
            remaining = deadline - asyncio.get_running_loop().time()
            if batch or self._closing or remaining <= 0:
                break
            await self._wait_change(remaining)
        batch = sorted(batch[:limit], key=lambda e: e.update["update_id"])
        for entry in batch:
            entry.handed_out = True
        return [copy.deepcopy(entry.update) for entry in batch]

    async def _api_set_webhook(self, params: JSON, files: dict[str, bytes]) -> bool:
        url = str(params.get("url") or "")
        if params.get("drop_pending_updates"):
            self._queue.clear()
        if "allowed_updates" in params:
            self._allowed = frozenset(params["allowed_updates"] or ()) or None
        if not url:
            self._webhook = None
            return True
        secret = params.get("secret_token") or None
        if secret is not None and not re.fullmatch(r"[A-Za-z0-9_-]{1,256}", str(secret)):
            raise ApiError(400, "Bad Request: secret token contains unallowed characters")
        self._webhook = _Webhook(url, secret, int(params.get("max_connections") or 40))
        if self._webhook_task is None or self._webhook_task.done():
            self._webhook_task = asyncio.create_task(self._push_updates())
        self._notify()
        return True

    async def _api_delete_webhook(self, params: JSON, files: dict[str, bytes]) -> bool:
        if params.get("drop_pending_updates"):
            self._queue.clear()
        self._webhook = None
        self._notify()
        return True

    async def _api_get_webhook_info(self, params: JSON, files: dict[str, bytes]) -> JSON:
        info: JSON = {
            "url": "",
            "has_custom_certificate": False,
            "pending_update_count": len(self._queue),
        }
        if self._webhook is not None:
            info.update(url=self._webhook.url, max_connections=self._webhook.max_connections)
            if self._webhook.last_error_date is not None:
                info["last_error_date"] = self._webhook.last_error_date
                info["last_error_message"] = self._webhook.last_error_message
        if self._allowed is not None:
            info["allowed_updates"] = sorted(self._allowed)
        return info

    async def _api_send_message(self, params: JSON, files: dict[str, bytes]) -> JSON:
        chat = self._sendable_chat(params)
        text = str(params.get("text") or "")
        if not text.strip():
            raise ApiError(400, "Bad Request: message text is empty")
        if len(text) > MAX_TEXT:
            raise ApiError(400, "Bad Request: message is too long")
        return self._deliver(chat, params, {"text": text})

    async def _api_send_photo(self, params: JSON, files: dict[str, bytes]) -> JSON:
        chat = self._sendable_chat(params)
        caption = params.get("caption")
        if caption is not None and len(str(caption)) > MAX_CAPTION:
            raise ApiError(400, "Bad Request: message caption is too long")
        data = _photo_bytes(params.get("photo"), files, self._files)
        file_id = str(params.get("photo"))  # a resent file keeps its file_id, as on Telegram
        if file_id not in self._files:
            file_id = f"AgACAgIAAxkDAAI{len(self._files) + 1:06d}"
            self._files[file_id] = (data, f"photos/file_{len(self._files)}.jpg")
        size = {"file_id": file_id, "file_unique_id": file_id[-10:], "width": 320, "height": 320}
        extra = {"photo": [{**size, "file_size": len(data)}], "caption": caption}
        msg = self._deliver(chat, params, {k: v for k, v in extra.items() if v is not None})
        self.photos.append(SandboxPhoto(chat["id"], msg["message_id"], file_id, data, caption))
        return msg

    async def _api_send_document(self, params: JSON, files: dict[str, bytes]) -> JSON:
        """Uploads only (what npsbot sends): a missing, empty or oversized file is refused."""
        chat = self._sendable_chat(params)
        caption = params.get("caption")
        if caption is not None and len(str(caption)) > MAX_CAPTION:
            raise ApiError(400, "Bad Request: message caption is too long")
        if "document" not in files:
            raise ApiError(400, "Bad Request: there is no document in the request")
        data = files["document"]
        if not data:
            raise ApiError(400, "Bad Request: file must be non-empty")
        if len(data) > MAX_UPLOAD:
            raise ApiError(413, "Request Entity Too Large")
        name = str(params.get("_document_filename") or "document")
        file_id = f"BQACAgIAAxkDAAI{len(self._files) + 1:06d}"
        self._files[file_id] = (data, f"documents/{name}")
        document = {
            "file_id": file_id,
            "file_unique_id": file_id[-10:],
            "file_name": name,
            "mime_type": "application/json"
            if name.endswith(".json")
            else "application/octet-stream",
            "file_size": len(data),
        }
        extra = {"document": document, "caption": caption}
        msg = self._deliver(chat, params, {k: v for k, v in extra.items() if v is not None})
        self.documents.append(SandboxDocument(chat["id"], msg["message_id"], name, data, caption))
        return msg

    async def _api_get_file(self, params: JSON, files: dict[str, bytes]) -> JSON:
        file_id = str(params.get("file_id"))
        if file_id not in self._files:
            raise ApiError(400, "Bad Request: invalid file_id")
        data, path = self._files[file_id]
        return {
            "file_id": file_id,
            "file_unique_id": file_id[-10:],
            "file_size": len(data),
            "file_path": path,
        }

    async def _api_edit_message_text(self, params: JSON, files: dict[str, bytes]) -> JSON:
        msg = self._editable(params)
        text = str(params.get("text") or "")
        if not text.strip():
            raise ApiError(400, "Bad Request: text must be non-empty")
        if len(text) > MAX_TEXT:
            raise ApiError(400, "Bad Request: MESSAGE_TOO_LONG")
        return self._edit(msg, text=text, markup=_inline_markup(params.get("reply_markup")))

    async def _api_edit_message_reply_markup(self, params: JSON, files: dict[str, bytes]) -> JSON:
        msg = self._editable(params)
        return self._edit(
            msg, text=msg.get("text"), markup=_inline_markup(params.get("reply_markup"))
        )

    async def _api_delete_message(self, params: JSON, files: dict[str, bytes]) -> bool:
        chat = self._chat(params.get("chat_id"))
        if self._messages[chat["id"]].pop(int(params.get("message_id") or 0), None) is None:
            raise ApiError(400, "Bad Request: message to delete not found")
        return True

    async def _api_answer_callback_query(self, params: JSON, files: dict[str, bytes]) -> bool:
        query_id = str(params.get("callback_query_id"))
        if query_id not in self._open_queries:
            raise ApiError(
                400,
                "Bad Request: query is too old and response timeout expired or query ID is invalid",
            )
        self._open_queries.discard(query_id)
        return True

    async def _api_get_chat(self, params: JSON, files: dict[str, bytes]) -> JSON:
        return tg.chat_full_info(self._chat(params.get("chat_id")))

    async def _api_get_chat_member(self, params: JSON, files: dict[str, bytes]) -> JSON:
        chat = self._chat(params.get("chat_id"))
        user_id = int(params.get("user_id") or 0)
        account = self.bot if user_id == self.bot["id"] else self._users.get(user_id)
        if account is None:
            raise ApiError(400, "Bad Request: user not found")
        return tg.chat_member(account=account, status=self._status(chat, user_id))

    async def _api_set_my_commands(self, params: JSON, files: dict[str, bytes]) -> bool:
        commands = params.get("commands") or []
        for command in commands:
            if not _COMMAND.match(str(command.get("command", ""))):
                raise ApiError(400, "Bad Request: BOT_COMMAND_INVALID")
        self._commands[_commands_key(params)] = [
            {"command": c["command"], "description": c.get("description", "")} for c in commands
        ]
        return True

    async def _api_get_my_commands(self, params: JSON, files: dict[str, bytes]) -> list[JSON]:
        return copy.deepcopy(self._commands.get(_commands_key(params), []))

    async def _api_delete_my_commands(self, params: JSON, files: dict[str, bytes]) -> bool:
        self._commands.pop(_commands_key(params), None)
        return True

    # -- helpers -----------------------------------------------------------------------------

    def _refuse_polling_with_webhook(self) -> None:
        if self._webhook is not None:
            raise ApiError(
                409,
                "Conflict: can't use getUpdates method while webhook is active;"
                " use deleteWebhook to delete the webhook first",
            )

    def _account(self, user_id: int) -> JSON:
        return self._users.get(user_id) or self.add_user(user_id)

    def _chat(self, chat_id: object) -> JSON:
        if isinstance(chat_id, str) and chat_id.lstrip("-").isdigit():
            chat_id = int(chat_id)
        if isinstance(chat_id, str) and chat_id.startswith("@"):
            found = [u["id"] for u in self._users.values() if u.get("username") == chat_id[1:]]
            chat_id = found[0] if found else None
        if isinstance(chat_id, int) and chat_id in self._groups:
            chat = self._groups[chat_id].chat
        elif isinstance(chat_id, int) and chat_id in self._users:
            chat = tg.private_chat(self._users[chat_id])
        else:
            raise ApiError(400, "Bad Request: chat not found")
        self._messages.setdefault(chat["id"], {})
        return chat

    def _sendable_chat(self, params: JSON) -> JSON:
        chat = self._chat(params.get("chat_id"))
        if chat["type"] == "private":
            if chat["id"] in self.blocked:
                raise ApiError(403, "Forbidden: bot was blocked by the user")
            if self.require_start and chat["id"] not in self.started:
                raise ApiError(403, "Forbidden: bot can't initiate conversation with a user")
        return chat

    def _message(self, chat_id: int, message_id: int, what: str) -> JSON:
        msg = self._messages.get(chat_id, {}).get(message_id)
        if msg is None:
            raise LookupError(f"{what} {message_id} not found in chat {chat_id}")
        return msg

    def _new_message_id(self, chat_id: int) -> int:
        """Ids grow per chat and are never reused, even after deleteMessage."""
        self._messages.setdefault(chat_id, {})
        self._last_message_id[chat_id] = self._last_message_id.get(chat_id, 0) + 1
        return self._last_message_id[chat_id]

    def _new_update_id(self) -> int:
        self._next_update_id += 1
        return self._next_update_id - 1

    def _deliver(self, chat: JSON, params: JSON, content: JSON) -> JSON:
        reply = params.get("reply_parameters") or {}
        reply_id = reply.get("message_id") or params.get("reply_to_message_id")
        reply_to = None
        if reply_id is not None:
            reply_to = self._messages[chat["id"]].get(int(reply_id))
            if reply_to is None and not reply.get("allow_sending_without_reply"):
                raise ApiError(400, "Bad Request: message to be replied not found")
        msg = tg.message(
            message_id=self._new_message_id(chat["id"]),
            sender=self.bot,
            chat=chat,
            reply_to=reply_to,
            reply_markup=_inline_markup(params.get("reply_markup")),
            extra=content,
        )
        self._messages[chat["id"]][msg["message_id"]] = msg
        return copy.deepcopy(msg)

    def _editable(self, params: JSON) -> JSON:
        if params.get("inline_message_id"):
            raise ApiError(400, "Bad Request: inline messages are not supported by the sandbox")
        chat = self._chat(params.get("chat_id"))
        if chat["id"] in self.blocked:
            raise ApiError(403, "Forbidden: bot was blocked by the user")
        msg = self._messages[chat["id"]].get(int(params.get("message_id") or 0))
        if msg is None or msg["from"]["id"] != self.bot["id"]:
            raise ApiError(400, "Bad Request: message to edit not found")
        return msg

    def _edit(self, msg: JSON, *, text: str | None, markup: JSON | None) -> JSON:
        """Apply an edit; a missing reply_markup removes the keyboard, as Telegram does."""
        if msg.get("text") == text and msg.get("reply_markup") == markup:
            raise ApiError(400, _NOT_MODIFIED)
        if text is not None:
            msg["text"] = text
        msg.pop("reply_markup", None)
        if markup is not None:
            msg["reply_markup"] = markup
        msg["edit_date"] = int(time.time())
        return copy.deepcopy(msg)

    def _status(self, chat: JSON, user_id: int) -> str:
        if chat["type"] == "private":
            if user_id not in (chat["id"], self.bot["id"]):
                raise ApiError(400, "Bad Request: user not found")
            return (
                "kicked" if user_id == self.bot["id"] and chat["id"] in self.blocked else "member"
            )
        group = self._groups[chat["id"]]
        if user_id == group.creator:
            return "creator"
        if user_id in group.admins:
            return "administrator"
        return "member" if user_id in group.members or user_id == self.bot["id"] else "left"

    def _addressed(self, msg: JSON) -> bool:
        """Privacy mode lets through commands (bare or for this bot), replies and mentions."""
        text = msg.get("text", "")
        first = text.split(maxsplit=1)[0] if text.strip() else ""
        mention = "@" + self.bot["username"]
        if first.startswith("/"):
            return "@" not in first or first.endswith(mention)
        replied = msg.get("reply_to_message", {}).get("from", {}).get("id") == self.bot["id"]
        return replied or mention in text

    def _member_change(self, user_id: int, *, old: str, new: str) -> JSON:
        account = self._account(user_id)
        update = tg.my_chat_member_update(
            update_id=self._new_update_id(),
            chat=tg.private_chat(account),
            sender=account,
            bot=self.bot,
            old_status=old,
            new_status=new,
        )
        return self._enqueue(update)

    def _learn(self, update: JSON) -> None:
        """Register what an external update mentions so the bot's answers find their chat."""
        for kind in ("message", "callback_query", "my_chat_member"):
            part = update.get(kind)
            if not isinstance(part, dict):
                continue
            sender = part.get("from")
            if sender and not sender.get("is_bot") and sender["id"] not in self._users:
                self._users[sender["id"]] = sender
            msg = part.get("message", part) if kind == "callback_query" else part
            chat = msg.get("chat") or {}
            if chat.get("type") in ("group", "supergroup") and chat["id"] not in self._groups:
                members = {sender["id"]} if sender else set()
                self._groups[chat["id"]] = _Group(chat, set(), members, None)
            if "message_id" in msg and chat:
                self._messages.setdefault(chat["id"], {}).setdefault(msg["message_id"], msg)
                last = self._last_message_id.get(chat["id"], 0)
                self._last_message_id[chat["id"]] = max(last, msg["message_id"])
            text = str(msg.get("text", ""))
            if chat.get("type") == "private" and text.split(maxsplit=1)[:1] == ["/start"]:
                self.started.add(chat["id"])
            if kind == "callback_query":
                self._open_queries.add(str(part["id"]))

    def _enqueue(self, update: JSON) -> JSON:
        """Queue an update unless allowed_updates excludes its type (Telegram never creates it)."""
        kind = next(key for key in update if key != "update_id")
        allowed = kind in self._allowed if self._allowed else kind not in _DEFAULT_EXCLUDED
        if allowed:
            self._queue.append(_Queued(copy.deepcopy(update)))
            self._notify()
        return update

    def _notify(self) -> None:
        """Wake every waiter; each captured the Event before its last check, so none is missed."""
        self._changed.set()
        self._changed = asyncio.Event()

    async def _wait_change(self, timeout: float | None) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._changed.wait(), timeout)

    async def _wait_until(self, ready: Callable[[], bool], timeout: float, what: str) -> None:
        deadline = asyncio.get_running_loop().time() + timeout
        while not ready():
            remaining = deadline - asyncio.get_running_loop().time()
            if remaining <= 0:
                raise TimeoutError(f"sandbox: {what} after {timeout} s")
            await self._wait_change(remaining)

    async def _push_updates(self) -> None:
        """Deliver queued updates to the webhook one at a time, in order."""
        while self._webhook is not None and not self._closing:
            if not self._queue:
                await self._wait_change(None)
                continue
            entry = self._queue[0]
            await self._post(entry.update)
            if entry in self._queue:
                self._queue.remove(entry)
            self._notify()

    async def _post(self, update: JSON) -> None:
        """POST one update, retrying non-2xx answers a few times before dropping it."""
        assert self._session is not None
        for attempt in range(self.webhook_retries + 1):
            hook = self._webhook
            if hook is None:
                return
            headers = {"X-Telegram-Bot-Api-Secret-Token": hook.secret} if hook.secret else {}
            status: int | None = None
            try:
                async with self._session.post(hook.url, json=update, headers=headers) as answer:
                    status = answer.status
                    error = f"Wrong response from the webhook: {status} {answer.reason}"
            except (aiohttp.ClientError, TimeoutError) as exc:
                error = f"Connection failed: {exc}"
            self.webhook_attempts.append(
                WebhookAttempt(update["update_id"], status, time.monotonic())
            )
            if status is not None and 200 <= status < 300:
                return
            hook.last_error_date, hook.last_error_message = int(time.time()), error
            if attempt < self.webhook_retries:
                await asyncio.sleep(self.webhook_retry_delay)


async def _read_params(request: web.Request) -> tuple[JSON, dict[str, bytes]]:
    """Merge query, JSON, form and multipart parameters, decoding JSON-encoded values."""
    raw: JSON = dict(request.query)
    files: dict[str, bytes] = {}
    if request.content_type == "application/json" and request.can_read_body:
        body = await request.json()
        raw.update(body if isinstance(body, dict) else {})
    elif request.can_read_body:
        for key, value in (await request.post()).items():
            if isinstance(value, web.FileField):
                files[key] = value.file.read()
                raw[f"_{key}_filename"] = value.filename
            else:
                raw[key] = value
    return {key: _decode(key, value) for key, value in raw.items()}, files


def _decode(key: str, value: Any) -> Any:
    if isinstance(value, str) and key in _JSON_PARAMS:
        with contextlib.suppress(ValueError):
            return json.loads(value)
    return value


def _inline_markup(markup: object) -> JSON | None:
    """Validate a keyboard; only inline keyboards are echoed back in the Message."""
    if not isinstance(markup, dict) or "inline_keyboard" not in markup:
        return None
    for row in markup["inline_keyboard"]:
        for button in row:
            data = button.get("callback_data")
            if data is not None and not 1 <= len(str(data).encode()) <= 64:
                raise ApiError(400, "Bad Request: BUTTON_DATA_INVALID")
    return markup


def _photo_bytes(
    photo: object, files: dict[str, bytes], known: dict[str, tuple[bytes, str]]
) -> bytes:
    """Resolve sendPhoto's `photo`: an upload, `attach://name`, a known file_id or a URL."""
    if "photo" in files:
        return files["photo"]
    if isinstance(photo, str) and photo.startswith("attach://") and photo[9:] in files:
        return files[photo[9:]]
    if isinstance(photo, str) and photo in known:
        return known[photo][0]
    if isinstance(photo, str) and photo.startswith(("http://", "https://")):
        return b""
    raise ApiError(400, "Bad Request: wrong file identifier/HTTP URL specified")


def _commands_key(params: JSON) -> tuple[str, str]:
    scope = params.get("scope") or {"type": "default"}
    return json.dumps(scope, sort_keys=True), str(params.get("language_code") or "")
