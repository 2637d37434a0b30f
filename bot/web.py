"""The shared web app's edges: a body-size limit and ack timing on every route, `/metrics`.

The limit is ASGI middleware, so it holds before any route (bolt's, PTB's webhook, the
trigger API) reads a byte: a declared Content-Length over the limit is answered 413 at once;
a chunked body is counted as it arrives and cut off with 413 as soon as it passes the limit.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
import time
from collections.abc import Iterator

import uvicorn
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from bot.metrics import CONTENT_TYPE, Metrics

log = logging.getLogger("bot.app")

MAX_BODY = 1024 * 1024


class BodyTooLarge(Exception):
    """Raised from `receive` once a streamed body passes the limit."""


class BodyLimit:
    """413 for any request body over `limit` bytes, without reading it."""

    def __init__(self, app: ASGIApp, *, limit: int = MAX_BODY) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > self.limit):
            await _too_large(send, self.limit)
            return
        seen = 0
        started = False

        async def counted() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.limit:
                    raise BodyTooLarge
            return message

        async def tracked(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counted, tracked)
        except BodyTooLarge:
            if not started:
                await _too_large(send, self.limit)


async def _too_large(send: Send, limit: int) -> None:
    response = JSONResponse(
        {"error": f"request body over {limit // 1024} KiB"},
        status_code=413,
        headers={"Connection": "close"},
    )
    await response({"type": "http"}, _nothing, send)


async def _nothing() -> Message:
    return {"type": "http.disconnect"}


class AckTiming:
    """Observes each request's time to its response's first byte, by route path."""

    def __init__(self, app: ASGIApp, *, metrics: Metrics, routes: set[str]) -> None:
        self.app = app
        self.metrics = metrics
        self.routes = routes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = scope["path"] if scope["path"] in self.routes else "other"
        began = time.perf_counter()

        async def timed(message: Message) -> None:
            if message["type"] == "http.response.start":
                self.metrics.ack_seconds.labels(route=path).observe(time.perf_counter() - began)
            await send(message)

        await self.app(scope, receive, timed)


def metrics_route(metrics: Metrics) -> Route:
    async def scrape(request: Request) -> Response:
        body = await asyncio.to_thread(metrics.render)
        return Response(body, media_type=CONTENT_TYPE)

    return Route("/metrics", scrape, methods=["GET"])


class Server(uvicorn.Server):
    """uvicorn without its own signal handlers (`npsbot run` owns SIGTERM and SIGINT: uvicorn's
    would re-raise the signal after serving and skip the bot's shutdown, exit 143), and with
    one "listening on" line naming the URLs and routes."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets=sockets)
        if self.started:
            paths = sorted({getattr(route, "path", "") for route in _routes(self)} - {""})
            log.info("listening on %s (%s)", ", ".join(self.urls()), " ".join(paths))

    def urls(self) -> list[str]:
        found = []
        for listener in self.servers:
            for sock in listener.sockets:
                host, port = sock.getsockname()[:2]
                found.append(f"http://{f'[{host}]' if ':' in host else host}:{port}")
        return found


def _routes(server: uvicorn.Server) -> list[object]:
    app: object = server.config.loaded_app
    while not hasattr(app, "routes") and hasattr(app, "app"):
        app = app.app
    return list(getattr(app, "routes", []))
