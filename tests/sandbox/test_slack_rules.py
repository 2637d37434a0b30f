"""Slack's rules besides Block Kit, each shown refusing: membership, rate tiers, trigger ids,
response URLs, private snoozes, token and injected faults."""

from __future__ import annotations

import math
import time
from collections.abc import AsyncIterator

import pytest
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.webhook.async_client import AsyncWebhookClient

from channels.sandbox.slack import RateLimits, SlackSandbox
from tests.sandbox.conftest import Clock


@pytest.fixture
async def sandbox(clock: Clock) -> AsyncIterator[SlackSandbox]:
    async with SlackSandbox(clock=clock) as sb:
        for user in ("U1", "U2"):
            sb.add_user(user)
        sb.add_channel("C0PUBLIC", ["U1"], name="general")
        sb.add_channel("G0PRIVATE", ["U1"], name="secret", private=True)
        sb.add_channel("C0JOINED", ["U1", "U0BOT"])
        yield sb


@pytest.fixture
def client(sandbox: SlackSandbox) -> AsyncWebClient:
    return AsyncWebClient(token=sandbox.bot_token, base_url=sandbox.api_url)


async def error_of(call: object) -> str:
    with pytest.raises(SlackApiError) as err:
        await call  # type: ignore[misc]
    return str(err.value.response["error"])


# -- channel membership ---------------------------------------------------------------------


async def test_posting_needs_membership(sandbox: SlackSandbox, client: AsyncWebClient) -> None:
    assert await error_of(client.chat_postMessage(channel="C0PUBLIC", text="x")) == "not_in_channel"
    private = client.chat_postMessage(channel="G0PRIVATE", text="x")
    assert await error_of(private) == "channel_not_found"
    upload = client.files_upload_v2(channel="C0PUBLIC", content=b"png", filename="c.png")
    assert await error_of(upload) == "not_in_channel"
    await client.chat_postMessage(channel="C0JOINED", text="fine")
    assert [m.channel for m in sandbox.messages] == ["C0JOINED"]


async def test_a_thread_reply_needs_a_top_level_message_of_that_channel(
    sandbox: SlackSandbox, client: AsyncWebClient
) -> None:
    sandbox.add_channel("C0OTHER", ["U1", "U0BOT"])
    parent = (await client.chat_postMessage(channel="C0JOINED", text="alert"))["ts"]
    elsewhere = (await client.chat_postMessage(channel="C0OTHER", text="other"))["ts"]
    reply = await client.chat_postMessage(channel="C0JOINED", text="re", thread_ts=parent)
    for ts in (elsewhere, "1700000000.000001", reply["ts"]):
        refused = client.chat_postMessage(channel="C0JOINED", text="x", thread_ts=ts)
        assert await error_of(refused) == "invalid_thread_ts"
    assert [m.thread_ts for m in sandbox.messages_in("C0JOINED")] == [None, parent]


async def test_join_works_for_public_channels_only(
    sandbox: SlackSandbox, client: AsyncWebClient
) -> None:
    info = (await client.conversations_info(channel="C0PUBLIC"))["channel"]
    assert (info["is_member"], info["is_private"]) == (False, False)
    assert await error_of(client.conversations_info(channel="G0PRIVATE")) == "channel_not_found"
    assert await error_of(client.conversations_join(channel="G0PRIVATE")) == "channel_not_found"

    joined = await client.conversations_join(channel="C0PUBLIC")
    assert joined["channel"]["is_member"] is True
    await client.chat_postMessage(channel="C0PUBLIC", text="now I may")
    assert "U0BOT" in sandbox.channel("C0PUBLIC").members
    assert sandbox.channel("G0PRIVATE").members == ["U1"]


async def test_deactivated_users_cannot_be_written_to(
    sandbox: SlackSandbox, client: AsyncWebClient
) -> None:
    sandbox.add_user("UGONE", deleted=True)
    assert await error_of(client.chat_postMessage(channel="UGONE", text="x")) == "user_disabled"
    assert await error_of(client.conversations_open(users="UGONE")) == "user_disabled"


# -- rate tiers -----------------------------------------------------------------------------


async def test_tiers_answer_429_with_retry_after(
    sandbox: SlackSandbox, client: AsyncWebClient, clock: Clock
) -> None:
    for method, per_minute, call in (
        ("users.list", 20, lambda: client.users_list()),
        ("dnd.info", 50, lambda: client.dnd_info(user="U1")),
        ("users.info", 100, lambda: client.users_info(user="U1")),
    ):
        for _ in range(per_minute):
            await call()
        with pytest.raises(SlackApiError) as err:
            await call()
        assert err.value.response.status_code == 429, method
        assert err.value.response["error"] == "ratelimited"
        assert int(err.value.response.headers["Retry-After"]) == math.ceil(60 / per_minute)
        clock.now += 60 / per_minute
        await call()  # a token has come back
    assert sandbox.count_429 == 3


