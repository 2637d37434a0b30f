"""Signed webhooks through a running bot: retried until the receiver takes them, in order
per person, the same event id on every try, masked in anonymous mode."""

from __future__ import annotations

import pytest
from sqlmodel import select

from bot import store
from bot.models import Job, Webhook, WebhookDelivery, Workspace
from tests.channels.slack.harness import SlackHarness, eventually
from tests.webhook_receiver import Receiver

pytestmark = pytest.mark.database  # claims, retries and ordering of deliveries

SECRET = "test-secret"


def register(slack: SlackHarness, url: str, *events: str) -> Webhook:
    with slack.bot.db.session() as session:
        webhook = store.add_webhook(
            session=session, url=url, secret=SECRET, events=list(events), now=slack.bot.clock.now()
        )
    assert webhook is not None
    return webhook


def deliveries(slack: SlackHarness) -> list[WebhookDelivery]:
    with slack.bot.db.session() as session:
        return list(session.exec(select(WebhookDelivery).order_by(WebhookDelivery.id)).all())


async def test_a_receiver_failing_twice_gets_the_event_signed_on_the_third_try(
    slack: SlackHarness,
) -> None:
    async with Receiver(500, 500) as receiver:
        register(slack, receiver.url, "response.created")
        _, question = await slack.invite(display_name="Jane Doe", plan="pro")
        assert await slack.click(question, "nps_score_3") == 200

        tries = await receiver.wait_for(3)
        assert [got.answered for got in tries] == [500, 500, 200]
        assert all(got.signed_with(SECRET) for got in tries)
        assert not tries[0].signed_with("another secret")
        assert len({got.body for got in tries}) == 1, "every retry sends the same bytes"
        event = tries[-1].event
        assert tries[-1].headers["X-Npsbot-Event"] == event["type"] == "response.created"
        assert set(event) == {"id", "type", "created_at", "data"}
        data = event["data"]
        assert data["score"] == 3 and data["category"] == "detractor"
        assert data["attributes"] == {"plan": "pro"}
        assert data["respondent"]["name"] == "Jane Doe"
        assert data["respondent"]["id"] == "U1"

        await eventually(lambda: deliveries(slack)[0].status == "delivered")
        (delivery,) = deliveries(slack)
        assert (delivery.attempts, delivery.last_status) == (3, 200)
        assert delivery.event_id == event["id"]
        await slack.bot.jobs.idle()
        with slack.bot.db.session() as session:
            assert session.exec(select(Job)).all() == [], "nothing left to send"
    assert len(receiver.received) == 3


async def test_one_persons_events_arrive_in_order_behind_a_failing_one(
    slack: SlackHarness,
) -> None:
    """The comment's event waits until the score's event got through, though it was
    written while the score's was failing."""
    async with Receiver(500, 500, 500) as receiver:
        register(slack, receiver.url)
        _, question = await slack.invite(display_name="Jane Doe")
        await slack.click(question, "nps_score_6")
        await receiver.wait_for(1)
        await eventually(lambda: any("do better" in text for text in slack.dm_texts()))
        assert await slack.say("Checkout is slow") == 200

        got = await receiver.wait_for(5)
        assert [(g.type, g.answered) for g in got] == [
            ("response.created", 500),
            ("response.created", 500),
            ("response.created", 500),
            ("response.created", 200),
            ("response.updated", 200),
        ]
        updated = got[-1].event
        assert updated["data"]["change"] == "comment"
        assert updated["data"]["comment"] == "Checkout is slow"
        ids = [g.event["id"] for g in got]
        assert len(set(ids[:4])) == 1 and ids[4] != ids[0], "one id per event, kept on retries"
        assert all(g.signed_with(SECRET) for g in got)


async def test_a_claim_and_an_opt_out_are_events_and_anonymous_mode_masks_the_person(
    slack: SlackHarness,
) -> None:
    assert "C0ALERTS" in await slack.command("alerts channel <#C0ALERTS|alerts>", user_id="UADMIN")
    async with Receiver() as receiver:
        register(slack, receiver.url, "case.claimed", "respondent.opted_out")
        _, question = await slack.invite(display_name="Jane Doe")
        with slack.bot.db.session() as session:
            for workspace in session.exec(select(Workspace)).all():
                workspace.anonymous = True
                session.add(workspace)
        await slack.click(question, "nps_score_2")
        alert = await slack.posted_alert()
        await slack.click(alert, "nps_alert_claim", user_id="UADMIN")
        (claimed,) = await receiver.wait_for(1)
        assert claimed.type == "case.claimed"
        assert claimed.event["data"]["owner"] == "ada"
        person = claimed.event["data"]["respondent"]
        assert person["name"] is None and person["id"].startswith("p-"), person
        assert "Jane" not in claimed.body and "U1" not in claimed.body

        slack.sandbox.add_user("U2", name="joe")
        _, other = await slack.invite("U2", display_name="Joe Bloggs")
        await slack.click(other, "nps_opt_out", user_id="U2")
        opted = (await receiver.wait_for(2))[1]
        assert opted.type == "respondent.opted_out"
        masked = opted.event["data"]["respondent"]
        assert masked["id"].startswith("p-") and masked["id"] != person["id"]
        assert "Joe" not in opted.body and "U2" not in opted.body
        assert await slack.command("optout <@U1>", user_id="UADMIN")
        (again,) = [got for got in await receiver.wait_for(3) if got not in (claimed, opted)]
        assert again.type == "respondent.opted_out"
        assert again.event["data"]["respondent"]["id"] == person["id"], "a stable pseudonym"
    assert [got.type for got in receiver.received] == [
        "case.claimed",
        "respondent.opted_out",
        "respondent.opted_out",
    ], "only the subscribed types, each once"


async def test_a_redirect_is_not_followed(slack: SlackHarness) -> None:
    async with Receiver() as receiver:
        register(slack, receiver.url.replace("/hook", "/moved"))
        _, question = await slack.invite()
        await slack.click(question, "nps_score_9")
        await eventually(lambda: deliveries(slack) and deliveries(slack)[0].attempts >= 2)
        (delivery,) = deliveries(slack)
        assert delivery.status == "pending" and delivery.last_status == 302
        assert receiver.received == [], "the redirect's target never heard from the bot"
