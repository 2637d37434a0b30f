"""`conversations.history` and message metadata in the Slack sandbox: Slack's wire shape, and
each of its refusals (scope, membership, arguments, metadata format, Tier 3 rate)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from channels.sandbox.slack import SlackSandbox
from channels.slack.errors import retry_after
from tests.sandbox.conftest import Clock

METADATA = {"event_type": "npsbot_invitation", "event_payload": {"invitation_id": 7}}


@pytest.fixture
async def sandbox(clock: Clock) -> AsyncIterator[SlackSandbox]:
    async with SlackSandbox(clock=clock) as sb:
        sb.add_user("U1")
        sb.add_channel("C0PUBLIC", ["U1"], name="general")
        sb.add_channel("G0PRIVATE", ["U1"], name="secret", private=True)
        yield sb


@pytest.fixture
def client(sandbox: SlackSandbox) -> AsyncWebClient:
    return AsyncWebClient(token=sandbox.bot_token, base_url=sandbox.api_url)


async def refusal(call: object) -> dict[str, object]:
    with pytest.raises(SlackApiError) as err:
        await call  # type: ignore[misc]  # an awaitable typed as object
    return dict(err.value.response.data)


async def post_five(client: AsyncWebClient) -> list[str]:
    """Five messages in U1's DM, the third with metadata; their ts, oldest first."""
    stamps = []
    for i in range(5):
        posted = await client.chat_postMessage(
            channel="U1", text=f"m{i}", metadata=METADATA if i == 2 else None
        )
        stamps.append(str(posted["ts"]))
    return stamps


async def test_history_is_newest_first_and_paged_by_cursor(client: AsyncWebClient) -> None:
    stamps = await post_five(client)
    first = await client.conversations_history(channel="DU1", limit=2)
    assert [m["ts"] for m in first["messages"]] == [stamps[4], stamps[3]]
    assert first["has_more"] is True and first["response_metadata"]["next_cursor"]
    seen = [m["ts"] for m in first["messages"]]
    cursor = first["response_metadata"]["next_cursor"]
    while cursor:
        page = await client.conversations_history(channel="DU1", limit=2, cursor=cursor)
        seen += [m["ts"] for m in page["messages"]]
        cursor = (page.get("response_metadata") or {}).get("next_cursor")
        assert page["has_more"] is bool(cursor)
    assert seen == stamps[::-1]
    last = await client.conversations_history(channel="DU1")
    assert last["has_more"] is False and "response_metadata" not in last.data


async def test_oldest_and_latest_are_exclusive_unless_inclusive(client: AsyncWebClient) -> None:
    stamps = await post_five(client)
    between = await client.conversations_history(channel="DU1", oldest=stamps[1], latest=stamps[3])
    assert [m["ts"] for m in between["messages"]] == [stamps[2]]
    inclusive = await client.conversations_history(
        channel="DU1", oldest=stamps[1], latest=stamps[3], inclusive=True
    )
    assert [m["ts"] for m in inclusive["messages"]] == [stamps[3], stamps[2], stamps[1]]


async def test_metadata_is_shown_only_with_include_all_metadata(client: AsyncWebClient) -> None:
    stamps = await post_five(client)
    plain = await client.conversations_history(channel="DU1")
    assert all("metadata" not in m for m in plain["messages"])
    full = await client.conversations_history(channel="DU1", include_all_metadata=True)
    tagged = {m["ts"]: m["metadata"] for m in full["messages"] if "metadata" in m}
    assert tagged == {stamps[2]: METADATA}


async def test_thread_replies_are_not_in_the_history(client: AsyncWebClient) -> None:
    parent = await client.chat_postMessage(channel="U1", text="parent")
    await client.chat_postMessage(channel="U1", text="reply", thread_ts=parent["ts"])
    history = await client.conversations_history(channel="DU1")
    assert [m["text"] for m in history["messages"]] == ["parent"]


async def test_history_refuses_what_slack_refuses(
    sandbox: SlackSandbox, client: AsyncWebClient
) -> None:
    await client.chat_postMessage(channel="U1", text="hello")
    assert (await refusal(client.conversations_history(channel="D0NOPE")))["error"] == (
        "channel_not_found"
    )
    private = await refusal(client.conversations_history(channel="G0PRIVATE"))
    assert private["error"] == "channel_not_found", "a private channel it is not in is hidden"
    sandbox.state.scopes.add("channels:history")
    public = await refusal(client.conversations_history(channel="C0PUBLIC"))
    assert public["error"] == "not_in_channel"
    bad_ts = await refusal(client.conversations_history(channel="DU1", latest="soon"))
    assert bad_ts["error"] == "invalid_ts_latest"
    sandbox.state.scopes.discard("im:history")
    missing = await refusal(client.conversations_history(channel="DU1"))
    assert missing["error"] == "missing_scope" and missing["needed"] == "im:history"
    assert "chat:write" in str(missing["provided"]).split(",")
    assert all(c.error for c in sandbox.calls_to("conversations.history"))


async def test_history_is_tier_3(
    sandbox: SlackSandbox, client: AsyncWebClient, clock: Clock
) -> None:
    await client.chat_postMessage(channel="U1", text="hello")
    client.retry_handlers = []  # see the 429 itself, not slack_sdk waiting it out
    for _ in range(50):
        await client.conversations_history(channel="DU1")
    with pytest.raises(SlackApiError) as err:
        await client.conversations_history(channel="DU1")
    assert err.value.response.status_code == 429
    assert retry_after(err.value.response.headers) >= 1
    clock.now += 60
    assert (await client.conversations_history(channel="DU1"))["ok"]


async def test_post_message_checks_metadata(sandbox: SlackSandbox, client: AsyncWebClient) -> None:
    bad = await refusal(
        client.chat_postMessage(channel="U1", text="x", metadata={"event_type": "t"})
    )
    assert bad["error"] == "invalid_metadata_format"
    assert sandbox.messages == [], "a refused post leaves no message"
    dropped = await client.chat_postMessage(
        channel="U1", text="x", metadata={"event_type": "has.dots", "event_payload": {}}
    )
    assert dropped["response_metadata"]["warnings"] == ["invalid_metadata_schema"]
    assert sandbox.messages[-1].metadata is None, "an invalid event_type is ignored"
    kept = await client.chat_postMessage(channel="U1", text="x", metadata=METADATA)
    assert kept["message"]["metadata"] == METADATA
