"""Detractor alerts in Slack: posted, claimed, answered through a modal, relayed by DM."""

from __future__ import annotations

import dataclasses

import pytest

from tests.case_rows import conversation, the_case
from tests.channels.slack.harness import SlackHarness, action_ids, button, eventually, has_buttons


async def test_detractor_alert_claim_and_reply(slack: SlackHarness) -> None:
    assert "C0ALERTS" in await slack.command("alerts channel <#C0ALERTS|alerts>", user_id="UADMIN")
    _, question = await slack.invite(display_name="Jane Doe", plan="pro")

    await slack.click(question, "nps_score_3")
    alert = await slack.posted_alert()
    (response,) = slack.responses()
    shown = str(alert.blocks)
    assert "3/10" in shown and "Jane Doe" in shown and "*plan*\\npro" in shown
    assert button(alert, "nps_alert_claim")[1] == str(response.id)

    await slack.click(alert, "nps_alert_claim", user_id="UADMIN")
    await eventually(lambda: "ada is following up" in str(alert.blocks))
    assert the_case(slack.bot.db).claimed_by == "ada"
    await eventually(
        lambda: [
            p for p in slack.sandbox.response_url_posts if p.body["text"] == "ada will follow up."
        ]
    )
    assert action_ids(alert) == ["nps_alert_reply", "nps_alert_resolve"]

    await slack.click(alert, "nps_alert_reply", user_id="UADMIN", trigger_id="1.2.reply")
    (modal,) = await eventually(lambda: list(slack.sandbox.views.values()))
    assert slack.sandbox.calls_to("views.open")[0].params["trigger_id"] == "1.2.reply"
    assert modal["callback_id"] == "nps_alert_reply"
    assert modal["private_metadata"] == f"{response.id} C0ALERTS"

    status, _ = await slack.signer.deliver_view_submission(
        slack.url,
        user_id="UADMIN",
        callback_id=modal["callback_id"],
        private_metadata=modal["private_metadata"],
        values={"nps_reply": {"text": "Sorry about that, a fix ships Monday."}},
    )
    assert status == 200
    relayed = await eventually(lambda: [t for t in slack.dm_texts() if "fix ships" in t])
    assert relayed[0].startswith("ada from the Acme team:")
    await eventually(
        lambda: (
            conversation(slack.bot.db) == [(True, "ada", "Sorry about that, a fix ships Monday.")]
        )
    )
    await eventually(lambda: "Reply sent" in str(alert.blocks))
    assert await eventually(lambda: "Your reply was delivered." in slack.dm_texts("UADMIN"))


async def test_promoters_raise_no_alert(slack: SlackHarness) -> None:
    await slack.command("alerts here", user_id="UADMIN", channel_id="C0ALERTS")
    _, question = await slack.invite()

    await slack.click(question, "nps_score_9")
    await eventually(lambda: not has_buttons(question))
    assert slack.sandbox.messages_in("C0ALERTS") == []


async def test_alert_actions_from_another_channel_are_refused(slack: SlackHarness) -> None:
    """A signed block action naming the alert's response but sent from the person's DM (the
    payload's channel is the sender's to choose): refused in one line, nothing changes."""
    assert "C0ALERTS" in await slack.command("alerts channel <#C0ALERTS|alerts>", user_id="UADMIN")
    _, question = await slack.invite(display_name="Jane Doe")
    await slack.click(question, "nps_score_2")
    alert = await slack.posted_alert()
    forged = dataclasses.replace(alert, channel="DU1")
    for action in ("nps_alert_claim", "nps_alert_reply"):
        await slack.click(forged, action, user_id="U1", trigger_id="1.2.forged")

    def refusals() -> list[object]:
        return [
            post
            for post in slack.sandbox.response_url_posts
            if post.body["text"].startswith("Only members of this workspace's alerts")
        ]

    await eventually(lambda: len(refusals()) == 2)
    assert the_case(slack.bot.db).claimed_by is None
    assert not slack.sandbox.views and not slack.sandbox.calls_to("views.open")
    assert alert.edits == 0


@pytest.mark.database
async def test_a_claim_pressed_the_moment_the_alert_shows_is_taken(slack: SlackHarness) -> None:
    """The case is open before the alert is posted: Slack shows the message before the bot
    hears back (held here for 2 s), and a teammate can press Claim in that moment."""
    assert "C0ALERTS" in await slack.command("alerts channel <#C0ALERTS|alerts>", user_id="UADMIN")
    _, question = await slack.invite(display_name="Jane Doe")
    slack.sandbox.answer_late("chat.postMessage", delay=2.0, count=2)  # the follow-up and the alert

    await slack.click(question, "nps_score_3")
    (alert,) = await eventually(lambda: slack.sandbox.messages_in("C0ALERTS"))
    await slack.click(alert, "nps_alert_claim", user_id="UADMIN")

    await eventually(lambda: "ada is following up" in str(alert.blocks))
    assert the_case(slack.bot.db).claimed_by == "ada"
    assert len(slack.sandbox.messages_in("C0ALERTS")) == 1, "one alert, updated in place"
