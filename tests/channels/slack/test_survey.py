"""The survey in a DM, end to end: signed requests -> bolt -> core -> Web API calls."""

from __future__ import annotations

import asyncio
import copy
import time
from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import select

from bot.clock import FakeClock
from bot.models import Invitation, InvitationStatus, ProcessedEvent, Respondent
from channels.sandbox.slack_payloads import message_event
from scoring.sentiment import analyse
from tests.channels.slack.conftest import StartBot
from tests.channels.slack.harness import SlackHarness, eventually, has_buttons
from tests.phrases import phrase


async def test_invitation_has_scale_opt_out_and_remind(slack: SlackHarness) -> None:
    invitation_id, message = await slack.invite()

    assert message.channel == "DU1" and "Acme" in (message.text or "")
    assert slack.sandbox.calls_to("chat.postMessage")[0].params["channel"] == "U1"
    assert not slack.sandbox.calls_to("conversations.open")  # Tier 3: never in a pass
    blocks = message.blocks or []
    scores = [
        element
        for block in blocks
        if block["type"] == "actions" and block["block_id"].startswith("nps_scores_")
        for element in block["elements"]
    ]
    assert [b["text"]["text"] for b in scores] == [str(n) for n in range(11)]
    assert [b["value"] for b in scores] == [f"{invitation_id}:{n}" for n in range(11)]
    assert all(str(invitation_id) in block["block_id"] for block in blocks if "block_id" in block)
    context = next(block for block in blocks if block["type"] == "context")
    assert context["elements"][0]["text"] == "0 = not at all likely / 10 = extremely likely"
    labels = [e["text"]["text"] for e in blocks[-1]["elements"]]
    assert labels == ["Don't ask me again", "Remind me later"]


async def test_score_then_comment_records_one_response(slack: SlackHarness) -> None:
    _, question = await slack.invite()

    assert await slack.click(question, "nps_score_8") == 200
    response = (await eventually(slack.responses))[0]
    assert response.score == 8
    await eventually(lambda: question.edits == 1)
    assert not has_buttons(question)
    assert phrase("survey.answered", score=8) in str(question.blocks)
    followup = await eventually(lambda: slack.sandbox.messages_in("DU1")[1:])
    assert "make it a 10" in (followup[0].text or "") and has_buttons(followup[0])

    bot_echo = message_event(user_id="U0BOT", text="What would make it a 10?", channel_id="DU1")
    assert await slack.event(bot_echo) == 200  # the bot's own DM is not an answer
    assert await slack.say("fast support but pricey") == 200
    await eventually(lambda: slack.responses()[0].comment)
    (response,) = slack.responses()
    assert (response.score, response.comment, response.followup) == (
        8,
        "fast support but pricey",
        "done",
    )
    assert response.polarity == pytest.approx(analyse("fast support but pricey").polarity)
    await eventually(lambda: phrase("survey.thanks") in slack.dm_texts())


@pytest.mark.database
async def test_a_click_before_the_bot_hears_back_from_its_send_is_answered(
    slack: SlackHarness,
) -> None:
    """Slack shows the question before it answers the post (held here for 2 s): a click in
    that moment still gets its score shown and the follow-up, on the message it was made on."""
    person = slack.add_respondent("U1")
    slack.sandbox.answer_late("chat.postMessage", delay=2.0)
    sending = asyncio.create_task(slack.bot.dispatcher.invite_now(respondent_id=person, force=True))
    (question,) = await eventually(lambda: slack.sandbox.messages_in("DU1"))

    assert await slack.click(question, "nps_score_8") == 200
    await eventually(lambda: question.edits == 1)
    assert phrase("survey.answered", score=8) in str(question.blocks)
    followup = await eventually(lambda: slack.sandbox.messages_in("DU1")[1:])
    assert "make it a 10" in (followup[0].text or "")
    assert (await sending).sent
    assert [r.score for r in slack.responses()] == [8]


@pytest.mark.database
async def test_an_invitation_answered_before_its_send_is_recorded_stays_answered(
    slack: SlackHarness,
) -> None:
    """The click is stored while Slack still holds the post's answer (2 s); the send's outcome,
    written after it, adds when and where it was sent but does not turn it back to `sent`."""
    person = slack.add_respondent("U1")
    slack.sandbox.answer_late("chat.postMessage", delay=2.0)
    sending = asyncio.create_task(slack.bot.dispatcher.invite_now(respondent_id=person, force=True))
    (question,) = await eventually(lambda: slack.sandbox.messages_in("DU1"))
    assert await slack.click(question, "nps_score_8") == 200
    await eventually(slack.responses)
    assert not sending.done()  # the answer to the post is still held

    assert (await sending).sent
    with slack.bot.db.session() as session:
        (invitation,) = session.exec(select(Invitation)).all()
    assert invitation.status == InvitationStatus.ANSWERED
    assert invitation.sent_at is not None and invitation.message_ref == question.ts


