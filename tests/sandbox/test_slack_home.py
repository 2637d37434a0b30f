"""The App Home as Slack enforces it, each rule shown refusing: `type: home` only, a real
user, at most 100 blocks, images Slack can show the viewer, confirm dialogs within their
limits, Tier 4 pacing; and `app_home_opened` / Home buttons delivered in Slack's shape."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiohttp import web
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from channels.sandbox.slack import RateLimits, SlackSandbox
from channels.sandbox.slack_home import app_home_opened_event, home_action_payload
from tests.sandbox.conftest import Clock

Block = dict[str, Any]
PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 16


@pytest.fixture
async def sandbox(clock: Clock) -> AsyncIterator[SlackSandbox]:
    async with SlackSandbox(clock=clock) as sb:
        sb.add_user("U1")
        sb.add_user("U2")
        sb.add_channel("C0TEAM", ["U1", "U0BOT"], name="team")
        yield sb


@pytest.fixture
def client(sandbox: SlackSandbox) -> AsyncWebClient:
    return AsyncWebClient(token=sandbox.bot_token, base_url=sandbox.api_url)


@pytest.fixture
async def images() -> AsyncIterator[str]:
    """A local image host: `/chart.png` is a PNG, `/page` HTML, anything else 404."""

    async def chart(request: web.Request) -> web.Response:
        return web.Response(body=PNG, content_type="image/png")

    async def page(request: web.Request) -> web.Response:
        return web.Response(text="<html></html>", content_type="text/html")

    app = web.Application()
    app.router.add_get("/chart.png", chart)
    app.router.add_get("/page", page)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    yield f"http://127.0.0.1:{runner.addresses[0][1]}"
    await runner.cleanup()


def home(*blocks: Block) -> Block:
    return {"type": "home", "blocks": list(blocks) or [{"type": "divider"}]}


def image(**source: Any) -> Block:
    return {"type": "image", "alt_text": "NPS trend", **source}


async def refusal(call: Any) -> tuple[str, list[str]]:
    with pytest.raises(SlackApiError) as err:
        await call
    response = err.value.response
    return str(response["error"]), list(
        (response.get("response_metadata") or {}).get("messages") or []
    )


async def test_publish_stores_the_users_home(sandbox: SlackSandbox, client: AsyncWebClient) -> None:
    published = await client.views_publish(user_id="U1", view=home())
    assert published["view"]["type"] == "home" and sandbox.views["VHOMEU1"]["id"] == "VHOMEU1"


async def test_publish_takes_only_a_home_view(client: AsyncWebClient) -> None:
    modal = {"type": "modal", "title": {"type": "plain_text", "text": "x"}, "blocks": []}
    for view in (modal, {"blocks": []}):
        error, (line,) = await refusal(client.views_publish(user_id="U1", view=view))
        assert error == "invalid_arguments" and line.endswith("[json-pointer:/view/type]")


async def test_publish_needs_a_user_of_the_workspace(client: AsyncWebClient) -> None:
    error, _ = await refusal(client.views_publish(user_id="U404", view=home()))
    assert error == "user_not_found"


async def test_a_home_holds_100_blocks_not_101(client: AsyncWebClient) -> None:
    await client.views_publish(user_id="U1", view=home(*[{"type": "divider"}] * 100))
    error, (line,) = await refusal(
        client.views_publish(user_id="U1", view=home(*[{"type": "divider"}] * 101))
    )
    assert error == "invalid_arguments" and "no more than 100 items" in line


async def test_home_blocks_keep_block_kits_limits(client: AsyncWebClient) -> None:
    long = {"type": "section", "text": {"type": "mrkdwn", "text": "x" * 3001}}
    error, (line,) = await refusal(client.views_publish(user_id="U1", view=home(long)))
    assert error == "invalid_arguments" and line.endswith("[json-pointer:/view/blocks/0/text/text]")


async def test_an_image_needs_alt_text_and_exactly_one_source(
    client: AsyncWebClient, images: str
) -> None:
    url = f"{images}/chart.png"
    cases = [
        {"type": "image", "image_url": url},
        image(),
        image(image_url=url, slack_file={"id": "F1"}),
        image(slack_file={"id": "F1", "url": "https://files.slack.com/x.png"}),
        image(image_url="ftp://example.com/chart.png"),
        image(image_url=url, alt_text="a" * 2001),
    ]
    for block in cases:
        error, lines = await refusal(client.views_publish(user_id="U1", view=home(block)))
        assert error == "invalid_arguments" and lines, block
    await client.views_publish(user_id="U1", view=home(image(image_url=url)))


async def test_an_image_url_must_download_as_an_image(
    sandbox: SlackSandbox, client: AsyncWebClient, images: str
) -> None:
    for path in ("/page", "/missing.png"):
        error, (line,) = await refusal(
            client.views_publish(user_id="U1", view=home(image(image_url=images + path)))
        )
        assert error == "invalid_arguments"
        assert line == "[ERROR] downloading image failed [json-pointer:/view/blocks/0/image_url]"
    assert sandbox.image_downloads == [images + "/page", images + "/missing.png"]
    assert "VHOMEU1" not in sandbox.views


async def test_a_slack_file_must_be_one_the_viewer_can_open(client: AsyncWebClient) -> None:
    private = await client.files_upload_v2(content=PNG, filename="chart.png")
    shared = await client.files_upload_v2(content=PNG, filename="chart.png", channel="C0TEAM")
    private_id, shared_id = private["files"][0]["id"], shared["files"][0]["id"]
    for user, file_id in (("U1", private_id), ("U2", shared_id), ("U1", "F404")):
        error, (line,) = await refusal(
            client.views_publish(user_id=user, view=home(image(slack_file={"id": file_id})))
        )
        assert error == "invalid_arguments"
        assert line == "[ERROR] invalid slack file [json-pointer:/view/blocks/0/slack_file]"
    await client.views_publish(user_id="U1", view=home(image(slack_file={"id": shared_id})))


async def test_a_confirm_dialog_keeps_its_limits(client: AsyncWebClient) -> None:
    def button(**confirm: Any) -> Block:
        plain = {"type": "plain_text", "text": "ok"}
        dialog = {"title": plain, "text": plain, "confirm": plain, "deny": plain, **confirm}
        element = {"type": "button", "action_id": "a", "text": plain, "confirm": dialog}
        return {"type": "actions", "elements": [element]}

    await client.views_publish(user_id="U1", view=home(button()))
    for over in (
        {"title": {"type": "plain_text", "text": "t" * 101}},
        {"text": {"type": "plain_text", "text": "t" * 301}},
        {"confirm": {"type": "plain_text", "text": "t" * 31}},
        {"deny": {"type": "mrkdwn", "text": "no"}},
        {"style": "loud"},
    ):
        error, lines = await refusal(client.views_publish(user_id="U1", view=home(button(**over))))
        assert error == "invalid_arguments" and "/confirm/" in lines[0], over


async def test_publish_is_tier_4(clock: Clock) -> None:
    async with SlackSandbox(clock=clock, rates=RateLimits(tiers={1: 1, 2: 20, 3: 50, 4: 3})) as sb:
        sb.add_user("U1")
        client = AsyncWebClient(token=sb.bot_token, base_url=sb.api_url)
        for _ in range(3):
            await client.views_publish(user_id="U1", view=home())
        with pytest.raises(SlackApiError) as err:
            await client.views_publish(user_id="U1", view=home())
        assert err.value.response.status_code == 429
        assert int(err.value.response.headers["Retry-After"]) >= 1
        clock.now += 60
        await client.views_publish(user_id="U1", view=home())


async def test_app_home_opened_has_slacks_shape(
    sandbox: SlackSandbox, client: AsyncWebClient
) -> None:
    first = app_home_opened_event(user_id="U1")
    assert set(first) == {"type", "user", "channel", "tab", "event_ts"}
    assert (first["type"], first["tab"], first["channel"]) == ("app_home_opened", "home", "DU1")
    await client.views_publish(user_id="U1", view=home())
    again = app_home_opened_event(user_id="U1", view=sandbox.views["VHOMEU1"])
    assert again["view"]["type"] == "home" and again["view"]["id"] == "VHOMEU1"
    assert "view" not in app_home_opened_event(user_id="U1", tab="messages", view=again["view"])


async def test_a_home_button_has_no_channel_and_no_response_url(
    sandbox: SlackSandbox, client: AsyncWebClient
) -> None:
    plain = {"type": "plain_text", "text": "Export"}
    element = {"type": "button", "action_id": "export", "text": plain, "value": "v"}
    view = home({"type": "actions", "block_id": "b", "elements": [element]})
    await client.views_publish(user_id="U1", view=view)
    payload = home_action_payload(user_id="U1", action_id="export", view=sandbox.views["VHOMEU1"])
    assert payload["container"] == {"type": "view", "view_id": "VHOMEU1"}
    assert "channel" not in payload and "response_url" not in payload and "message" not in payload
    assert payload["actions"][0]["value"] == "v" and payload["view"]["type"] == "home"
    json.dumps(payload)
    with pytest.raises(LookupError):
        home_action_payload(user_id="U1", action_id="missing", view=sandbox.views["VHOMEU1"])
