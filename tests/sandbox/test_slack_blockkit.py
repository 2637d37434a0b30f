"""Block Kit limits: the sandbox refuses every over-limit surface, as Slack does."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.webhook.async_client import AsyncWebhookClient

from channels.sandbox.slack import SlackSandbox

Block = dict[str, Any]


def text(n: int, kind: str = "mrkdwn") -> Block:
    return {"type": kind, "text": "x" * n}


def button(**over: Any) -> Block:
    return {"type": "button", "text": text(5, "plain_text"), "action_id": "a", "value": "v", **over}


@pytest.fixture
async def sandbox() -> AsyncIterator[SlackSandbox]:
    async with SlackSandbox() as sb:
        sb.add_user("U1")
        yield sb


@pytest.fixture
def client(sandbox: SlackSandbox) -> AsyncWebClient:
    return AsyncWebClient(token=sandbox.bot_token, base_url=sandbox.api_url)


REFUSED: list[tuple[str, list[Block], str]] = [
    (
        "51 blocks",
        [{"type": "divider"}] * 51,
        "no more than 50 items allowed [json-pointer:/blocks]",
    ),
    (
        "section text 3,001",
        [{"type": "section", "text": text(3001)}],
        "must be less than 3001 characters [json-pointer:/blocks/0/text/text]",
    ),
    (
        "field 2,001",
        [{"type": "section", "fields": [text(2001)]}],
        "must be less than 2001 characters [json-pointer:/blocks/0/fields/0/text]",
    ),
    (
        "11 fields",
        [{"type": "section", "fields": [text(1)] * 11}],
        "no more than 10 items allowed [json-pointer:/blocks/0/fields]",
    ),
    (
        "header 151",
        [{"type": "header", "text": text(151, "plain_text")}],
        "must be less than 151 characters [json-pointer:/blocks/0/text/text]",
    ),
    (
        "header in mrkdwn",
        [{"type": "header", "text": text(5)}],
        "must be a valid enum value [json-pointer:/blocks/0/text/type]",
    ),
    (
        "button text 76",
        [{"type": "actions", "elements": [button(text=text(76, "plain_text"))]}],
        "must be less than 76 characters [json-pointer:/blocks/0/elements/0/text/text]",
    ),
    (
        "button value 2,001",
        [{"type": "actions", "elements": [button(value="v" * 2001)]}],
        "must be less than 2001 characters [json-pointer:/blocks/0/elements/0/value]",
    ),
    (
        "action_id 256",
        [{"type": "actions", "elements": [button(action_id="a" * 256)]}],
        "must be less than 256 characters [json-pointer:/blocks/0/elements/0/action_id]",
    ),
    (
        "block_id 256",
        [{"type": "divider", "block_id": "b" * 256}],
        "must be less than 256 characters [json-pointer:/blocks/0/block_id]",
    ),
    (
        "11 context elements",
        [{"type": "context", "elements": [text(1)] * 11}],
        "no more than 10 items allowed [json-pointer:/blocks/0/elements]",
    ),
    (
        "a raw string for a text object",
        [{"type": "section", "text": "hello"}],
        "must provide an object [json-pointer:/blocks/0/text]",
    ),
    (
        "an unknown text type",
        [{"type": "section", "text": {"type": "markdown", "text": "hi"}}],
        "must be a valid enum value [json-pointer:/blocks/0/text/type]",
    ),
]


@pytest.mark.parametrize(("case", "blocks", "message"), REFUSED, ids=[c[0] for c in REFUSED])
async def test_messages_over_a_limit_are_refused(
    sandbox: SlackSandbox, client: AsyncWebClient, case: str, blocks: list[Block], message: str
) -> None:
    with pytest.raises(SlackApiError) as err:
        await client.chat_postMessage(channel="U1", text="t", blocks=blocks)
    assert err.value.response["error"] == "invalid_blocks"
    assert err.value.response["response_metadata"]["messages"] == [f"[ERROR] {message}"]
    assert sandbox.messages == []


async def test_limits_are_inclusive(sandbox: SlackSandbox, client: AsyncWebClient) -> None:
    at_limit = [
        {"type": "header", "text": text(150, "plain_text")},
        {"type": "section", "text": text(3000), "block_id": "b" * 255},
        {"type": "section", "fields": [text(2000)] * 10},
        {"type": "context", "elements": [text(1)] * 10},
        {"type": "actions", "elements": [button(text=text(75, "plain_text"), value="v" * 2000)]},
        *[{"type": "divider"}] * 45,
    ]
    await client.chat_postMessage(channel="U1", text="t", blocks=at_limit)
    assert len(sandbox.messages[0].blocks or []) == 50


async def test_update_ephemeral_and_response_url_are_checked(
    sandbox: SlackSandbox, client: AsyncWebClient
) -> None:
    posted = await client.chat_postMessage(channel="U1", text="t")
    too_long = [{"type": "section", "text": text(3001)}]
    for call in (
        client.chat_update(channel=posted["channel"], ts=posted["ts"], text="t", blocks=too_long),
        client.chat_postEphemeral(channel=posted["channel"], user="U1", text="t", blocks=too_long),
    ):
        with pytest.raises(SlackApiError) as err:
            await call
        assert err.value.response["error"] == "invalid_blocks"
    with pytest.raises(SlackApiError) as err:
        await client.chat_update(channel=posted["channel"], ts=posted["ts"], text="x" * 4001)
    assert err.value.response["error"] == "msg_too_long"
    assert sandbox.messages[0].edits == 0

    hook = AsyncWebhookClient(sandbox.response_url())
    assert (await hook.send(text="t", blocks=too_long)).status_code == 400


def modal(blocks: list[Block], **over: Any) -> Block:
    return {"type": "modal", "title": text(10, "plain_text"), "blocks": blocks, **over}


async def test_views_allow_100_blocks_and_refuse_101(
    sandbox: SlackSandbox, client: AsyncWebClient
) -> None:
    hundred = [{"type": "divider"}] * 100
    opened = await client.views_open(trigger_id=sandbox.issue_trigger_id(), view=modal(hundred))
    for view in (modal(hundred * 2), modal([], title=text(25, "plain_text"))):
        with pytest.raises(SlackApiError) as err:
            await client.views_update(view_id=opened["view"]["id"], view=view)
        assert err.value.response["error"] == "invalid_arguments"
        (line,) = err.value.response["response_metadata"]["messages"]
        assert "[json-pointer:/view/" in line
    with pytest.raises(SlackApiError) as err:
        await client.views_publish(user_id="U1", view={"type": "home", "blocks": hundred * 2})
    assert err.value.response["error"] == "invalid_arguments"