async def test_forged_and_stale_requests_are_refused(slack: SlackHarness) -> None:
    _, question = await slack.invite()
    stale = int(time.time()) - 301

    assert await slack.click(question, "nps_score_9", signing_secret="forged") == 401
    assert await slack.click(question, "nps_score_9", timestamp=stale) == 401
    assert await slack.say("forged comment", signing_secret="forged") == 401
    assert await slack.say("replayed comment", timestamp=stale) == 401

    await slack.settled()
    assert slack.responses() == []
    assert slack.sandbox.calls_to("chat.update") == []
    with slack.bot.db.session() as session:
        assert session.exec(select(ProcessedEvent)).all() == []


@pytest.mark.database
async def test_retries_replays_and_double_clicks_record_once(slack: SlackHarness) -> None:
    _, question = await slack.invite()
    as_first_seen = copy.deepcopy(question)  # a double click lands before the update does

    await slack.click(question, "nps_score_8", trigger_id="1.2.replayed")
    await eventually(slack.responses)
    await slack.click(as_first_seen, "nps_score_8", trigger_id="1.2.replayed")
    await slack.click(as_first_seen, "nps_score_8")
    await slack.say("fast support but pricey", event_id="EvCOMMENT")
    await eventually(lambda: slack.responses()[0].comment)
    assert await slack.say("fast support but pricey", event_id="EvCOMMENT", retry_num=1) == 200

    await slack.settled()
    (response,) = slack.responses()
    assert response.score == 8 and response.comment == "fast support but pricey"
    assert question.edits == 1
    assert slack.dm_texts().count(phrase("survey.thanks")) == 1
    assert len([t for t in slack.dm_texts() if "make it a 10" in t]) == 1


async def test_people_never_see_internal_reasons(slack: SlackHarness) -> None:
    _, question = await slack.invite()
    as_first_seen = copy.deepcopy(question)

    await slack.click(question, "nps_score_8", trigger_id="1.2.replayed")
    await eventually(slack.responses)
    await slack.click(as_first_seen, "nps_score_8", trigger_id="1.2.replayed")
    await slack.click(as_first_seen, "nps_score_8")

    await slack.settled()
    assert [post.body["text"] for post in slack.sandbox.response_url_posts] == []


async def test_click_after_expiry_is_refused(start_bot: StartBot) -> None:
    clock = FakeClock(datetime.now(UTC))
    slack = await start_bot(clock=clock)
    _, question = await slack.invite()
    clock.advance(timedelta(days=8))

    assert await slack.click(question, "nps_score_10") == 200
    await eventually(lambda: any("closed" in text for text in slack.dm_texts()))
    await slack.settled()
    assert slack.responses() == []
    assert has_buttons(question) and question.edits == 0


@pytest.mark.database
async def test_rate_limited_invitation_arrives_once(slack: SlackHarness) -> None:
    slack.sandbox.fail_next("chat.postMessage", status=429, retry_after=1)

    await slack.invite()

    calls = slack.sandbox.calls_to("chat.postMessage")
    assert [c.status for c in calls] == [429, 200]
    assert calls[1].at - calls[0].at >= 1.0
    assert len(slack.sandbox.messages_in("DU1")) == 1


async def test_remind_later_then_skip_the_followup(slack: SlackHarness) -> None:
    _, question = await slack.invite()
    await slack.click(question, "nps_remind_later")
    post = await eventually(lambda: slack.sandbox.response_url_posts)
    assert "ask again in a day" in post[0].body["text"]

    await slack.click(question, "nps_score_10")
    followup = (await eventually(lambda: slack.sandbox.messages_in("DU1")[1:]))[0]
    await slack.click(followup, "nps_skip")
    await eventually(lambda: phrase("survey.thanks_score") in slack.dm_texts())
    assert slack.responses()[0].followup == "skipped"


async def test_opt_out_button(slack: SlackHarness) -> None:
    _, question = await slack.invite()

    await slack.click(question, "nps_opt_out")
    await eventually(lambda: phrase("survey.opted_out") in slack.dm_texts())
    (respondent,) = slack.respondents()
    assert isinstance(respondent, Respondent) and respondent.opted_out


async def test_deactivated_user_is_marked_unreachable(slack: SlackHarness) -> None:
    slack.sandbox.add_user("UGONE", deleted=True)
    respondent_id = slack.add_respondent("UGONE")

    result = await slack.bot.dispatcher.invite_now(respondent_id=respondent_id, force=True)

    assert not result.sent
    (respondent,) = slack.respondents()
    assert respondent.unreachable and "user_disabled" in (respondent.unreachable_reason or "")
