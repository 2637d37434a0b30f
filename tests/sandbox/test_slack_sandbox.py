"""The Slack sandbox against the real slack_sdk and slack-bolt clients."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import pytest
import uvicorn
from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
from slack_bolt.adapter.starlette.async_handler import AsyncSlackRequestHandler
from slack_bolt.async_app import AsyncApp
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_async_handlers import AsyncRateLimitErrorRetryHandler
from slack_sdk.socket_mode.aiohttp import SocketModeClient
from slack_sdk.socket_mode.request import SocketModeRequest
from slack_sdk.socket_mode.response import SocketModeResponse
from slack_sdk.web.async_client import AsyncWebClient
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.routing import Route

from channels.sandbox.slack import RateLimits, SlackRequestSigner, SlackSandbox
from channels.sandbox.slack_payloads import event_envelope, message_event, slash_command_payload

SECRET = "sandbox-signing-secret"


@pytest.fixture
async def sandbox() -> AsyncIterator[SlackSandbox]:
    async with SlackSandbox() as sb:
        sb.add_user("U1", name="jane.doe", email="jane@example.com", tz="America/New_York")
        yield sb


@pytest.fixture
def client(sandbox: SlackSandbox) -> AsyncWebClient:
    return AsyncWebClient(token=sandbox.bot_token, base_url=sandbox.api_url)


async def eventually(check: Any, timeout: float = 3.0) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "condition not met in time"
        await asyncio.sleep(0.01)


async def test_post_update_and_ephemeral_are_recorded(
    sandbox: SlackSandbox, client: AsyncWebClient
) -> None:
    blocks = [{"type": "section", "text": {"type": "mrkdwn", "text": "How likely?"}}]
    first = await client.chat_postMessage(channel="U1", text="How likely?", blocks=blocks)
    second = await client.chat_postMessage(channel="U1", text="again")
    assert first["channel"] == "DU1" and first["message"]["blocks"] == blocks
    assert float(second["ts"]) > float(first["ts"])
    await client.chat_update(channel="DU1", ts=first["ts"], text="Thanks!", blocks=[])
    eph = await client.chat_postEphemeral(channel="DU1", user="U1", text="psst")

    assert [(m.channel, m.text, m.edits) for m in sandbox.messages] == [
        ("DU1", "Thanks!", 1),
        ("DU1", "again", 0),
    ]
    assert sandbox.ephemerals[0].ts == eph["message_ts"]
    assert sandbox.calls_to("chat.postMessage")[0].params["blocks"] == blocks
    link = await client.chat_getPermalink(channel="DU1", message_ts=first["ts"])
    assert link["permalink"].endswith(first["ts"].replace(".", ""))


async def test_auth_and_unknown_method_errors(sandbox: SlackSandbox) -> None:
    bad = AsyncWebClient(token="xoxb-forged", base_url=sandbox.api_url)
    with pytest.raises(SlackApiError) as err:
        await bad.auth_test()
    assert err.value.response["error"] == "invalid_auth"
    good = AsyncWebClient(token=sandbox.bot_token, base_url=sandbox.api_url)
    assert (await good.auth_test())["user_id"] == "U0BOT"
    with pytest.raises(SlackApiError) as err:
        await good.api_call("no.such_method")
    assert err.value.response["error"] == "unknown_method"
    with pytest.raises(SlackApiError) as err:
        await good.chat_postMessage(channel="C404", text="x")
    assert err.value.response["error"] == "channel_not_found"


async def test_users_info_conversations_open_and_dnd(
    sandbox: SlackSandbox, client: AsyncWebClient
) -> None:
    user = (await client.users_info(user="U1"))["user"]
    assert user["profile"]["email"] == "jane@example.com"
    assert user["tz"] == "America/New_York" and user["tz_offset"] in (-18000, -14400)
    assert "locale" not in user
    assert (await client.users_info(user="U1", include_locale=True))["user"]["locale"] == "en-US"
    with pytest.raises(SlackApiError) as err:
        await client.users_info(user="U404")
    assert err.value.response["error"] == "user_not_found"

    assert (await client.conversations_open(users="U1"))["channel"]["id"] == "DU1"
    assert (await client.dnd_info(user="U1"))["dnd_enabled"] is False
    sandbox.set_dnd("U1", snooze_enabled=True, snooze_endtime=int(time.time()) + 600)
    assert "snooze_enabled" not in await client.dnd_info(user="U1")  # private to U1


async def test_conversations_members_paginates(
    sandbox: SlackSandbox, client: AsyncWebClient
) -> None:
    everyone = [f"U{i:05d}" for i in range(450)]
    sandbox.add_channel("C0CUSTOMERS", everyone)
    seen: list[str] = []
    cursor = None
    while True:
        page = await client.conversations_members(channel="C0CUSTOMERS", limit=200, cursor=cursor)
        seen += page["members"]
        cursor = page["response_metadata"]["next_cursor"]
        if not cursor:
            break
    assert seen == everyone
    assert len(sandbox.calls_to("conversations.members")) == 3


async def test_429_retry_after_is_honoured_and_delivered_once(sandbox: SlackSandbox) -> None:
    client = AsyncWebClient(
        token=sandbox.bot_token,
        base_url=sandbox.api_url,
        retry_handlers=[AsyncRateLimitErrorRetryHandler(max_retry_count=1)],
    )
    sandbox.fail_next("chat.postMessage", status=429, retry_after=1)
    await client.chat_postMessage(channel="U1", text="hello")

    calls = sandbox.calls_to("chat.postMessage")
    assert [c.status for c in calls] == [429, 200]
    assert calls[1].at - calls[0].at >= 1.0
    assert sandbox.count_429 == 1 and len(sandbox.messages) == 1


async def test_500_and_token_bucket_fail_without_posting() -> None:
    async with SlackSandbox(rates=RateLimits(post_per_workspace_per_second=2)) as sandbox:
        sandbox.add_user("U1")
        client = AsyncWebClient(token=sandbox.bot_token, base_url=sandbox.api_url)
        sandbox.fail_next("chat.postMessage", status=500)
        with pytest.raises(SlackApiError) as err:
            await client.chat_postMessage(channel="U1", text="a")
        assert err.value.response.status_code == 500
        await client.chat_postMessage(channel="U1", text="b")
        with pytest.raises(SlackApiError) as err:
            for _ in range(3):
                await client.chat_postMessage(channel="U1", text="c")
        assert err.value.response.status_code == 429
        assert err.value.response["error"] == "ratelimited"
        assert int(err.value.response.headers["Retry-After"]) >= 1
        assert sandbox.count_429 == 1
        assert [m.text for m in sandbox.messages] == ["b", "c"]


async def test_files_upload_v2_stores_bytes(sandbox: SlackSandbox, client: AsyncWebClient) -> None:
    sandbox.add_channel("C0DIGEST", ["U1", "U0BOT"])
    result = await client.files_upload_v2(
        channel="C0DIGEST", content=b"\x89PNG...", filename="chart.png", initial_comment="Weekly"
    )
    assert result["file"]["name"] == "chart.png"
    (upload,) = sandbox.uploaded_files
    assert (upload.data, upload.filename, upload.channel) == (
        b"\x89PNG...",
        "chart.png",
        "C0DIGEST",
    )
    assert upload.initial_comment == "Weekly"


async def test_views_open_and_update(sandbox: SlackSandbox, client: AsyncWebClient) -> None:
    view = {
        "type": "modal",
        "callback_id": "nps_comment_modal",
        "title": {"type": "plain_text", "text": "Tell us more"},
        "blocks": [],
    }
    trigger_id = sandbox.issue_trigger_id()
    opened = (await client.views_open(trigger_id=trigger_id, view=view))["view"]
    assert opened["callback_id"] == "nps_comment_modal" and opened["id"] in sandbox.views
    updated = await client.views_update(
        view_id=opened["id"], view={**view, "blocks": [{"type": "divider"}]}
    )
    assert updated["view"]["blocks"] == [{"type": "divider"}]


async def test_socket_mode_hello_ack_and_reconnect(sandbox: SlackSandbox) -> None:
    web_client = AsyncWebClient(base_url=sandbox.api_url)
    socket = SocketModeClient(app_token=sandbox.app_token, web_client=web_client)
    frames: list[dict[str, Any]] = []

    async def on_message(message: Any) -> None:
        frames.append(json.loads(message.data))

    async def on_request(client: SocketModeClient, req: SocketModeRequest) -> None:
        await client.send_socket_mode_response(SocketModeResponse(envelope_id=req.envelope_id))

    socket.on_message_listeners.append(on_message)
    socket.socket_mode_request_listeners.append(on_request)
    await socket.connect()
    try:
        await sandbox.wait_connected(timeout=3)
        envelope = event_envelope(message_event(user_id="U1", text="hi", channel_id="DU1"))
        ack = await sandbox.push_envelope("events_api", envelope, retry_attempt=1)
        assert frames[0]["type"] == "hello"
        assert frames[1]["retry_attempt"] == 1 and frames[1]["retry_reason"] == "timeout"
        assert ack == {"envelope_id": frames[1]["envelope_id"]}

        await sandbox.drop_socket()
        await sandbox.wait_connected(timeout=3)
        ack = await sandbox.push_envelope("events_api", envelope)
        assert sandbox.connection_count == 2 and ack["envelope_id"]
        assert len(sandbox.calls_to("apps.connections.open")) == 2
    finally:
        await socket.close()


async def test_bolt_socket_mode_round_trip(sandbox: SlackSandbox) -> None:
    app = AsyncApp(client=AsyncWebClient(token=sandbox.bot_token, base_url=sandbox.api_url))

    @app.event("message")
    async def on_message(event: dict[str, Any], say: Any) -> None:
        await say(f"got: {event['text']}")

    @app.command("/nps")
    async def on_nps(ack: Any) -> None:
        await ack("Survey queued")

    handler = AsyncSocketModeHandler(app, sandbox.app_token)
    await handler.connect_async()
    try:
        await sandbox.wait_connected(timeout=3)
        envelope = event_envelope(message_event(user_id="U1", text="meh", channel_id="DU1"))
        await sandbox.push_envelope("events_api", envelope)
        await eventually(lambda: sandbox.messages)
        assert sandbox.messages[0].text == "got: meh"

        fields = slash_command_payload(
            user_id="U1", text="send", response_url=sandbox.response_url("commands")
        )
        ack = await sandbox.push_envelope("slash_commands", fields)
        assert ack["payload"]["text"] == "Survey queued"
    finally:
        await handler.close_async()


@asynccontextmanager
async def serve(app: Starlette) -> AsyncIterator[str]:
    """Run an ASGI app on a free port so the signer's real HTTP requests reach it."""
    config = uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning", lifespan="off")
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    await eventually(lambda: server.started)
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}/slack/events"
    finally:
        server.should_exit = True
        await task