async def test_post_message_is_paced_per_channel(
    sandbox: SlackSandbox, client: AsyncWebClient, clock: Clock
) -> None:
    for _ in range(5):  # the burst allowance
        await client.chat_postMessage(channel="U1", text="x")
    with pytest.raises(SlackApiError) as err:
        await client.chat_postMessage(channel="U1", text="one too many")
    assert err.value.response.status_code == 429
    assert err.value.response.headers["Retry-After"] == "1"
    await client.chat_postMessage(channel="U2", text="another channel has its own allowance")
    clock.now += 1
    await client.chat_postMessage(channel="U1", text="one a second")
    assert len(sandbox.messages) == 7


async def test_limits_are_raised_only_explicitly(clock: Clock) -> None:
    assert RateLimits().tiers == {1: 1, 2: 20, 3: 50, 4: 100}
    async with SlackSandbox(rates=RateLimits().scaled(10), clock=clock) as fast:
        client = AsyncWebClient(token=fast.bot_token, base_url=fast.api_url)
        for _ in range(200):
            await client.users_list()
        assert fast.count_429 == 0


# -- interactivity handles ------------------------------------------------------------------

MODAL = {"type": "modal", "title": {"type": "plain_text", "text": "Reply"}, "blocks": []}


async def test_trigger_ids_work_once_within_3_seconds(
    sandbox: SlackSandbox, client: AsyncWebClient, clock: Clock
) -> None:
    fresh = sandbox.issue_trigger_id()
    await client.views_open(trigger_id=fresh, view=MODAL)
    assert await error_of(client.views_open(trigger_id=fresh, view=MODAL)) == "exchanged_trigger_id"
    late = sandbox.issue_trigger_id()
    clock.now += 3.1
    assert await error_of(client.views_open(trigger_id=late, view=MODAL)) == "expired_trigger_id"
    forged = client.views_open(trigger_id="1.2.forged", view=MODAL)
    assert await error_of(forged) == "invalid_trigger_id"
    assert len(sandbox.views) == 1


async def test_response_url_takes_5_posts_in_30_minutes(
    sandbox: SlackSandbox, clock: Clock
) -> None:
    hook = AsyncWebhookClient(sandbox.response_url())
    statuses = [(await hook.send(text=f"#{i}")).status_code for i in range(6)]
    assert statuses == [200] * 5 + [404]
    late = AsyncWebhookClient(sandbox.response_url())
    clock.now += 30 * 60 + 1
    answer = await late.send(text="too late")
    assert (answer.status_code, answer.body) == (404, "expired_url")


# -- dnd.info -------------------------------------------------------------------------------


async def test_snoozes_are_shown_only_to_their_owner(
    sandbox: SlackSandbox, client: AsyncWebClient
) -> None:
    ends = int(time.time()) + 600
    sandbox.set_dnd("U1", snooze_enabled=True, snooze_endtime=ends)
    sandbox.set_dnd("U0BOT", snooze_enabled=True, snooze_endtime=ends)
    other = await client.dnd_info(user="U1")
    assert "dnd_enabled" in other and not {"snooze_enabled", "snooze_endtime"} & set(other.data)
    own = await client.dnd_info()
    assert (own["snooze_enabled"], own["snooze_endtime"]) == (True, ends)


# -- tokens and faults ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "code",
    ["invalid_auth", "account_inactive", "token_revoked", "channel_not_found", "fatal_error"],
)
async def test_any_error_code_can_be_injected(
    sandbox: SlackSandbox, client: AsyncWebClient, code: str
) -> None:
    sandbox.fail_next("chat.postMessage", error=code)
    assert await error_of(client.chat_postMessage(channel="U1", text="x")) == code
    assert sandbox.messages == []
    await client.chat_postMessage(channel="U1", text="the next call is fine")


async def test_injected_ratelimited_and_any_method_faults(
    sandbox: SlackSandbox, client: AsyncWebClient
) -> None:
    sandbox.fail_next("users.info", error="ratelimited", retry_after=7)
    with pytest.raises(SlackApiError) as err:
        await client.users_info(user="U1")
    assert (err.value.response.status_code, err.value.response.headers["Retry-After"]) == (429, "7")
    sandbox.fail_next("*", error="account_inactive", count=2)
    assert await error_of(client.auth_test()) == "account_inactive"
    assert await error_of(client.dnd_info(user="U1")) == "account_inactive"
    await client.auth_test()


async def test_a_revoked_token_fails_every_call(
    sandbox: SlackSandbox, client: AsyncWebClient
) -> None:
    sandbox.revoke_token()
    assert await error_of(client.auth_test()) == "token_revoked"
    assert await error_of(client.chat_postMessage(channel="U1", text="x")) == "token_revoked"
    nobody = AsyncWebClient(base_url=sandbox.api_url)
    assert await error_of(nobody.auth_test()) == "not_authed"
