"""A local fake Slack that speaks Slack's real wire formats.

The real `AsyncWebClient`, bolt's `AsyncApp` and `SocketModeClient` talk to it through
`base_url`, so tests, `npsbot demo` and the benchmark exercise our adapters end to end without
a workspace. It records what the bot sent and can inject 429s, 500s and dropped sockets.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import itertools
import json
import math
import secrets
import time
import uuid
from collections import defaultdict, deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal, Self
from zoneinfo import ZoneInfo

from aiohttp import WSCloseCode, WSMsgType, web

from channels.sandbox._signing import SlackRequestSigner
from channels.sandbox.slack_payloads import Workspace

__all__ = [
    "PostedMessage",
    "RecordedCall",
    "ResponseUrlPost",
    "SlackRequestSigner",
    "SlackSandbox",
    "UploadedFile",
]

EnvelopeKind = Literal["events_api", "interactive", "slash_commands"]
_Json = dict[str, Any]
_JSON_PARAMS = ("blocks", "attachments", "view", "files", "metadata")


@dataclass(slots=True)
class RecordedCall:
    """One Web API call as the sandbox saw it; `status`/`error` tell retries from successes."""

    method: str
    params: _Json
    at: float
    status: int = 200
    error: str | None = None


@dataclass(slots=True)
class PostedMessage:
    """A message the bot posted, kept at its latest version after `chat.update`."""

    channel: str
    ts: str
    text: str | None
    blocks: list[_Json] | None
    thread_ts: str | None = None
    user: str | None = None  # recipient of an ephemeral message
    edits: int = 0


@dataclass(slots=True)
class UploadedFile:
    """A file sent through the files_upload_v2 three-step flow."""

    file_id: str
    filename: str
    data: bytes = b""
    title: str | None = None
    channel: str | None = None
    initial_comment: str | None = None
    thread_ts: str | None = None


@dataclass(slots=True)
class ResponseUrlPost:
    """A body the bot posted to a `response_url` (bolt's `respond`)."""

    url: str
    body: _Json
    at: float


@dataclass(slots=True)
class _Fault:
    status: int
    retry_after: int


@dataclass(slots=True)
class _TokenBucket:
    """chat.postMessage pacing; the capacity allows Slack's short bursts."""

    rate: float
    tokens: float
    updated: float = field(default_factory=time.monotonic)

    def take(self) -> float:
        """Take a token; return 0 on success, else the seconds until one is free."""
        now = time.monotonic()
        capacity = max(1.0, self.rate)
        self.tokens = min(capacity, self.tokens + (now - self.updated) * self.rate)
        self.updated = now
        if self.tokens >= 1:
            self.tokens -= 1
            return 0.0
        return (1 - self.tokens) / self.rate


class _SlackError(Exception):
    """Raised by a method handler to answer `{"ok": false, "error": ...}` like Slack."""

    def __init__(self, error: str) -> None:
        super().__init__(error)
        self.error = error


def _truthy(value: Any) -> bool:
    return value is True or str(value).lower() in {"1", "true"}


class SlackSandbox:
    """An aiohttp server that answers the Slack Web API subset npsbot uses, plus Socket Mode."""

    def __init__(
        self,
        *,
        bot_token: str = "xoxb-sandbox",
        app_token: str = "xapp-sandbox",
        team_id: str = "T0SANDBOX",
        bot_user_id: str = "U0BOT",
        rate_limit_per_second: float | None = None,
    ) -> None:
        self.bot_token = bot_token
        self.app_token = app_token
        self.workspace = Workspace(team_id=team_id, bot_user_id=bot_user_id)
        self.calls: list[RecordedCall] = []
        self.messages: list[PostedMessage] = []
        self.ephemerals: list[PostedMessage] = []
        self.uploaded_files: list[UploadedFile] = []
        self.response_url_posts: list[ResponseUrlPost] = []
        self.views: dict[str, _Json] = {}
        self.acks: list[_Json] = []
        self.count_429 = 0
        self.connection_count = 0
        self._users: dict[str, _Json] = {}
        self._channels: dict[str, list[str]] = {}
        self._dnd: dict[str, _Json] = {}
        self._pending_files: dict[str, UploadedFile] = {}
        self._faults: dict[str, deque[_Fault]] = defaultdict(deque)
        self._bucket = (
            _TokenBucket(rate=rate_limit_per_second, tokens=max(1.0, rate_limit_per_second))
            if rate_limit_per_second
            else None
        )
        self._ids = itertools.count(1)
        self._last_ts_us = 0
        self._sockets: list[web.WebSocketResponse] = []
        self._connected = asyncio.Event()
        self._pending_acks: dict[str, asyncio.Future[_Json]] = {}
        self._runner: web.AppRunner | None = None
        self._port = 0
        self._methods: dict[str, Callable[[_Json], Awaitable[_Json]]] = {
            "auth.test": self._auth_test,
            "conversations.open": self._conversations_open,
            "conversations.members": self._conversations_members,
            "chat.postMessage": self._chat_post_message,
            "chat.update": self._chat_update,
            "chat.postEphemeral": self._chat_post_ephemeral,
            "chat.getPermalink": self._chat_get_permalink,
            "users.info": self._users_info,
            "views.open": self._views_open,
            "views.update": self._views_update,
            "dnd.info": self._dnd_info,
            "files.getUploadURLExternal": self._files_get_upload_url,
            "files.completeUploadExternal": self._files_complete_upload,
            "apps.connections.open": self._apps_connections_open,
        }
        self.add_user(bot_user_id, name="npsbot", is_bot=True)

    # -- lifecycle ------------------------------------------------------------------------

    async def start(self) -> None:
        """Bind 127.0.0.1 on a free port."""
        app = web.Application()
        app.router.add_route("*", "/api/{method}", self._api)
        app.router.add_post("/upload/v1/{file_id}", self._upload)
        app.router.add_post("/hooks/{tail:.*}", self._response_url)
        app.router.add_get("/socket", self._socket)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", 0).start()
        self._port = self._runner.addresses[0][1]

    async def stop(self) -> None:
        """Close sockets first so the runner does not wait on them."""
        await self.drop_socket()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self._port}/"

    @property
    def api_url(self) -> str:
        """What to pass as `base_url` to `AsyncWebClient`."""
        return f"{self.base_url}api/"

    @property
    def app_id(self) -> str:
        return self.workspace.api_app_id

    # -- registry -------------------------------------------------------------------------

    def add_user(
        self,
        user_id: str,
        *,
        name: str | None = None,
        real_name: str | None = None,
        tz: str = "Europe/Berlin",
        locale: str = "en-US",
        is_bot: bool = False,
        deleted: bool = False,
        is_admin: bool = False,
        is_owner: bool = False,
        email: str | None = None,
    ) -> None:
        """Register a user as `users.info` returns it."""
        name = name or user_id.lower()
        real_name = real_name or name.replace(".", " ").title()
        offset = datetime.now(ZoneInfo(tz)).utcoffset()
        self._users[user_id] = {
            "id": user_id,
            "team_id": self.workspace.team_id,
            "name": name,
            "real_name": real_name,
            "deleted": deleted,
            "is_bot": is_bot,
            "is_admin": is_admin,
            "is_owner": is_owner,
            "tz": tz,
            "tz_offset": int(offset.total_seconds()) if offset else 0,
            "locale": locale,
            "profile": {"display_name": name, "real_name": real_name, "email": email},
        }

    def add_channel(self, channel_id: str, members: list[str]) -> None:
        self._channels[channel_id] = list(members)

    def set_dnd(
        self,
        user_id: str,
        *,
        dnd_enabled: bool = False,
        snooze_enabled: bool = False,
        next_dnd_start_ts: int = 1,
        next_dnd_end_ts: int = 1,
        snooze_endtime: int | None = None,
    ) -> None:
        """Set what `dnd.info` reports; Slack uses 1 for "no upcoming window"."""
        info: _Json = {
            "dnd_enabled": dnd_enabled,
            "next_dnd_start_ts": next_dnd_start_ts,
            "next_dnd_end_ts": next_dnd_end_ts,
            "snooze_enabled": snooze_enabled,
        }
        if snooze_enabled and snooze_endtime is not None:
            info["snooze_endtime"] = snooze_endtime
            info["snooze_remaining"] = max(0, snooze_endtime - int(time.time()))
        self._dnd[user_id] = info

    # -- recording and faults -------------------------------------------------------------

    def calls_to(self, method: str) -> list[RecordedCall]:
        return [c for c in self.calls if c.method == method]

    def messages_in(self, channel: str) -> list[PostedMessage]:
        return [m for m in self.messages if m.channel == channel]

    def fail_next(
        self, method: str, *, status: Literal[429, 500] = 429, count: int = 1, retry_after: int = 1
    ) -> None:
        """Make the next `count` calls of `method` fail without taking effect."""
        self._faults[method].extend(_Fault(status, retry_after) for _ in range(count))

    def response_url(self, kind: str = "actions") -> str:
        """A fresh `response_url` that records what is posted to it."""
        return f"{self.base_url}hooks/{kind}/{self.workspace.team_id}/{next(self._ids)}/" + (
            secrets.token_hex(8)
        )

    def dm_channel(self, user_id: str) -> str:
        """The stable DM id for a user (what `conversations.open` returns)."""
        channel = "D" + user_id
        self._channels.setdefault(channel, [user_id, self.workspace.bot_user_id])
        return channel

    # -- HTTP: Web API --------------------------------------------------------------------

    async def _api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        params = await self._read_params(request)
        token = params.pop("token", None)
        auth = request.headers.get("Authorization", "")
        if auth.startswith("Bearer "):
            token = auth.removeprefix("Bearer ").strip()
        call = RecordedCall(method=method, params=params, at=time.monotonic())
        self.calls.append(call)
        status, body, headers = await self._answer(method, params, token)
        call.status, call.error = status, body.get("error")
        return web.json_response(body, status=status, headers=headers)

    async def _answer(
        self, method: str, params: _Json, token: str | None
    ) -> tuple[int, _Json, dict[str, str]]:
        handler = self._methods.get(method)
        if handler is None:
            return 200, {"ok": False, "error": "unknown_method"}, {}
        if token not in (self.bot_token, self.app_token):
            return 200, {"ok": False, "error": "invalid_auth"}, {}
        if (method == "apps.connections.open") != (token == self.app_token):
            return 200, {"ok": False, "error": "not_allowed_token_type"}, {}
        if self._faults[method]:
            fault = self._faults[method].popleft()
            if fault.status == 429:
                return self._ratelimited(fault.retry_after)
            return fault.status, {"ok": False, "error": "fatal_error"}, {}
        if method == "chat.postMessage" and self._bucket and (wait := self._bucket.take()):
            return self._ratelimited(math.ceil(wait))
        try:
            return 200, {"ok": True, **await handler(params)}, {}
        except _SlackError as exc:
            return 200, {"ok": False, "error": exc.error}, {}

    def _ratelimited(self, retry_after: int) -> tuple[int, _Json, dict[str, str]]:
        self.count_429 += 1
        return 429, {"ok": False, "error": "ratelimited"}, {"Retry-After": str(retry_after)}

    @staticmethod
    async def _read_params(request: web.Request) -> _Json:
        """Merge query, form and JSON bodies: slack_sdk uses each depending on the method."""
        params: _Json = dict(request.query)
        if request.content_type == "application/json":
            params.update(await request.json())
        elif request.can_read_body:
            form = await request.post()
            params.update({k: v for k, v in form.items() if isinstance(v, str)})
        for key in _JSON_PARAMS:
            if isinstance(params.get(key), str) and params[key]:
                with contextlib.suppress(json.JSONDecodeError):
                    params[key] = json.loads(params[key])
        return params

    def _next_ts(self) -> str:
        """Unique, increasing message ts in Slack's `seconds.micros` form."""
        self._last_ts_us = max(time.time_ns() // 1000, self._last_ts_us + 1)
        return f"{self._last_ts_us // 1_000_000}.{self._last_ts_us % 1_000_000:06d}"

    def _channel(self, channel: str | None) -> str:
        """Resolve a channel id (or a user id, which Slack treats as that user's DM)."""
        if channel in self._channels:
            return channel
        if channel and channel[0] in "UW" and channel in self._users:
            return self.dm_channel(channel)
        if channel and channel.startswith("D") and channel[1:] in self._users:
            return self.dm_channel(channel[1:])
        raise _SlackError("channel_not_found")

    def _user(self, user_id: str | None) -> _Json:
        if user_id not in self._users:
            raise _SlackError("user_not_found")
        return self._users[user_id]

    def _find(self, channel: str, ts: str | None) -> PostedMessage:
        for message in self.messages:
            if message.channel == channel and message.ts == ts:
                return message
        raise _SlackError("message_not_found")

    def _message_json(self, message: PostedMessage) -> _Json:
        body: _Json = {
            "type": "message",
            "user": self.workspace.bot_user_id,
            "bot_id": self.workspace.bot_id,
            "app_id": self.app_id,
            "team": self.workspace.team_id,
            "text": message.text or "",
            "ts": message.ts,
            "blocks": message.blocks or [],
        }
        if message.thread_ts:
            body["thread_ts"] = message.thread_ts
        return body

    # -- Web API methods ------------------------------------------------------------------

    async def _auth_test(self, params: _Json) -> _Json:
        return {
            "url": f"https://{self.workspace.team_domain}.slack.com/",
            "team": "Sandbox",
            "user": self._users[self.workspace.bot_user_id]["name"],
            "team_id": self.workspace.team_id,
            "user_id": self.workspace.bot_user_id,
            "bot_id": self.workspace.bot_id,
            "is_enterprise_install": False,
        }

    async def _apps_connections_open(self, params: _Json) -> _Json:
        ticket = uuid.uuid4()
        return {"url": f"ws://127.0.0.1:{self._port}/socket?ticket={ticket}&app_id={self.app_id}"}

    async def _conversations_open(self, params: _Json) -> _Json:
        users = [u for u in str(params.get("users", "")).split(",") if u]
        if len(users) != 1:
            raise _SlackError("not_enough_users" if not users else "not_implemented")
        if self._user(users[0])["deleted"]:
            raise _SlackError("user_disabled")
        return {"no_op": True, "already_open": True, "channel": {"id": self.dm_channel(users[0])}}

    async def _conversations_members(self, params: _Json) -> _Json:
        members = self._channels.get(str(params.get("channel")))
        if members is None:
            raise _SlackError("channel_not_found")
        limit = max(1, min(int(params.get("limit") or 100), 1000))
        start = 0
        if cursor := params.get("cursor"):
            try:
                start = int(base64.b64decode(cursor).decode().removeprefix("offset:"))
            except ValueError as exc:
                raise _SlackError("invalid_cursor") from exc
        end = start + limit
        next_cursor = base64.b64encode(f"offset:{end}".encode()).decode()
        return {
            "members": members[start:end],
            "response_metadata": {"next_cursor": next_cursor if end < len(members) else ""},
        }

    async def _chat_post_message(self, params: _Json) -> _Json:
        channel = self._channel(params.get("channel"))
        if not params.get("text") and not params.get("blocks"):
            raise _SlackError("no_text")
        message = PostedMessage(
            channel=channel,
            ts=self._next_ts(),
            text=params.get("text"),
            blocks=params.get("blocks"),
            thread_ts=params.get("thread_ts"),
        )
        self.messages.append(message)
        return {"channel": channel, "ts": message.ts, "message": self._message_json(message)}

    async def _chat_update(self, params: _Json) -> _Json:
        message = self._find(self._channel(params.get("channel")), params.get("ts"))
        if "text" in params:
            message.text = params["text"]
        if "blocks" in params:
            message.blocks = params["blocks"]
        message.edits += 1
        return {
            "channel": message.channel,
            "ts": message.ts,
            "text": message.text or "",
            "message": self._message_json(message),
        }

    async def _chat_post_ephemeral(self, params: _Json) -> _Json:
        channel = self._channel(params.get("channel"))
        user = self._user(params.get("user"))["id"]
        if user not in self._channels[channel]:
            raise _SlackError("user_not_in_channel")
        message = PostedMessage(
            channel=channel,
            ts=self._next_ts(),
            text=params.get("text"),
            blocks=params.get("blocks"),
            thread_ts=params.get("thread_ts"),
            user=user,
        )
        self.ephemerals.append(message)
        return {"message_ts": message.ts}

    async def _chat_get_permalink(self, params: _Json) -> _Json:
        channel = self._channel(params.get("channel"))
        message = self._find(channel, params.get("message_ts"))
        link = f"https://{self.workspace.team_domain}.slack.com/archives/{channel}/p"
        return {"channel": channel, "permalink": link + message.ts.replace(".", "")}

    async def _users_info(self, params: _Json) -> _Json:
        user = dict(self._user(params.get("user")))
        if not _truthy(params.get("include_locale")):
            user.pop("locale")
        return {"user": user}

    async def _views_open(self, params: _Json) -> _Json:
        if not params.get("trigger_id"):
            raise _SlackError("invalid_arguments")
        return {"view": self._store_view(f"V{next(self._ids):08d}", params.get("view"))}

    async def _views_update(self, params: _Json) -> _Json:
        view_id = params.get("view_id") or next(
            (k for k, v in self.views.items() if v.get("external_id") == params.get("external_id")),
            None,
        )
        if view_id not in self.views:
            raise _SlackError("not_found")
        return {"view": self._store_view(view_id, params.get("view"))}

    def _store_view(self, view_id: str, view: Any) -> _Json:
        if not isinstance(view, dict):
            raise _SlackError("invalid_arguments")
        stored = {
            "id": view_id,
            "team_id": self.workspace.team_id,
            "state": {"values": {}},
            "hash": f"{int(time.time())}.{secrets.token_hex(4)}",
            "root_view_id": view_id,
            "app_id": self.app_id,
            "bot_id": self.workspace.bot_id,
            "external_id": "",
            "private_metadata": "",
            "callback_id": "",
            **view,
        }
        self.views[view_id] = stored
        return stored

    async def _dnd_info(self, params: _Json) -> _Json:
        user_id = params.get("user") or self.workspace.bot_user_id
        self._user(user_id)
        if user_id not in self._dnd:
            self.set_dnd(user_id)
        return dict(self._dnd[user_id])

    async def _files_get_upload_url(self, params: _Json) -> _Json:
        if not params.get("filename") or not params.get("length"):
            raise _SlackError("invalid_arguments")
        file_id = f"F{next(self._ids):08d}"
        self._pending_files[file_id] = UploadedFile(file_id=file_id, filename=params["filename"])
        return {"upload_url": f"{self.base_url}upload/v1/{file_id}", "file_id": file_id}

    async def _files_complete_upload(self, params: _Json) -> _Json:
        specs = params.get("files")
        if not isinstance(specs, list) or not specs:
            raise _SlackError("invalid_arguments")
        channel = self._channel(params["channel_id"]) if params.get("channel_id") else None
        done = []
        for spec in specs:
            upload = self._pending_files.pop(spec.get("id"), None)
            if upload is None:
                raise _SlackError("file_not_found")
            upload.title = spec.get("title") or upload.filename
            upload.channel = channel
            upload.initial_comment = params.get("initial_comment")
            upload.thread_ts = params.get("thread_ts")
            self.uploaded_files.append(upload)
            done.append(
                {
                    "id": upload.file_id,
                    "name": upload.filename,
                    "title": upload.title,
                    "size": len(upload.data),
                    "created": int(time.time()),
                    "user": self.workspace.bot_user_id,
                    "channels": [channel] if channel else [],
                }
            )
        return {"files": done}

    # -- HTTP: uploads and response_url ---------------------------------------------------

    async def _upload(self, request: web.Request) -> web.Response:
        upload = self._pending_files.get(request.match_info["file_id"])
        if upload is None:
            return web.Response(status=404, text="Not Found")
        upload.data = await request.read()
        return web.Response(text=f"OK - {len(upload.data)}")

    async def _response_url(self, request: web.Request) -> web.Response:
        body = await request.json()
        post = ResponseUrlPost(url=str(request.url), body=body, at=time.monotonic())
        self.response_url_posts.append(post)
        return web.json_response({"ok": True})

    # -- Socket Mode ----------------------------------------------------------------------

    @property
    def open_connections(self) -> int:
        return len(self._sockets)

    async def _socket(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse(autoping=True)
        await ws.prepare(request)
        self._sockets.append(ws)
        self.connection_count += 1
        self._connected.set()
        await ws.send_json(
            {
                "type": "hello",
                "num_connections": len(self._sockets),
                "debug_info": {
                    "host": "applink-sandbox",
                    "build_number": 1,
                    "approximate_connection_time": 18060,
                },
                "connection_info": {"app_id": self.app_id},
            }
        )
        try:
            async for msg in ws:
                if msg.type is WSMsgType.TEXT:
                    self._on_frame(json.loads(msg.data))
        finally:
            if ws in self._sockets:
                self._sockets.remove(ws)
            if not self._sockets:
                self._connected.clear()
        return ws

    def _on_frame(self, frame: _Json) -> None:
        envelope_id = frame.get("envelope_id")
        if envelope_id is None:
            return
        self.acks.append(frame)
        future = self._pending_acks.get(envelope_id)
        if future is not None and not future.done():
            future.set_result(frame)

    async def wait_connected(self, timeout: float = 5.0) -> None:
        """Wait until a Socket Mode client is connected (again, after `drop_socket`)."""
        await asyncio.wait_for(self._connected.wait(), timeout)

    async def push_envelope(
        self,
        kind: EnvelopeKind,
        payload: _Json,
        *,
        retry_attempt: int = 0,
        retry_reason: str | None = None,
        timeout: float = 5.0,
    ) -> _Json:
        """Send an envelope to the newest connection and return the app's ack frame."""
        if not self._sockets:
            raise RuntimeError("no Socket Mode client is connected")
        envelope_id = str(uuid.uuid4())
        future: asyncio.Future[_Json] = asyncio.get_running_loop().create_future()
        self._pending_acks[envelope_id] = future
        frame = {
            "envelope_id": envelope_id,
            "type": kind,
            "payload": payload,
            "accepts_response_payload": kind != "events_api",
            "retry_attempt": retry_attempt,
            "retry_reason": retry_reason or ("timeout" if retry_attempt else ""),
        }
        try:
            await self._sockets[-1].send_json(frame)
            return await asyncio.wait_for(future, timeout)
        finally:
            self._pending_acks.pop(envelope_id, None)

    async def drop_socket(self) -> None:
        """Close every Socket Mode connection abruptly, as a network blip would."""
        sockets, self._sockets = self._sockets, []
        self._connected.clear()
        for ws in sockets:
            await ws.close(code=WSCloseCode.GOING_AWAY, message=b"sandbox dropped the socket")