async def test_signed_http_requests_reach_bolt_and_forgeries_do_not(
    sandbox: SlackSandbox,
) -> None:
    app = AsyncApp(
        client=AsyncWebClient(token=sandbox.bot_token, base_url=sandbox.api_url),
        signing_secret=SECRET,
    )
    seen: list[tuple[str, str | None]] = []

    @app.event("message")
    async def on_message(event: dict[str, Any], request: Any) -> None:
        retry = request.headers.get("x-slack-retry-num", [None])[0]
        seen.append((event["text"], retry))

    @app.action("nps_score_9")
    async def on_score(ack: Any, body: dict[str, Any], respond: Any) -> None:
        await ack()
        await respond(f"Thanks for the {body['actions'][0]['value']}")

    @app.view("nps_comment_modal")
    async def on_comment(ack: Any, view: dict[str, Any]) -> None:
        await ack()
        seen.append((view["state"]["values"]["nps_reason"]["reason_text"]["value"], None))

    @app.command("/nps")
    async def on_nps(ack: Any, command: dict[str, str]) -> None:
        await ack(f"ok: {command['text']}")

    bolt = AsyncSlackRequestHandler(app)

    async def endpoint(request: Request) -> Any:
        return await bolt.handle(request)

    starlette = Starlette(routes=[Route("/slack/events", endpoint, methods=["POST"])])
    event = message_event(user_id="U1", text="confusing docs", channel_id="DU1")
    async with (
        serve(starlette) as url,
        SlackRequestSigner(signing_secret=SECRET, sandbox=sandbox) as signer,
    ):
        assert (await signer.deliver_event(url, event, event_id="Ev1"))[0] == 200
        assert (await signer.deliver_event(url, event, event_id="Ev1", retry_num=1))[0] == 200
        assert (await signer.deliver_event(url, event, signing_secret="wrong"))[0] == 401
        stale = int(time.time()) - 600
        assert (await signer.deliver_event(url, event, timestamp=stale))[0] == 401

        status, _ = await signer.deliver_block_action(
            url,
            user_id="U1",
            action_id="nps_score_9",
            value="9",
            channel_id="DU1",
            message_ts="1700000000.000100",
        )
        assert status == 200
        await eventually(lambda: sandbox.response_url_posts)
        assert sandbox.response_url_posts[0].body["text"] == "Thanks for the 9"

        status, _ = await signer.deliver_view_submission(
            url,
            user_id="U1",
            callback_id="nps_comment_modal",
            private_metadata='{"score": 9}',
            values={"nps_reason": {"reason_text": "fast support"}},
        )
        assert status == 200
        status, body = await signer.deliver_slash_command(url, user_id="U1", text="send #beta")
        assert (status, body) == (200, "ok: send #beta")

    await eventually(lambda: len(seen) == 3)
    assert seen == [("confusing docs", None), ("confusing docs", "1"), ("fast support", None)]
