"""A question whose post answer was lost, reconciled to `sent`, then clicked: the click finds
its message (the reconciled ts), which is updated in place, and the follow-up is asked."""

from __future__ import annotations

from datetime import timedelta

import aiohttp
import pytest
from sqlmodel import select

from bot.clock import SystemClock
from bot.models import Invitation, InvitationStatus
from scheduling.reconcile import Reconciler
from tests.channels.slack.harness import SlackHarness, eventually

pytestmark = pytest.mark.database  # replays


def impatient() -> aiohttp.ClientSession:
    """A session that gives up on an answer after 0.3 s."""
    return aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=0.3))


async def test_a_click_on_a_reconciled_question_updates_that_message(slack: SlackHarness) -> None:
    sandbox, bot = slack.sandbox, slack.bot
    respondent_id = slack.add_respondent("U1")
    client = bot.adapters["slack"].client  # type: ignore[attr-defined]  # Adapter has no client; Slack does
    sandbox.answer_late("chat.postMessage", delay=1.0)  # posted; the answer comes too late
    shared, client.session = client.session, impatient()  # the running session's timeout rules
    try:
        result = await bot.dispatcher.invite_now(respondent_id=respondent_id, force=True)
    finally:
        await client.session.close()
        client.session = shared
    assert not result.sent and "not resent" in result.reason
    (question,) = sandbox.messages_in("DU1")

    reconciler = Reconciler(
        db=bot.db,
        channels=bot.dispatcher.channels,
        clock=SystemClock(),
        worker="reconciler",
        settle=timedelta(0),
    )
    assert (await reconciler.run()).found == 1
    with bot.db.session() as session:
        (invitation,) = session.exec(select(Invitation)).all()
        assert invitation.status == InvitationStatus.SENT
        assert (invitation.chat_ref, invitation.message_ref) == ("DU1", question.ts)

    await slack.click(question, "nps_score_3")
    await slack.settled()
    await eventually(lambda: question.edits == 1)  # the buttons give way to the score
    await eventually(lambda: len(sandbox.messages_in("DU1")) == 2)  # the follow-up
    assert [r.score for r in slack.responses()] == [3]
