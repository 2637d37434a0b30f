"""Every route refuses a body over 1 MiB with 413 before reading it, chunked or not."""

from __future__ import annotations

import asyncio
import contextlib
import resource
from collections.abc import AsyncIterator

import pytest

from bot.app import NpsBot
from bot.db import Database
from bot.settings import Settings
from bot.web import MAX_BODY
from channels.sandbox.slack import SlackSandbox

ROUTES = ["/slack/events", "/api/v1/triggers", "/telegram/webhook"]


@pytest.fixture
async def port(db: Database) -> AsyncIterator[int]:
    async with SlackSandbox() as sandbox:
        settings = Settings(
            SLACK_BOT_TOKEN=sandbox.bot_token,
            SLACK_SIGNING_SECRET="x" * 32,
            NPSBOT_SLACK_API_URL=sandbox.api_url,
            NPSBOT_DATABASE_URL=db.url,
            NPSBOT_API_TOKEN="t" * 32,
        )
        bot = NpsBot(settings, db=db, platforms=["slack"])
        task = asyncio.create_task(bot.serve(port=0))
        await bot.wait_started()
        yield bot.port
        await bot.stop()
        await task


async def status_of(port: int, head: bytes, body: AsyncIterator[bytes] | None = None) -> int:
    """Send a request (the body streamed while the server reads) and return the status."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(head)

    async def stream() -> None:
        if body is None:
            return
        with contextlib.suppress(ConnectionError):
            async for chunk in body:
                writer.write(chunk)
                await writer.drain()

    sending = asyncio.create_task(stream())
    status_line = await asyncio.wait_for(reader.readline(), 10)
    sending.cancel()
    writer.close()
    with contextlib.suppress(ConnectionError, asyncio.CancelledError):
        await sending
    return int(status_line.split()[1])


def head(path: str, *headers: str) -> bytes:
    lines = [f"POST {path} HTTP/1.1", "Host: npsbot", "Content-Type: application/json", *headers]
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


async def chunks(total: int, size: int = 64 * 1024) -> AsyncIterator[bytes]:
    for _ in range(total // size):
        yield f"{size:x}\r\n".encode() + b"x" * size + b"\r\n"


@pytest.mark.parametrize("path", ROUTES)
async def test_declared_length_over_the_limit_is_413_unread(port: int, path: str) -> None:
    assert await status_of(port, head(path, f"Content-Length: {200 * 1024 * 1024}")) == 413


async def test_chunked_200_mb_is_cut_off_and_memory_stays(port: int) -> None:
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    chunked = head("/slack/events", "Transfer-Encoding: chunked")
    assert await status_of(port, chunked, chunks(200 * 1024 * 1024)) == 413
    grown_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before
    assert grown_kib < 50 * 1024, f"memory grew {grown_kib} KiB"


async def test_a_body_at_the_limit_reaches_the_route(port: int) -> None:
    request = head("/api/v1/triggers", f"Content-Length: {MAX_BODY}")

    async def body() -> AsyncIterator[bytes]:
        yield b" " * MAX_BODY

    assert await status_of(port, request, body()) == 401, "the route answers, not the limit"
