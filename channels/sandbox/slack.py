"""A local Slack that speaks Slack's wire formats and refuses what Slack refuses.

The real `AsyncWebClient`, bolt's `AsyncApp` and `SocketModeClient` talk to it through
`base_url`, so tests, `npsbot demo` and the benchmark exercise our adapters end to end without
a workspace. Enforced by default, as on Slack: Block Kit limits (`slack_blockkit`), Home tab
views and their images (`slack_methods`, `slack_images`), channel membership (`slack_state`),
history reads and scopes (`slack_history`), per-method rate tiers (`slack_rates`), single-use
trigger ids and response URLs (`slack_interactivity`) and the 3-second ack (`slack_socket`,
`_signing`).
Faults of any error code can be injected per method (`slack_faults`).
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from typing import Any, Self

from aiohttp import web

from channels.sandbox._signing import SlackRequestSigner
from channels.sandbox.slack_blockkit import validate_blocks
from channels.sandbox.slack_conversations import DirectoryMethods
from channels.sandbox.slack_faults import Faults
from channels.sandbox.slack_history import HistoryMethods
from channels.sandbox.slack_interactivity import Interactivity
from channels.sandbox.slack_methods import MessageMethods
from channels.sandbox.slack_payloads import Workspace
from channels.sandbox.slack_rates import RateLimiter, RateLimits
from channels.sandbox.slack_records import (
    Delivery,
    Json,
    PostedMessage,
    RecordedCall,
    ResponseUrlPost,
    UploadedFile,
)
from channels.sandbox.slack_socket import ACK_SECONDS, EnvelopeKind, SocketModeServer
from channels.sandbox.slack_state import Conversation, SandboxState
from channels.sandbox.slack_webapi import WebApi

__all__ = [
    "Delivery",
    "PostedMessage",
    "RateLimits",
    "RecordedCall",
    "ResponseUrlPost",
    "SlackRequestSigner",
    "SlackSandbox",
    "UploadedFile",
]


class SlackSandbox:
    """An aiohttp server for the Slack Web API subset npsbot uses, plus Socket Mode."""

    def __init__(
        self,
        *,
        bot_token: str = "xoxb-sandbox",
        app_token: str = "xapp-sandbox",
        team_id: str = "T0SANDBOX",
        bot_user_id: str = "U0BOT",
        rates: RateLimits | None = None,
        clock: Callable[[], float] = time.monotonic,
        ack_seconds: float = ACK_SECONDS,
    ) -> None:
        self.bot_token = bot_token
        self.app_token = app_token
        self.workspace = Workspace(team_id=team_id, bot_user_id=bot_user_id)
        self.clock = clock
        self.ack_seconds = ack_seconds
        self.response_url_posts: list[ResponseUrlPost] = []
        self.http_deliveries: list[Delivery] = []
        self.state = SandboxState(self.workspace)
        self.interactivity = Interactivity(
            base_url=lambda: self.base_url, team_id=team_id, clock=clock
        )
        self.socket = SocketModeServer(app_id=self.workspace.api_app_id, ack_seconds=ack_seconds)
        self._messages = MessageMethods(
            self.state, interactivity=self.interactivity, base_url=lambda: self.base_url
        )
        self.web_api = WebApi(
            methods={
                **DirectoryMethods(self.state).methods,
                **HistoryMethods(self.state).methods,
                **self._messages.methods,
                "apps.connections.open": self._apps_connections_open,
            },
            bot_token=bot_token,
            app_token=app_token,
            faults=Faults(),
            limiter=RateLimiter(rates or RateLimits(), clock=clock),
            clock=clock,
        )
        self._runner: web.AppRunner | None = None
        self._port = 0
        self.add_user(bot_user_id, name="npsbot", is_bot=True)

    # -- lifecycle ------------------------------------------------------------------------

    async def start(self) -> None:
        """Bind 127.0.0.1 on a free port."""
        app = web.Application()
        app.router.add_route("*", "/api/{method}", self.web_api.route)
        app.router.add_post("/upload/v1/{file_id}", self._upload)
        app.router.add_post("/hooks/{tail:.*}", self._response_url)
        app.router.add_get("/socket", self.socket.handle)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", 0).start()
        self._port = self._runner.addresses[0][1]

    async def stop(self) -> None:
        """Close sockets and answer held calls first, so the runner does not wait on them."""
        self.web_api.faults.release_held()
        await self.socket.drop()
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

    # -- the workspace --------------------------------------------------------------------

    def add_user(self, user_id: str, **profile: Any) -> None:
        """Register a user as `users.info` returns it (see `SandboxState.add_user`)."""
        self.state.add_user(user_id, **profile)

    def add_channel(
        self, channel_id: str, members: list[str], *, name: str | None = None, private: bool = False
    ) -> Conversation:
        """A channel; the bot posts there only if listed in `members` (or after joining)."""
        return self.state.add_channel(channel_id, members, name=name, private=private)

    def channel(self, channel_id: str) -> Conversation:
        return self.state.conversations[channel_id]

    def dm_channel(self, user_id: str) -> str:
        return self.state.dm_channel(user_id)

    def set_dnd(self, user_id: str, **window: Any) -> None:
        """A person's DND window and snooze (see `SandboxState.set_dnd`)."""
        self.state.set_dnd(user_id, **window)

    # -- recording, faults and handles ----------------------------------------------------

    @property
    def messages(self) -> list[PostedMessage]:
        return self.state.messages

    @property
    def ephemerals(self) -> list[PostedMessage]:
        return self.state.ephemerals

    @property
    def views(self) -> dict[str, Json]:
        return self.state.views

    @property
    def uploaded_files(self) -> list[UploadedFile]:
        return self._messages.uploaded_files

    @property
    def image_downloads(self) -> list[str]:
        """Every `image_url` fetched to check a view, as Slack fetches them."""
        return self._messages.images.downloads

    @property
    def calls(self) -> list[RecordedCall]:
        return self.web_api.calls

    @property
    def count_429(self) -> int:
        return self.web_api.count_429

    def calls_to(self, method: str) -> list[RecordedCall]:
        return [c for c in self.calls if c.method == method]

    def messages_in(self, channel: str) -> list[PostedMessage]:
        return [m for m in self.messages if m.channel == channel]

    def fail_next(
        self,
        method: str,
        *,
        error: str | None = None,
        status: int | None = None,
        count: int = 1,
        retry_after: int = 1,
    ) -> None:
        """Make the next `count` calls of `method` (`"*"`: any) fail without taking effect."""
        self.web_api.faults.add(
            method, error=error, status=status, count=count, retry_after=retry_after
        )

    def answer_late(self, method: str, *, delay: float, count: int = 1) -> None:
        """The next `count` calls of `method` take effect but are answered `delay` s late."""
        self.web_api.faults.add_late(method, delay=delay, count=count)

    def revoke_token(self, error: str = "token_revoked") -> None:
        """Every bot-token call answers `error` from now on (an uninstall, a revoked token)."""
        self.web_api.token_error = error

    def restore_token(self) -> None:
        """A valid token is back (the app was reinstalled)."""
        self.web_api.token_error = None

    def response_url(self, kind: str = "actions") -> str:
        """A fresh `response_url`: 5 posts within 30 minutes, recorded."""
        return self.interactivity.issue_response_url(kind)

    def issue_trigger_id(self, trigger_id: str | None = None) -> str:
        """A `trigger_id` for a delivered interaction: one modal, within 3 seconds."""
        return self.interactivity.issue_trigger(trigger_id)

    # -- HTTP ---------------------------------------------------------------------------

    async def _apps_connections_open(self, params: Json) -> Json:
        ticket = uuid.uuid4()
        return {"url": f"ws://127.0.0.1:{self._port}/socket?ticket={ticket}&app_id={self.app_id}"}

    # -- HTTP: uploads and response_url ---------------------------------------------------

    async def _upload(self, request: web.Request) -> web.Response:
        upload = self._messages.pending_files.get(request.match_info["file_id"])
        if upload is None:
            return web.Response(status=404, text="Not Found")
        upload.data = await request.read()
        return web.Response(text=f"OK - {len(upload.data)}")

    async def _response_url(self, request: web.Request) -> web.Response:
        """Refused with 404 `used_url`/`expired_url`, or 400 `invalid_blocks`, as Slack does."""
        body = await request.json()
        url = str(request.url)
        post = ResponseUrlPost(url=url, body=body, at=self.clock())
        self.response_url_posts.append(post)
        if refused := self.interactivity.use_response_url(url):
            post.status = 404
            return web.Response(status=404, text=refused)
        if body.get("blocks") and validate_blocks(body["blocks"], surface="message"):
            post.status = 400
            return web.Response(status=400, text="invalid_blocks")
        return web.json_response({"ok": True})

    # -- Socket Mode ----------------------------------------------------------------------

    @property
    def acks(self) -> list[Json]:
        return self.socket.acks

    @property
    def connection_count(self) -> int:
        return self.socket.connection_count

    @property
    def open_connections(self) -> int:
        return self.socket.open_connections

    async def wait_connected(self, timeout: float = 5.0) -> None:
        """Wait until a Socket Mode client is connected (again, after `drop_socket`)."""
        await self.socket.wait_connected(timeout)

    async def push_envelope(
        self, kind: EnvelopeKind, payload: Json, *, retry_attempt: int = 0
    ) -> Json:
        """Send an envelope to the newest connection and return the app's ack frame.

        Raises `AckTimeout` when no attempt is acknowledged within the 3-second window.
        """
        if trigger_id := payload.get("trigger_id"):
            self.issue_trigger_id(str(trigger_id))
        return await self.socket.push(kind, payload, retry_attempt=retry_attempt)

    async def drop_socket(self) -> None:
        """Close every Socket Mode connection abruptly, as a network blip would."""
        await self.socket.drop()
