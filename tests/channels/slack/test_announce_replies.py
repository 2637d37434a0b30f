"""Replies to a "you said, we did" announcement on Slack, through bolt and the sandbox: the
customer's DM opens a case whose alert is labelled as the reply and whose thread gets the
message; the team answers from there. A DM is read once, in one order: the survey's
follow-up first, then an open conversation with the team, then an announcement's reply."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import select

from bot.clock import FakeClock
from bot.digest.week import Week
from bot.models import Case
from channels.sandbox.slack import PostedMessage
from channels.slack.digest_blocks import render_digest_blocks
from tests.case_rows import conversation
from tests.channels.slack.conftest import StartBot
from tests.channels.slack.harness import SlackHarness, action_ids, eventually
from tests.channels.slack.test_announce import MESSAGE, announced
from tests.channels.slack.test_cases import submit
from tests.channels.slack.test_movers import settled
from tests.phrases import EN

TUESDAY = datetime(2026, 11, 24, 11, 0, tzinfo=UTC)
HEADING = "Reply to “You said, we did” on “slow checkout”"


async def told(start_bot: StartBot, *, score: int = 8) -> tuple[SlackHarness, FakeClock]:
    """Jane (U1) answers `score` and mentions the slow checkout; the admin announces the fix
    and it reaches her. Alerts go to #alerts."""
    clock = FakeClock(TUESDAY)
    slack = await start_bot(clock=clock)
    assert "C0ALERTS" in await slack.command("alerts channel <#C0ALERTS|alerts>", user_id="UADMIN")
    _, question = await slack.invite("U1", display_name="Jane Doe")
    await slack.click(question, f"nps_score_{score}")
    await settled(slack, question)
    await slack.say("The slow checkout is painful")
    await eventually(lambda: slack.responses()[0].comment == "The slow checkout is painful")
    await slack.settled()
    clock.advance(timedelta(hours=1))
    await announced(slack)
    await slack.bot.scheduler.tick()
    await eventually(lambda: any(MESSAGE in text for text in slack.dm_texts()))
    return slack, clock


def alerts(slack: SlackHarness) -> list[PostedMessage]:
    return [m for m in slack.sandbox.messages_in("C0ALERTS") if m.thread_ts is None]


def thread(slack: SlackHarness, alert: PostedMessage) -> list[PostedMessage]:
    return [m for m in slack.sandbox.messages_in("C0ALERTS") if m.thread_ts == alert.ts]


def cases(slack: SlackHarness) -> list[Case]:
    with slack.bot.db.session() as session:
        return list(session.exec(select(Case)).all())


async def test_a_reply_opens_a_case_the_team_answers_from_its_thread(start_bot: StartBot) -> None:
    slack, clock = await told(start_bot)
    assert alerts(slack) == []  # a passive: no alert until she answers the announcement

    clock.advance(timedelta(days=2))
    assert await slack.say("Yes, much faster now. But search is slow too") == 200
    (alert,) = await eventually(lambda: alerts(slack))
    jane = slack.respondents()[0].display_name  # as her profile names her since the tick
    assert HEADING in str(alert.blocks) and "8/10" in str(alert.blocks)
    assert "The slow checkout is painful" in str(alert.blocks)  # the answer it was about
    assert alert.text == f"{jane} replied to “You said, we did” on “slow checkout”"
    (relayed,) = await eventually(lambda: thread(slack, alert))
    assert relayed.text == (
        f"{jane} replied to “You said, we did” on “slow checkout”: "
        "Yes, much faster now. But search is slow too"
    )
    assert action_ids(relayed) == ["nps_alert_reply"]
    (case,) = cases(slack)
    assert case.announcement_id is not None and case.state == "open"
    assert slack.responses()[0].comment == "The slow checkout is painful"  # not the comment

    await submit(slack, pressed=relayed, action="nps_alert_reply", text="Search is next!")
    await eventually(lambda: "ada from the Acme team:\n\nSearch is next!" in slack.dm_texts())
    await eventually(lambda: "Status: replied to" in str(alert.blocks))
    assert HEADING in str(alert.blocks)  # redrawn, still labelled as the reply

    assert await slack.say("Great, thanks") == 200  # now the conversation: "wrote"
    await eventually(lambda: len(thread(slack, alert)) == 2)
    assert thread(slack, alert)[1].text == f"{jane} wrote: Great, thanks"
    assert conversation(slack.bot.db) == [
        (False, jane, "Yes, much faster now. But search is slow too"),
        (True, "ada", "Search is next!"),
        (False, jane, "Great, thanks"),
    ]
    assert len(alerts(slack)) == 1

    digest, _ = slack.bot.digests.build(Week.of(TUESDAY.date(), "UTC"))
    _, blocks = render_digest_blocks(digest, EN)
    assert "Detractors followed up" not in str(blocks)  # a reply is no detractor's case


@pytest.mark.database
async def test_a_reply_joins_the_persons_open_case(start_bot: StartBot) -> None:
    """Jane's detractor alert is claimed but not answered: her reply to the announcement goes
    to that case's thread; no second alert, no second case."""
    slack, _ = await told(start_bot, score=3)
    (alert,) = alerts(slack)
    await slack.click(alert, "nps_alert_claim", user_id="UADMIN")
    await eventually(lambda: "Status: claimed by ada" in str(alert.blocks))

    assert await slack.say("Checkout works now") == 200
    (relayed,) = await eventually(lambda: thread(slack, alert))
    assert relayed.text.endswith("on “slow checkout”: Checkout works now")
    await slack.settled()
    assert len(alerts(slack)) == 1
    (case,) = cases(slack)
    assert case.announcement_id is None and case.claimed_by == "ada"


async def test_the_survey_followup_comes_first(start_bot: StartBot) -> None:
    """Told, then asked again: her next DM is the new answer's comment, relayed nowhere."""
    slack, clock = await told(start_bot)
    clock.advance(timedelta(days=1))
    _, question = await slack.invite("U1")
    await slack.click(question, "nps_score_9")
    await settled(slack, question)
    await slack.say("Fast checkout now")
    await eventually(lambda: slack.responses()[-1].comment == "Fast checkout now")
    await slack.settled()
    assert cases(slack) == [] and alerts(slack) == []


async def test_an_open_conversation_comes_before_the_announcement(start_bot: StartBot) -> None:
    """The team is talking with Jane about her alert when the announcement reaches her: her
    next DM is that conversation's turn ("wrote"), once."""
    slack, _ = await told(start_bot, score=3)
    (alert,) = alerts(slack)
    await submit(slack, pressed=alert, action="nps_alert_reply", text="Did the fix help?")
    await eventually(lambda: "ada from the Acme team:\n\nDid the fix help?" in slack.dm_texts())
    # The bot records the reply once Slack has taken it; Jane answers after that.
    await eventually(lambda: conversation(slack.bot.db) == [(True, "ada", "Did the fix help?")])

    assert await slack.say("It did") == 200
    (relayed,) = await eventually(lambda: thread(slack, alert))
    jane = slack.respondents()[0].display_name
    assert relayed.text == f"{jane} wrote: It did"
    await slack.settled()
    assert conversation(slack.bot.db) == [
        (True, "ada", "Did the fix help?"),
        (False, jane, "It did"),
    ]


async def test_no_case_once_the_window_after_the_announcement_closed(
    start_bot: StartBot,
) -> None:
    slack, clock = await told(start_bot)
    clock.advance(timedelta(days=7, minutes=1))  # NPSBOT_CONVERSATION_DAYS
    assert await slack.say("By the way, hello") == 200
    await slack.settled()
    assert cases(slack) == [] and alerts(slack) == []
