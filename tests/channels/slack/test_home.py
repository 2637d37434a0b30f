"""The App Home through the real bolt stack: the team's live report, a person's privacy view,
and the Home's buttons (claim, opt out, export, delete after Slack's confirmation)."""

from __future__ import annotations

from typing import Any

from sqlmodel import select

from bot.models import Case, Respondent
from channels.sandbox.slack_home import home_button
from tests.channels.slack.conftest import StartBot
from tests.channels.slack.harness import SlackHarness, eventually

BUILD = 30.0
"""A first report starts the chart's worker process: seconds on a busy machine."""
SCORES = [10, 10, 10, 9, 9, 8, 7, 3, 2, 10]
"""6 promoters, 2 passives, 2 detractors: NPS +40 with n = 10."""


async def answer_all(slack: SlackHarness, scores: list[int]) -> None:
    for i, score in enumerate(scores):
        user = f"UR{i}"
        slack.sandbox.add_user(user, name=f"resp{i}")
        _, question = await slack.invite(user, display_name=f"Resp {i}")
        await slack.click(question, f"nps_score_{score}", user_id=user)
    await eventually(lambda: len(slack.responses()) == len(scores))


async def open_home(slack: SlackHarness, user_id: str) -> dict[str, Any]:
    """Open the Home tab and return the view published for it (a new one each time)."""
    key = f"VHOME{user_id}"
    before = slack.sandbox.views.get(key)
    status, _ = await slack.signer.deliver_home_opened(slack.url, user_id=user_id)
    assert status == 200
    return await eventually(
        lambda: (view := slack.sandbox.views.get(key)) is not before and view, BUILD
    )


async def start_admin_view(slack: SlackHarness, user_id: str) -> None:
    """A workspace admin (not in NPSBOT_ADMINS) opens the Home and gets the team's view."""
    slack.sandbox.state.users[user_id]["is_admin"] = True
    assert "This week so far" in shown(await open_home(slack, user_id))


async def commented_and_home_opened(slack: SlackHarness) -> None:
    """Jane scores 4 and comments, then opens her Home."""
    _, question = await slack.invite("U1", display_name="Jane Doe")
    await slack.click(question, "nps_score_4")
    await slack.say("Checkout keeps failing")
    await eventually(lambda: slack.responses()[0].comment)
    await open_home(slack, "U1")


def shown(view: dict[str, Any]) -> str:
    return str(view["blocks"])


async def test_admin_sees_this_weeks_nps_with_interval_and_n(slack: SlackHarness) -> None:
    await answer_all(slack, SCORES)
    view = await open_home(slack, "UADMIN")
    assert view["type"] == "home"
    text = shown(view)
    assert "NPS +40" in text and "n = 10" in text and "95% interval" in text
    assert "Last 12 weeks" in text and "Open cases (0)" in text
    assert "Don't ask me again" not in text


async def test_opening_again_reuses_the_report_and_the_published_view(slack: SlackHarness) -> None:
    await answer_all(slack, SCORES[:3])
    await open_home(slack, "UADMIN")
    status, _ = await slack.signer.deliver_home_opened(slack.url, user_id="UADMIN")
    assert status == 200
    await slack.settled()  # the unchanged view is not published again
    slack.sandbox.add_user("UOPS", name="ops")
    await start_admin_view(slack, "UOPS")
    assert slack.bot.reports.builds == 1
    assert [c.params["user_id"] for c in slack.sandbox.calls_to("views.publish")] == [
        "UADMIN",
        "UOPS",
    ]


async def test_a_team_lead_in_the_alerts_channel_sees_the_report(slack: SlackHarness) -> None:
    assert "C0ALERTS" in await slack.command("alerts channel <#C0ALERTS|alerts>", user_id="UADMIN")
    slack.sandbox.add_user("ULEAD", name="lea")
    slack.sandbox.channel("C0ALERTS").members.append("ULEAD")
    view = await open_home(slack, "ULEAD")
    assert "This week so far" in shown(view)
    assert view["private_metadata"] == "C0ALERTS"


async def test_the_messages_tab_publishes_nothing(slack: SlackHarness) -> None:
    status, _ = await slack.signer.deliver_home_opened(slack.url, user_id="U2", tab="messages")
    assert status == 200
    await eventually(lambda: slack.sandbox.http_deliveries[-1].acked)
    await open_home(slack, "U2")
    assert len(slack.sandbox.calls_to("views.publish")) == 1


async def test_a_customer_sees_what_is_stored_and_their_rights(slack: SlackHarness) -> None:
    _, question = await slack.invite("U1", display_name="Jane Doe")
    await slack.click(question, "nps_score_9")
    view = await open_home(slack, "U1")
    text = shown(view)
    assert "About this app" in text and "Acme uses this app" in text
    assert "Name: Jane Doe" in text and "Answers: 1, comments: 0" in text
    assert "This week so far" not in text
    _, forget = home_button(view, "nps_home_forget")
    assert forget["style"] == "danger" and forget["confirm"]["confirm"]["text"] == "Delete"
    home_button(view, "nps_home_export")
    home_button(view, "nps_home_opt_out")


async def test_someone_never_asked_is_told_nothing_is_stored(slack: SlackHarness) -> None:
    view = await open_home(slack, "U2")
    assert "Nothing: you have not been asked yet." in shown(view)
    assert not [b for b in view["blocks"] if b["type"] == "actions"]


