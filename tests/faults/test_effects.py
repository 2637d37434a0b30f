"""A passing platform error delays only its own effect: each effect of a score is a job."""

from __future__ import annotations

from sqlmodel import select

from bot.models import Job
from tests.channels.slack.harness import SlackHarness, eventually, has_buttons


async def test_chat_update_failing_does_not_hold_back_the_followup_or_the_alert(
    slack: SlackHarness,
) -> None:
    assert "C0ALERTS" in await slack.command("alerts channel <#C0ALERTS|alerts>", user_id="UADMIN")
    _, question = await slack.invite(display_name="Jane Doe")
    slack.sandbox.fail_next("chat.update", status=500, count=4)

    assert await slack.click(question, "nps_score_2") == 200
    alert = await slack.posted_alert()
    assert "2/10" in str(alert.blocks)
    await eventually(lambda: any("do better" in text for text in slack.dm_texts()))
    assert has_buttons(question), "the edit is still failing"

    # Once chat.update answers again, the retried edit lands, once, and the queue is empty.
    await eventually(lambda: not has_buttons(question), timeout=10)
    failed = [call for call in slack.sandbox.calls_to("chat.update") if call.status == 500]
    assert len(failed) == 4
    await slack.bot.jobs.idle()
    with slack.bot.db.session() as session:
        assert session.exec(select(Job)).all() == []
    assert len(slack.sandbox.messages_in("C0ALERTS")) == 1
