"""Whose failure is it: the token's (the workspace's), the person's, or the team channel's."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator

import pytest

from bot import wording
from bot.channel import (
    Alert,
    Question,
    Recipient,
    RecipientUnreachable,
    TargetUnavailable,
    WorkspaceUnauthorized,
)
from bot.clock import SystemClock
from bot.events import Event
from bot.settings import Settings
from channels.sandbox.slack import SlackSandbox
from channels.slack import SlackAdapter
from tests.phrases import CATALOGUE, EN

QUESTION = Question(
    invitation_id=1,
    text="How likely?",
    low_label="0",
    high_label="10",
    opt_out_label="Stop",
    remind_label="Later",
)
ALERT = Alert(
    response_id=1,
    score=2,
    respondent="Jane",
    labels=wording.alert_labels(EN, score=2, respondent="Jane", owner=None),
)


async def ignore(event: Event) -> str | None:
    return None


@pytest.fixture
async def sandbox() -> AsyncIterator[SlackSandbox]:
    async with SlackSandbox() as sb:
        sb.add_user("U1")
        sb.add_user("UGONE", deleted=True)
        sb.add_channel("C0PUBLIC", ["U1"], name="cx-alerts")
        sb.add_channel("G0PRIVATE", ["U1"], name="leadership", private=True)
        sb.add_channel("C0OLD", ["U1", "U0BOT"]).is_archived = True
        yield sb


def adapter_for(sandbox: SlackSandbox) -> SlackAdapter:
    settings = Settings(
        SLACK_BOT_TOKEN=sandbox.bot_token,
        SLACK_SIGNING_SECRET="secret",
        NPSBOT_SLACK_API_URL=sandbox.api_url,
    )
    return SlackAdapter(
        settings=settings.slack, handle=ignore, clock=SystemClock(), catalogue=CATALOGUE
    )


@pytest.fixture
def adapter(sandbox: SlackSandbox) -> SlackAdapter:
    return adapter_for(sandbox)


@pytest.mark.parametrize(
    "code", ["invalid_auth", "account_inactive", "token_revoked", "not_authed"]
)
async def test_token_errors_are_the_workspaces(
    sandbox: SlackSandbox, adapter: SlackAdapter, code: str
) -> None:
    sandbox.fail_next("chat.postMessage", error=code)
    with pytest.raises(WorkspaceUnauthorized, match=code) as raised:
        await adapter.send_question(recipient=Recipient(user_id="U1"), question=QUESTION)
    assert not isinstance(raised.value, RecipientUnreachable)
    sandbox.fail_next("chat.postMessage", error=code)
    with pytest.raises(WorkspaceUnauthorized):
        await adapter.post_alert(chat_id="C0PUBLIC", alert=ALERT)


async def test_a_revoked_token_never_reads_as_unreachable(
    sandbox: SlackSandbox, adapter: SlackAdapter
) -> None:
    sandbox.revoke_token("account_inactive")
    for recipient in (Recipient(user_id="U1"), Recipient(user_id="UGONE")):
        with pytest.raises(WorkspaceUnauthorized):
            await adapter.send_question(recipient=recipient, question=QUESTION)


async def test_person_errors_still_mark_that_person(
    sandbox: SlackSandbox, adapter: SlackAdapter
) -> None:
    with pytest.raises(RecipientUnreachable, match="user_disabled"):
        await adapter.send_question(recipient=Recipient(user_id="UGONE"), question=QUESTION)
    for code in ("user_not_found", "cannot_dm_bot"):
        sandbox.fail_next("chat.postMessage", error=code)
        with pytest.raises(RecipientUnreachable, match=code):
            await adapter.send_text(recipient=Recipient(user_id="U1"), text="hi")


@pytest.mark.parametrize(
    ("chat_id", "code"), [("C0PUBLIC", "not_in_channel"), ("G0PRIVATE", "channel_not_found")]
)
async def test_team_posts_the_bot_cannot_make_say_how_to_fix_them(
    sandbox: SlackSandbox, adapter: SlackAdapter, chat_id: str, code: str
) -> None:
    with pytest.raises(TargetUnavailable, match=code) as raised:
        await adapter.post_alert(chat_id=chat_id, alert=ALERT)
    assert not isinstance(raised.value, RecipientUnreachable)
    assert raised.value.hint.startswith("invite the bot with /invite @npsbot")
    assert "\n" not in raised.value.hint


async def test_check_can_post_joins_public_and_explains_private(
    sandbox: SlackSandbox, adapter: SlackAdapter
) -> None:
    await adapter.check_can_post(chat_id="C0PUBLIC")
    assert "U0BOT" in sandbox.channel("C0PUBLIC").members
    assert await adapter.post_alert(chat_id="C0PUBLIC", alert=ALERT) is not None
    await adapter.check_can_post(chat_id="C0PUBLIC")  # already in: nothing to do
    assert len(sandbox.calls_to("conversations.join")) == 1

    with pytest.raises(TargetUnavailable) as raised:
        await adapter.check_can_post(chat_id="G0PRIVATE")
    assert raised.value.hint == (
        "invite the bot with /invite @npsbot in <#G0PRIVATE>, or choose another channel"
    )
    assert sandbox.channel("G0PRIVATE").members == ["U1"]
    with pytest.raises(TargetUnavailable, match="archived"):
        await adapter.check_can_post(chat_id="C0OLD")
    with pytest.raises(TargetUnavailable):
        await adapter.check_can_post(chat_id="C0NOSUCH")


async def test_no_bolt_warning_with_the_token_in_the_environment(
    sandbox: SlackSandbox, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setenv("SLACK_BOT_TOKEN", sandbox.bot_token)
    with caplog.at_level(logging.WARNING):
        adapter = adapter_for(sandbox)
    assert not [r for r in caplog.records if "unused" in r.getMessage()]
    assert adapter.client.base_url == sandbox.api_url  # every call still goes to the sandbox
    assert (await adapter.client.auth_test())["user_id"] == "U0BOT"
