"""Mover alerts in Slack: a person's own drop raises an alert even above 6, labelled with the
move; detractor alerts say what the person gave before; `/nps alerts movers` sets it."""

from __future__ import annotations

import copy
from datetime import timedelta

import pytest
from sqlmodel import select

from bot import store
from bot.admin_parse import USAGE
from bot.models import Response
from channels.sandbox.slack import PostedMessage
from tests.channels.slack.harness import SlackHarness, eventually

pytestmark = pytest.mark.database  # the only cover of the previous-score query movers are found by


async def answered(slack: SlackHarness, score: int, *, user_id: str = "U1") -> PostedMessage:
    """Invite the person, let them click `score`, wait until every effect of it has run, and
    move the answer back a quarter (the next invitation is then "this quarter")."""
    _, question = await slack.invite(user_id, display_name="Jane Doe")
    await slack.click(question, f"nps_score_{score}", user_id=user_id)
    await settled(slack, question)
    with slack.bot.db.session() as session:
        for response in session.exec(select(Response)).all():
            assert response.answered_at is not None
            response.answered_at -= timedelta(days=91)
            session.add(response)
        session.commit()
    return question


async def settled(slack: SlackHarness, question: PostedMessage, edits: int = 1) -> None:
    """The click's transaction is written (the score shows) and all its jobs have run."""
    await eventually(lambda: question.edits >= edits)

    def idle() -> bool:
        with slack.bot.db.session() as session:
            return store.pending_jobs(session=session) == 0

    await eventually(idle)


def alerts(slack: SlackHarness) -> list[PostedMessage]:
    return slack.sandbox.messages_in("C0ALERTS")


async def test_a_promoter_who_gives_7_raises_one_mover_alert(slack: SlackHarness) -> None:
    await slack.command("alerts here", user_id="UADMIN", channel_id="C0ALERTS")
    await answered(slack, 10)
    assert alerts(slack) == []

    _, question = await slack.invite("U1")
    await slack.click(question, "nps_score_7")
    (alert,) = await eventually(lambda: alerts(slack))
    assert alert.blocks is not None and alert.blocks[0]["text"]["text"] == "Mover alert: 10 -> 7"
    assert alert.text == "Mover alert: Jane Doe went 10 -&gt; 7"  # Slack shows "->"
    assert "7/10" in str(alert.blocks) and "previously" not in str(alert.blocks)
    assert [r.previous_score for r in slack.responses()] == [None, 10]

    await slack.say("checkout got slow")
    await eventually(lambda: "checkout got slow" in str(alert.blocks))
    await settled(slack, question)
    assert len(alerts(slack)) == 1


async def test_a_detractor_alert_shows_the_previous_score(slack: SlackHarness) -> None:
    await slack.command("alerts here", user_id="UADMIN", channel_id="C0ALERTS")
    await answered(slack, 4)
    (first,) = alerts(slack)
    assert "previously" not in str(first.blocks)

    _, question = await slack.invite("U1")
    await slack.click(question, "nps_score_3")
    second = (await eventually(lambda: alerts(slack)[1:]))[0]
    assert second.blocks is not None
    assert second.blocks[0]["text"]["text"] == "Detractor alert"
    assert "3/10 (previously 4)" in str(second.blocks)
    assert second.text == "Detractor alert: Jane Doe answered 3/10"


async def test_a_drop_below_the_points_or_a_passive_staying_one_is_no_move(
    slack: SlackHarness,
) -> None:
    await slack.command("alerts here", user_id="UADMIN", channel_id="C0ALERTS")
    await answered(slack, 8)
    _, question = await slack.invite("U1")
    await slack.click(question, "nps_score_7")
    await settled(slack, question)
    assert alerts(slack) == []

    reply = await slack.command("alerts movers 1", user_id="UADMIN")
    assert reply.startswith("Mover alerts are on: a fall of 1 or more points")
    _, question = await slack.invite("U1")
    as_first_seen = copy.deepcopy(question)  # still with its buttons, as a re-click sees it
    await slack.click(question, "nps_score_6")  # a detractor: the usual alert
    await settled(slack, question)
    await slack.click(as_first_seen, "nps_score_7")  # a re-click: 7 against 7 is no move
    alert = (await eventually(lambda: alerts(slack)))[0]
    await settled(slack, question, edits=2)
    assert (len(alerts(slack)), slack.responses()[-1].previous_score) == (1, 7)
    assert "Detractor alert" in str(alert.blocks) and "7/10 (previously 7)" in str(alert.blocks)


async def test_movers_off_raises_no_mover_alert(slack: SlackHarness) -> None:
    await slack.command("alerts here", user_id="UADMIN", channel_id="C0ALERTS")
    reply = await slack.command("alerts movers off", user_id="UADMIN")
    assert reply == "Mover alerts are off: only detractors raise alerts."
    assert "mover alerts off" in await slack.command("status", user_id="UADMIN")
    await answered(slack, 10)

    _, question = await slack.invite("U1")
    await slack.click(question, "nps_score_7")
    await settled(slack, question)
    assert alerts(slack) == []

    assert (await slack.command("alerts movers on", user_id="UADMIN")).startswith(
        "Mover alerts are on: a fall of 3 or more"
    )
    assert "mover alerts on (a fall of 3+ points" in await slack.command("status", user_id="UADMIN")


async def test_a_reclick_within_one_invitation_is_no_move(slack: SlackHarness) -> None:
    await slack.command("alerts here", user_id="UADMIN", channel_id="C0ALERTS")
    _, question = await slack.invite("U1")
    as_first_seen = copy.deepcopy(question)
    await slack.click(question, "nps_score_10")
    await settled(slack, question)
    await slack.click(as_first_seen, "nps_score_7")
    await settled(slack, question, edits=2)
    assert [(r.score, r.previous_score) for r in slack.responses()] == [(7, None)]
    assert alerts(slack) == []


async def test_bad_mover_settings_are_refused_in_one_line(slack: SlackHarness) -> None:
    usage = f"Usage: {USAGE['alerts']}"
    assert usage.endswith("/nps alerts movers on|off|<points>")
    for text in ("alerts movers", "alerts movers 0", "alerts movers 11", "alerts movers lots"):
        assert await slack.command(text, user_id="UADMIN") == usage
    assert await slack.command("alerts movers 2", user_id="U2") == (
        "Sorry, only npsbot admins can change surveys. Ask a workspace admin, or see /nps help."
    )
    with slack.bot.db.session() as session:
        (workspace,) = store.list_workspaces(session=session)
    assert (workspace.mover_alerts, workspace.mover_points) == (True, 3)
