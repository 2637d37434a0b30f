"""An alert's case in Slack, through bolt and the sandbox: claimed, answered by modal, the
customer's next DMs relayed into the alert's thread, answered again from the thread,
resolved with a note, counted in the digest; the SLA reminder in the thread."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.clock import FakeClock
from bot.digest.week import Week
from channels.sandbox.slack import PostedMessage
from channels.sandbox.slack_payloads import message_event
from channels.slack.digest_blocks import render_digest_blocks
from tests.case_rows import conversation, the_case
from tests.channels.slack.conftest import StartBot
from tests.channels.slack.harness import SlackHarness, action_ids, eventually
from tests.phrases import EN

pytestmark = (
    pytest.mark.database
)  # the only cover of the case store (claim, reply, resolve, reopen)


TUESDAY = datetime(2026, 11, 24, 11, 0, tzinfo=UTC)


async def detractor(slack: SlackHarness) -> PostedMessage:
    """Jane scores 2 and comments; returns the alert once it shows the comment."""
    assert "C0ALERTS" in await slack.command("alerts channel <#C0ALERTS|alerts>", user_id="UADMIN")
    _, question = await slack.invite(display_name="Jane Doe")
    await slack.click(question, "nps_score_2")
    alert = await slack.posted_alert()
    assert await slack.say("checkout is broken") == 200
    await eventually(lambda: "checkout is broken" in str(alert.blocks))
    return alert


async def submit(slack: SlackHarness, *, pressed: PostedMessage, action: str, text: str) -> None:
    """A teammate presses `action` on a message, and submits its modal with `text`."""
    before = len(slack.sandbox.views)
    await slack.click(pressed, action, user_id="UADMIN", trigger_id=f"1.{before}.{action}")
    modal = (await eventually(lambda: list(slack.sandbox.views.values())[before:]))[0]
    status, _ = await slack.signer.deliver_view_submission(
        slack.url,
        user_id="UADMIN",
        callback_id=modal["callback_id"],
        private_metadata=modal["private_metadata"],
        values={"nps_reply": {"text": text}},
    )
    assert status == 200


def thread(slack: SlackHarness, alert: PostedMessage) -> list[PostedMessage]:
    return [m for m in slack.sandbox.messages_in("C0ALERTS") if m.thread_ts == alert.ts]


async def test_a_case_from_alert_to_resolution_with_a_conversation(start_bot: StartBot) -> None:
    clock = FakeClock(TUESDAY)
    slack = await start_bot(clock=clock)
    alert = await detractor(slack)
    assert "Status: open" in str(alert.blocks)
    await slack.click(alert, "nps_alert_claim", user_id="UADMIN")
    await eventually(lambda: "Status: claimed by ada at 2026-11-24 11:00 UTC" in str(alert.blocks))

    clock.advance(timedelta(hours=2, minutes=5))
    await submit(slack, pressed=alert, action="nps_alert_reply", text="Which browser?")
    await eventually(lambda: "ada from the Acme team:\n\nWhich browser?" in slack.dm_texts())
    await eventually(lambda: "first reply at 2026-11-24 13:05 UTC" in str(alert.blocks))

    assert await slack.say("still broken") == 200
    (relayed,) = await eventually(lambda: thread(slack, alert))
    assert relayed.text == "Jane Doe wrote: still broken"
    assert action_ids(relayed) == ["nps_alert_reply"]
    own = message_event(user_id="U0BOT", text="ada from the Acme team: ...", channel_id="DU1")
    assert await slack.event(own | {"bot_id": "B0BOT"}) == 200  # the bot's own DM: no loop
    assert slack.responses()[0].comment == "checkout is broken"

    await submit(slack, pressed=relayed, action="nps_alert_reply", text="A fix ships today.")
    await eventually(lambda: "ada from the Acme team:\n\nA fix ships today." in slack.dm_texts())

    await submit(slack, pressed=alert, action="nps_alert_resolve", text="refunded")
    await eventually(lambda: "Note: refunded" in str(alert.blocks))
    assert "Status: resolved by ada at 2026-11-24 13:05 UTC" in str(alert.blocks)
    assert action_ids(alert) == ["nps_alert_reply"]
    assert await eventually(lambda: "Resolved by ada." in slack.dm_texts("UADMIN"))
    assert len(thread(slack, alert)) == 1
    assert conversation(slack.bot.db) == [
        (True, "ada", "Which browser?"),
        (False, "Jane Doe", "still broken"),
        (True, "ada", "A fix ships today."),
    ]
    assert the_case(slack.bot.db).resolution_note == "refunded"

    digest, _ = slack.bot.digests.build(Week.of(TUESDAY.date(), "UTC"))
    _, blocks = render_digest_blocks(digest, EN)
    shown = str(blocks)
    assert "Detractors followed up: 1 of 1 claimed (100%), 1 of 1 replied to (100%)" in shown
    assert "median time to first reply 2 h 5 min · open cases: 0" in shown


async def test_the_customer_writing_back_reopens_a_resolved_case(start_bot: StartBot) -> None:
    clock = FakeClock(TUESDAY)
    slack = await start_bot(clock=clock)
    alert = await detractor(slack)
    await submit(slack, pressed=alert, action="nps_alert_reply", text="Fixed now, sorry!")
    await eventually(lambda: "ada from the Acme team:\n\nFixed now, sorry!" in slack.dm_texts())
    await submit(slack, pressed=alert, action="nps_alert_resolve", text="fixed")
    await eventually(lambda: "Note: fixed" in str(alert.blocks))

    clock.advance(timedelta(days=2))
    assert await slack.say("it broke again") == 200
    (relayed,) = await eventually(lambda: thread(slack, alert))
    assert relayed.text == "Jane Doe wrote: it broke again"
    await eventually(lambda: "resolved" not in str(alert.blocks))
    assert "Note: fixed" not in str(alert.blocks)
    assert "nps_alert_resolve" in action_ids(alert)
    case = the_case(slack.bot.db)
    assert (case.state, case.resolved_by, case.resolution_note) == ("replied", None, None)


async def test_an_unclaimed_alert_gets_one_reminder_in_its_thread(start_bot: StartBot) -> None:
    clock = FakeClock(TUESDAY)
    slack = await start_bot(clock=clock, NPSBOT_ALERT_SLA_HOURS="4")
    alert = await detractor(slack)
    clock.advance(timedelta(hours=4, minutes=1))
    assert await slack.bot.case_threads.remind_due() == 1
    assert await slack.bot.case_threads.remind_due() == 0
    (reminder,) = await eventually(lambda: thread(slack, alert))
    assert reminder.text == "Nobody has claimed this alert in 4 hours. Who can follow up?"
    await slack.bot.jobs.idle()
    assert len(thread(slack, alert)) == 1
