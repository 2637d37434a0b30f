"""The Web API's front door: tokens, injected faults and rate tiers, then the method.

The order is Slack's: an unknown method or a bad token is refused before anything else, a
rate-limited call never reaches the method, and a refused call takes no effect.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Awaitable, Callable

from aiohttp import web

from channels.sandbox.slack_faults import Faults
from channels.sandbox.slack_rates import RateLimiter
from channels.sandbox.slack_records import Json, RecordedCall
from channels.sandbox.slack_state import SlackError

__all__ = ["WebApi"]

Handler = Callable[[Json], Awaitable[Json]]
Answer = tuple[int, Json, dict[str, str]]
_JSON_PARAMS = ("blocks", "attachments", "view", "files", "metadata")
APP_TOKEN_METHODS = frozenset({"apps.connections.open"})


class WebApi:
    """Answers `/api/{method}` and records every call."""

    def __init__(
        self,
        *,
        methods: dict[str, Handler],
        bot_token: str,
        app_token: str,
        faults: Faults,
        limiter: RateLimiter,
        clock: Callable[[], float],
    ) -> None:
        self.methods = methods
        self.bot_token = bot_token
        self.app_token = app_token
        self.faults = faults
        self.limiter = limiter
        self.clock = clock
        self.calls: list[RecordedCall] = []
        self.count_429 = 0
        self.token_error: str | None = None

    async def route(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        params = await read_params(request)
        token = params.pop("token", None)
        auth = request.headers.get("Authorization", "")
        if auth.startswith("Bearer "):
            token = auth.removeprefix("Bearer ").strip()
        call = RecordedCall(method=method, params=params, at=self.clock())
        self.calls.append(call)
        status, body, headers = await self.answer(method, params, token)
        call.status, call.error = status, body.get("error")
        call.messages = body.get("response_metadata", {}).get("messages", [])
        return web.json_response(body, status=status, headers=headers)

    async def answer(self, method: str, params: Json, token: str | None) -> Answer:
        handler = self.methods.get(method)
        if handler is None:
            return 200, {"ok": False, "error": "unknown_method"}, {}
        if refused := self._token_refusal(method, token):
            return 200, {"ok": False, "error": refused}, {}
        if (fault := self.faults.take(method)) is not None:
            if fault.status == 429:
                return self._ratelimited(fault.retry_after)
            return fault.status, {"ok": False, "error": fault.error}, {}
        channel = str(params.get("channel") or "")
        if (wait := self.limiter.retry_after(method, channel=channel)) is not None:
            return self._ratelimited(wait)
        try:
            body = {"ok": True, **await handler(params)}
            if delay := self.faults.take_late(method):
                await self.faults.hold(delay)
            return 200, body, {}
        except SlackError as exc:
            refusal: Json = {"ok": False, "error": exc.error, **exc.fields}
            if exc.messages:
                refusal["response_metadata"] = {"messages": exc.messages}
            return 200, refusal, {}

    def _token_refusal(self, method: str, token: str | None) -> str | None:
        if not token:
            return "not_authed"
        if token not in (self.bot_token, self.app_token):
            return "invalid_auth"
        if (method in APP_TOKEN_METHODS) != (token == self.app_token):
            return "not_allowed_token_type"
        if token == self.bot_token:
            return self.token_error
        return None

    def _ratelimited(self, retry_after: int) -> Answer:
        self.count_429 += 1
        return 429, {"ok": False, "error": "ratelimited"}, {"Retry-After": str(retry_after)}


async def read_params(request: web.Request) -> Json:
    """Merge query, form and JSON bodies: slack_sdk uses each depending on the method."""
    params: Json = dict(request.query)
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