async def test_opt_out_from_the_home(slack: SlackHarness) -> None:
    slack.add_respondent("U1", display_name="Jane Doe")
    first = await open_home(slack, "U1")
    status, _ = await slack.signer.deliver_home_action(
        slack.url, user_id="U1", action_id="nps_home_opt_out"
    )
    assert status == 200
    await eventually(lambda: slack.respondents()[0].opted_out)
    redrawn = await eventually(
        lambda: (view := slack.sandbox.views["VHOMEU1"]) is not first and view
    )
    assert "You opted out" in shown(redrawn)
    assert "nps_home_opt_out" not in shown(redrawn)


async def test_export_sends_the_person_their_data_as_a_file(slack: SlackHarness) -> None:
    await commented_and_home_opened(slack)
    await slack.signer.deliver_home_action(slack.url, user_id="U1", action_id="nps_home_export")
    (upload,) = await eventually(lambda: slack.sandbox.uploaded_files)
    assert upload.channel == "DU1" and upload.filename == "npsbot-my-data.json"
    assert b"Checkout keeps failing" in upload.data and b"Jane Doe" in upload.data


async def test_delete_after_the_confirmation_erases_the_person(slack: SlackHarness) -> None:
    await commented_and_home_opened(slack)
    await slack.signer.deliver_home_action(slack.url, user_id="U1", action_id="nps_home_forget")
    await eventually(lambda: "Your data was deleted" in " ".join(slack.dm_texts()))
    with slack.bot.db.session() as session:
        (row,) = session.exec(select(Respondent)).all()
    assert row.display_name is None and row.platform_user_id.startswith("forgotten-")
    (response,) = slack.responses()
    assert response.comment is None and response.score == 4
    redrawn = await eventually(
        lambda: "Nothing: you have not" in shown(slack.sandbox.views["VHOMEU1"])
    )
    assert redrawn


async def test_claim_from_the_home_claims_the_alert(slack: SlackHarness) -> None:
    assert "C0ALERTS" in await slack.command("alerts channel <#C0ALERTS|alerts>", user_id="UADMIN")
    _, question = await slack.invite("U1", display_name="Jane Doe")
    await slack.click(question, "nps_score_2")
    alert = await slack.posted_alert()
    view = await open_home(slack, "UADMIN")
    assert "Open cases (1)" in shown(view) and "Jane Doe" in shown(view)
    await slack.signer.deliver_home_action(slack.url, user_id="UADMIN", action_id="nps_alert_claim")

    def owner() -> str | None:
        with slack.bot.db.session() as session:
            return session.exec(select(Case.claimed_by)).one()

    await eventually(lambda: owner() == "ada")
    await eventually(lambda: "ada is following up" in str(alert.blocks))
    await eventually(
        lambda: "ada is following up" in shown(slack.sandbox.views["VHOMEUADMIN"]), BUILD
    )
    assert "ada will follow up." in slack.dm_texts("UADMIN")


async def test_anonymous_mode_masks_names_on_the_home(start_bot: StartBot) -> None:
    slack = await start_bot(NPSBOT_ANONYMOUS="true")
    assert "C0ALERTS" in await slack.command("alerts channel <#C0ALERTS|alerts>", user_id="UADMIN")
    _, question = await slack.invite("U1", display_name="Jane Doe")
    await slack.click(question, "nps_score_2")
    await slack.say("Jane Doe here, write to jane@example.com")
    await eventually(lambda: slack.responses()[0].comment)
    await slack.posted_alert()
    text = shown(await open_home(slack, "UADMIN"))
    assert "Jane" not in text and "jane@example.com" not in text
    assert "[name]" in text and "[email]" in text and "Anonymous respondent" in text


async def test_the_chart_is_an_image_slack_can_download(start_bot: StartBot) -> None:
    slack = await start_bot(public=True)
    await answer_all(slack, SCORES[:2])
    view = await open_home(slack, "UADMIN")
    (image,) = [block for block in view["blocks"] if block["type"] == "image"]
    assert image["image_url"].startswith(slack.bot.settings.public_url + "/charts/")
    assert slack.sandbox.image_downloads == [image["image_url"]]  # fetched before accepting


async def test_the_home_is_acknowledged_at_once_however_slow_slack_is(slack: SlackHarness) -> None:
    """Bolt acks the event before the listener runs: a views.publish answered 4 s late (past
    Slack's 3-second window) still leaves the delivery acknowledged on its first attempt."""
    slack.sandbox.answer_late("views.publish", delay=4.0)
    status, _ = await slack.signer.deliver_home_opened(slack.url, user_id="UADMIN")
    assert status == 200
    delivery = slack.sandbox.http_deliveries[-1]
    assert delivery.acked and delivery.attempts == 1
    await eventually(lambda: "VHOMEUADMIN" in slack.sandbox.views, BUILD)


async def test_nps_report_on_slack_points_to_the_home_tab(slack: SlackHarness) -> None:
    assert "C0ALERTS" in await slack.command("alerts channel <#C0ALERTS|alerts>", user_id="UADMIN")
    reply = await slack.command("report", user_id="UADMIN", channel_id="C0ALERTS")
    assert reply.startswith("On Slack the live report is on the app's Home tab")
    assert "only in the team's" in await slack.command("report", user_id="U2")
