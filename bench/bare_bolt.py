"""The floor any Slack app pays: bolt with a no-op `ack` for the score buttons, served by
uvicorn on the caller's loop as the bot serves itself (the same signature check and parsing)."""

from __future__ import annotations

import asyncio
import contextlib
import re
import socket
from collections.abc import AsyncIterator

import uvicorn
from slack_bolt.adapter.starlette.async_handler import AsyncSlackRequestHandler
from slack_bolt.async_app import AsyncAck, AsyncApp
from slack_sdk.web.async_client import AsyncWebClient
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from bench.acks import SECRET

SCORE = re.compile(r"^nps_score_(?:[0-9]|10)$")


def _app(*, api_url: str, bot_token: str) -> Starlette:
    client = AsyncWebClient(token=bot_token, base_url=api_url)
    app = AsyncApp(client=client, signing_secret=SECRET)

    @app.action(SCORE)
    async def clicked(ack: AsyncAck) -> None:
        await ack()

    handler = AsyncSlackRequestHandler(app)

    async def events(request: Request) -> Response:
        return await handler.handle(request)

    return Starlette(routes=[Route("/slack/events", events, methods=["POST"])])


@contextlib.asynccontextmanager
async def bare_bolt(*, api_url: str, bot_token: str) -> AsyncIterator[str]:
    """Serves the bare app until the block ends; yields its events URL."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    app = _app(api_url=api_url, bot_token=bot_token)
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="off"))
    serving = asyncio.create_task(server.serve(sockets=[sock]))
    while not server.started:
        await asyncio.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{sock.getsockname()[1]}/slack/events"
    finally:
        server.should_exit = True
        await serving
