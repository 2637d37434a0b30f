"""The adapter's Web API side on its own: uploads, profiles and error translation."""

from __future__ import annotations

from collections.abc import AsyncIterator

import aiohttp
import pytest
from slack_sdk.errors import SlackApiError
from slack_sdk.web.slack_response import SlackResponse

from bot import wording
from bot.channel import (
    Alert,
    ChannelError,
    DeliveryUncertain,
    Profile,
    RateLimited,
    Recipient,
    RecipientUnreachable,
)
from bot.clock import SystemClock
from bot.events import Event
from bot.settings import Settings
from channels.sandbox.slack import SlackSandbox
from channels.slack import SlackAdapter
from channels.slack.errors import slack_errors, translate
from tests.digest_sample import sample_digest
from tests.phrases import CATALOGUE, EN

PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4


async def ignore(event: Event) -> str | None:
    return None


def adapter_for(sandbox: SlackSandbox, **settings: str) -> SlackAdapter:
    return SlackAdapter(
        settings=Settings(
            SLACK_BOT_TOKEN=sandbox.bot_token,
            NPSBOT_SLACK_API_URL=sandbox.api_url,
            **{"SLACK_SIGNING_SECRET": "secret", **settings},
        ).slack,
        handle=ignore,
        clock=SystemClock(),
        catalogue=CATALOGUE,
    )


@pytest.fixture
async def sandbox() -> AsyncIterator[SlackSandbox]:
    async with SlackSandbox() as sb:
        sb.add_user(
            "U1", name="jane", real_name="Jane Doe", tz="America/New_York", email="j@example.com"
        )
        sb.add_user("UOWNER", is_owner=True)
        sb.add_user("UGONE", deleted=True)
        sb.add_channel("C0DIGEST", ["U1", "U0BOT"])
        yield sb


@pytest.fixture
def adapter(sandbox: SlackSandbox) -> SlackAdapter:
    return adapter_for(sandbox)


async def test_post_image_uploads_the_png(sandbox: SlackSandbox, adapter: SlackAdapter) -> None:
    await adapter.post_image(
        chat_id="C0DIGEST", png=PNG, title="NPS trend", initial_comment="Week 48"
    )

    (upload,) = sandbox.uploaded_files
    assert (upload.data, upload.filename, upload.channel) == (PNG, "nps-trend.png", "C0DIGEST")
    assert (upload.title, upload.initial_comment) == ("NPS trend", "Week 48")
    assert [c.method for c in sandbox.calls] == [
        "files.getUploadURLExternal",
        "files.completeUploadExternal",
    ]


async def test_post_digest_posts_text_then_the_chart(
    sandbox: SlackSandbox, adapter: SlackAdapter
) -> None:
    await adapter.post_digest(chat_id="C0DIGEST", digest=sample_digest(), chart_png=PNG)

    posted = sandbox.messages_in("C0DIGEST")
    assert len(posted) == 1 and (posted[0].text or "").startswith("Acme NPS, week 2026-W48")
    assert posted[0].blocks and posted[0].blocks[0]["type"] == "header"
    assert sandbox.uploaded_files[0].data == PNG
    assert sandbox.uploaded_files[0].channel == "C0DIGEST"


async def test_profiles_come_from_users_info(sandbox: SlackSandbox, adapter: SlackAdapter) -> None:
    jane = await adapter.fetch_profile(user_id="U1")
    assert jane == Profile(
        user_id="U1",
        display_name="jane",
        timezone="America/New_York",
        locale="en-US",
        email="j@example.com",
    )
    assert (await adapter.fetch_profile(user_id="UOWNER")) is not None
    assert (await adapter.fetch_profile(user_id="UOWNER")).is_admin  # type: ignore[union-attr]
    assert not (await adapter.fetch_profile(user_id="UGONE")).is_human  # type: ignore[union-attr]
    assert await adapter.fetch_profile(user_id="U404") is None
    await adapter.fetch_profile(user_id="U1")
    assert len(sandbox.calls_to("users.info")) == 4  # the second U1 and UOWNER were cached


async def test_slack_errors_become_channel_errors(
    sandbox: SlackSandbox, adapter: SlackAdapter
) -> None:
    question = wording.question(EN, invitation_id=1, company="Acme")
    with pytest.raises(RecipientUnreachable, match="user_disabled"):
        await adapter.send_question(recipient=Recipient(user_id="UGONE"), question=question)
    with pytest.raises(RecipientUnreachable, match="channel_not_found"):
        await adapter.send_text(recipient=Recipient(user_id="U404", chat_id="DU404"), text="hi")

    labels = wording.alert_labels(EN, score=2, respondent=None, owner=None)
    alert = Alert(response_id=1, score=2, respondent=None, labels=labels)
    with pytest.raises(ChannelError, match="channel_not_found") as raised:
        await adapter.post_alert(chat_id="C404", alert=alert)
    assert not isinstance(raised.value, RecipientUnreachable)

    sandbox.fail_next("chat.postMessage", status=500, count=2)
    with pytest.raises(ChannelError, match="fatal_error") as raised:
        await adapter.post_alert(chat_id="C0DIGEST", alert=alert)
    assert not isinstance(raised.value, RecipientUnreachable)
    assert [(c.status, c.error) for c in sandbox.calls_to("chat.postMessage")][-2:] == [
        (500, "fatal_error"),
        (500, "fatal_error"),
    ]  # one retry after the first 500, then the core's own retry takes over


def test_429s_and_timeouts_keep_their_meaning() -> None:
    response = SlackResponse(
        client=None,
        http_verb="POST",
        api_url="chat.postMessage",
        req_args={},
        data={"ok": False, "error": "ratelimited"},
        headers={"Retry-After": "7"},
        status_code=429,
    )
    limited = translate(SlackApiError("rate limited", response), dm=True)
    assert isinstance(limited, RateLimited) and limited.retry_after == 7.0

    with pytest.raises(DeliveryUncertain), slack_errors(dm=True):
        raise TimeoutError  # the post may have landed: not to be sent again
    with pytest.raises(ChannelError) as raised, slack_errors(dm=True):
        raise aiohttp.ConnectionTimeoutError  # no connection: nothing was sent
    assert not isinstance(raised.value, DeliveryUncertain)


async def test_http_route_only_with_a_signing_secret(sandbox: SlackSandbox) -> None:
    assert [r.path for r in adapter_for(sandbox).routes()] == ["/slack/events"]  # type: ignore[attr-defined]
    socket_only = adapter_for(sandbox, SLACK_SIGNING_SECRET="", SLACK_APP_TOKEN="xapp-1")
    assert socket_only.routes() == []
