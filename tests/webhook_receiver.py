"""A team's webhook endpoint, as a test sees it: a local aiohttp server that answers with
the statuses it is told to and keeps every request it got."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
from collections import deque
from dataclasses import dataclass
from types import TracebackType
from typing import Any

from aiohttp import web


@dataclass(frozen=True)
class Received:
    headers: dict[str, str]
    body: str
    answered: int

    @property
    def event(self) -> dict[str, Any]:
        return dict(json.loads(self.body))

    @property
    def type(self) -> str:
        return str(self.event["type"])

    def signed_with(self, secret: str) -> bool:
        """What a receiver does: recompute the HMAC of "{timestamp}.{body}" and compare."""
        timestamp = self.headers["X-Npsbot-Timestamp"]
        expected = hmac.new(
            secret.encode(), f"{timestamp}.{self.body}".encode(), hashlib.sha256
        ).hexdigest()
        return hmac.compare_digest(self.headers["X-Npsbot-Signature"], f"v1={expected}")


class Receiver:
    """Answers the queued statuses in turn, then `otherwise`."""

    def __init__(self, *answers: int, otherwise: int = 200) -> None:
        self.answers = deque(answers)
        self.otherwise = otherwise
        self.received: list[Received] = []
        self._changed = asyncio.Condition()
        self._runner: web.AppRunner | None = None
        self.url = ""

    async def __aenter__(self) -> Receiver:
        app = web.Application()
        app.router.add_post("/hook", self._hook)
        app.router.add_post("/moved", self._moved)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = self._runner.addresses[0][1]
        self.url = f"http://127.0.0.1:{port}/hook"
        return self

    async def __aexit__(
        self,
        kind: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        assert self._runner is not None
        await self._runner.cleanup()

    async def _hook(self, request: web.Request) -> web.Response:
        status = self.answers.popleft() if self.answers else self.otherwise
        async with self._changed:
            self.received.append(Received(dict(request.headers), await request.text(), status))
            self._changed.notify_all()
        return web.Response(status=status)

    async def _moved(self, request: web.Request) -> web.Response:
        """A redirect to the real hook, which a webhook sender must not follow."""
        raise web.HTTPFound(self.url)

    async def wait_for(self, count: int, *, timeout: float = 15.0) -> list[Received]:
        """Until `count` requests have arrived."""
        async with asyncio.timeout(timeout), self._changed:
            await self._changed.wait_for(lambda: len(self.received) >= count)
        return list(self.received)

    def delivered(self) -> list[Received]:
        """The requests it accepted (2xx)."""
        return [got for got in self.received if 200 <= got.answered < 300]
