"""The 3-second ack: what is not acknowledged in time fails, and events are retried with
Slack's retry headers (HTTP) or `retry_attempt` (Socket Mode), up to 3 times."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any

import pytest
from aiohttp import web
from slack_sdk.socket_mode.aiohttp import SocketModeClient
from slack_sdk.socket_mode.request import SocketModeRequest
from slack_sdk.socket_mode.response import SocketModeResponse
from slack_sdk.web.async_client import AsyncWebClient

from channels.sandbox._signing import NOT_ANSWERED
from channels.sandbox.slack import SlackRequestSigner, SlackSandbox
from channels.sandbox.slack_payloads import event_envelope, message_event
from channels.sandbox.slack_socket import AckTimeout

SECRET = "sandbox-signing-secret"
Answer = Callable[[web.Request, int], Awaitable[web.Response]]


@asynccontextmanager
async def endpoint(answer: Answer) -> AsyncIterator[tuple[str, list[dict[str, str]]]]:
    """A bare HTTP endpoint that records each delivery's headers and answers via `answer`."""
    seen: list[dict[str, str]] = []

    async def handle(request: web.Request) -> web.Response:
        seen.append(dict(request.headers))
        return await answer(request, len(seen))

    app = web.Application()
    app.router.add_post("/slack/events", handle)
    runner = web.AppRunner(app)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    port = runner.addresses[0][1]
    try:
        yield f"http://127.0.0.1:{port}/slack/events", seen
    finally:
        await runner.cleanup()


def comment() -> dict[str, Any]:
    return message_event(user_id="U1", text="hi", channel_id="DU1")


async def test_an_event_answered_after_3_seconds_is_retried() -> None:
    async def slow_first(request: web.Request, n: int) -> web.Response:
        if n == 1:
            await asyncio.sleep(3.3)
        return web.Response(text="")

    async with (
        SlackSandbox() as sandbox,
        endpoint(slow_first) as (url, seen),
        SlackRequestSigner(signing_secret=SECRET, sandbox=sandbox) as signer,
    ):
        assert (await signer.deliver_event(url, comment()))[0] == 200
    assert "X-Slack-Retry-Num" not in seen[0]
    assert (seen[1]["X-Slack-Retry-Num"], seen[1]["X-Slack-Retry-Reason"]) == ("1", "http_timeout")
    (delivery,) = sandbox.http_deliveries
    assert (delivery.attempts, delivery.statuses, delivery.acked) == (2, [NOT_ANSWERED, 200], True)


async def test_events_are_retried_3_times_and_clicks_not_at_all() -> None:
    async def never(request: web.Request, n: int) -> web.Response:
        await asyncio.sleep(1)
        return web.Response(text="")

    async def refuse(request: web.Request, n: int) -> web.Response:
        return web.Response(status=500)

    async with (
        SlackSandbox(ack_seconds=0.2) as sandbox,
        SlackRequestSigner(signing_secret=SECRET, sandbox=sandbox) as signer,
    ):
        async with endpoint(never) as (url, seen):
            assert (await signer.deliver_event(url, comment()))[0] == NOT_ANSWERED
            assert [h.get("X-Slack-Retry-Num") for h in seen] == [None, "1", "2", "3"]
        async with endpoint(refuse) as (url, seen):
            await signer.deliver_event(url, comment())
            assert seen[-1]["X-Slack-Retry-Reason"] == "http_error" and len(seen) == 4
        async with endpoint(never) as (url, seen):
            status, _ = await signer.deliver_block_action(
                url, user_id="U1", action_id="a", value="1", channel_id="DU1", message_ts="1.2"
            )
            assert (status, len(seen)) == (NOT_ANSWERED, 1)
    assert [d.acked for d in sandbox.http_deliveries] == [False, False, False]


@asynccontextmanager
async def socket_client(
    sandbox: SlackSandbox, ack: Callable[[SocketModeRequest, int], bool]
) -> AsyncIterator[list[SocketModeRequest]]:
    """A slack_sdk Socket Mode client that acks an envelope when `ack(request, n)` says so."""
    seen: list[SocketModeRequest] = []
    client = SocketModeClient(
        app_token=sandbox.app_token, web_client=AsyncWebClient(base_url=sandbox.api_url)
    )

    async def on_request(socket: SocketModeClient, request: SocketModeRequest) -> None:
        seen.append(request)
        if ack(request, len(seen)):
            await socket.send_socket_mode_response(SocketModeResponse(request.envelope_id))

    client.socket_mode_request_listeners.append(on_request)
    await client.connect()
    await sandbox.wait_connected()
    try:
        yield seen
    finally:
        await client.close()


async def test_socket_mode_retries_an_unacked_event_after_3_seconds() -> None:
    async with SlackSandbox() as sandbox, socket_client(sandbox, lambda _, n: n > 1) as seen:
        envelope = event_envelope(comment(), workspace=sandbox.workspace)
        ack = await sandbox.push_envelope("events_api", envelope)
    assert [(r.retry_attempt, r.retry_reason) for r in seen] == [(0, ""), (1, "timeout")]
    assert ack["envelope_id"] == seen[1].envelope_id
    (delivery,) = sandbox.socket.deliveries
    assert (delivery.attempts, delivery.acked) == (2, True)


async def test_socket_mode_gives_up_after_3_retries_and_never_retries_clicks() -> None:
    async with (
        SlackSandbox(ack_seconds=0.2) as sandbox,
        socket_client(sandbox, lambda _, n: False) as seen,
    ):
        envelope = event_envelope(comment(), workspace=sandbox.workspace)
        with pytest.raises(AckTimeout):
            await sandbox.push_envelope("events_api", envelope)
        assert [r.retry_attempt for r in seen] == [0, 1, 2, 3]
        with pytest.raises(AckTimeout):
            await sandbox.push_envelope("interactive", {"type": "block_actions"})
        assert len(seen) == 5
