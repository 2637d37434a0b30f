"""Every route refuses a body over 1 MiB with 413 before reading it, chunked or not."""

from __future__ import annotations

import asyncio
import contextlib
import resource
import socket
from collections.abc import AsyncIterator, Iterable, Iterator

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


async def status_of(port: int, head: bytes, body: Iterable[bytes] = ()) -> int:
    """Send a request (the body streamed until the server hangs up) and return the status."""
    return await asyncio.to_thread(_exchange, port, head, body)


def _exchange(port: int, head: bytes, body: Iterable[bytes]) -> int:
    """A plain blocking socket: when the server answers early and closes, the sender sees a
    reset, and Linux still hands over the answer that arrived before it (asyncio's streams drop
    it, which made this test flaky)."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(head)
        with contextlib.suppress(ConnectionError):
            for chunk in body:
                sock.sendall(chunk)
        status_line = sock.makefile("rb").readline()
    return int(status_line.split()[1])


def head(path: str, *headers: str) -> bytes:
    lines = [f"POST {path} HTTP/1.1", "Host: npsbot", "Content-Type: application/json", *headers]
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def chunks(total: int, size: int = 64 * 1024) -> Iterator[bytes]:
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
    answer = await status_of(port, request, [b" " * MAX_BODY])
    assert answer == 401, "the route answers, not the limit"
