"""Issue 10's day-one scenarios on Slack, end to end against the enforcing sandbox.

Adapter and sandbox on the Slack side; the core checks channels before saying yes, pauses a
platform whose token is refused, and registers the workspace from `auth.test`.
"""

from __future__ import annotations

import aiohttp
import pytest
from sqlmodel import select

from bot.models import Target
from channels.sandbox.slack_payloads import access_revoked_event
from tests.channels.slack.conftest import StartBot
from tests.channels.slack.harness import SlackHarness, eventually


def targets(slack: SlackHarness) -> list[Target]:
    with slack.bot.db.session() as session:
        return list(session.exec(select(Target)).all())


async def test_token_errors_leave_the_respondent_reachable(slack: SlackHarness) -> None:
    respondent_id = slack.add_respondent("U1")
    slack.sandbox.fail_next("chat.postMessage", error="account_inactive")
    result = await slack.bot.dispatcher.invite_now(respondent_id=respondent_id, force=True)
    assert not result.sent
    (respondent,) = slack.respondents()
    assert not respondent.unreachable


@pytest.mark.database  # the only cover of make_due
async def test_account_inactive_pauses_the_workspace_until_auth_test_passes(
    slack: SlackHarness,
) -> None:
    first, second = slack.add_respondent("U1"), slack.add_respondent("U2")
    slack.sandbox.revoke_token("account_inactive")
    assert not (await slack.bot.dispatcher.invite_now(respondent_id=first, force=True)).sent
    posts = len(slack.sandbox.calls_to("chat.postMessage"))
    assert not (await slack.bot.dispatcher.invite_now(respondent_id=second, force=True)).sent
    assert len(slack.sandbox.calls_to("chat.postMessage")) == posts  # paused: not even tried
    assert not any(r.unreachable for r in slack.respondents())

    slack.sandbox.restore_token()
    await eventually(
        lambda: (
            slack.sandbox.calls_to("auth.test")[-1].error is None
            and slack.sandbox.messages_in("DU2")
        )
    )


async def test_app_uninstalled_pauses_sending(slack: SlackHarness) -> None:
    respondent_id = slack.add_respondent("U1")
    assert await slack.event(access_revoked_event("app_uninstalled")) == 200
    slack.sandbox.revoke_token("account_inactive")
    await slack.settled()
    result = await slack.bot.dispatcher.invite_now(respondent_id=respondent_id, force=True)
    assert not result.sent and not slack.sandbox.calls_to("chat.postMessage")
    assert not slack.respondents()[0].unreachable


async def test_digest_channel_the_bot_is_not_in_tells_the_admin_how_to_invite(
    slack: SlackHarness,
) -> None:
    reply = await slack.command("digest channel <#G0LEADERS|leadership>", user_id="UADMIN")
    assert "/invite @npsbot" in reply and "will be posted" not in reply
    assert targets(slack) == []


async def test_alerts_channel_in_a_public_channel_is_joined_first(slack: SlackHarness) -> None:
    reply = await slack.command("alerts channel <#C0CXALERTS|cx-alerts>", user_id="UADMIN")
    assert "C0CXALERTS" in reply
    assert len(slack.sandbox.calls_to("conversations.join")) == 1
    assert "U0BOT" in slack.sandbox.channel("C0CXALERTS").members


async def test_a_post_that_fails_later_is_told_to_the_admins(slack: SlackHarness) -> None:
    assert "C0ALERTS" in await slack.command("alerts channel <#C0ALERTS|alerts>", user_id="UADMIN")
    slack.sandbox.channel("C0ALERTS").members.remove("U0BOT")  # someone removed the bot
    _, question = await slack.invite()
    await slack.click(question, "nps_score_1")
    await eventually(lambda: slack.sandbox.calls_to("chat.postMessage")[-1].error)
    status = await slack.command("status", user_id="UADMIN")
    assert "/invite @npsbot" in status


async def test_trigger_api_works_on_a_fresh_install(start_bot: StartBot) -> None:
    slack = await start_bot(NPSBOT_API_TOKEN="t0ken")
    async with aiohttp.ClientSession() as http:
        answer = await http.post(
            f"http://127.0.0.1:{slack.bot.port}/api/v1/triggers",
            json={"platform": "slack", "user_id": "U1", "event": "signup"},
            headers={"Authorization": "Bearer t0ken"},
        )
        assert answer.status == 202, await answer.text()
