"""Open App Homes follow the cases, through bolt and the sandbox: a claim made on the alert
shows on every teammate's open Home without waiting for the report's cache; an unchanged
Home is not published again; and refreshes stay inside `views.publish`'s Tier 4 pace."""

from __future__ import annotations

from typing import Any

from bot.home_refresh import KEPT_FOR_OPENS, Pace
from channels.sandbox.slack import PostedMessage
from tests.channels.slack.harness import SlackHarness, eventually
from tests.channels.slack.test_home import BUILD, open_home, shown

OWNER = "ada is following up"


async def alerted(slack: SlackHarness) -> PostedMessage:
    """Jane scores 2: the alert in #alerts, a case nobody claimed yet."""
    assert "C0ALERTS" in await slack.command("alerts channel <#C0ALERTS|alerts>", user_id="UADMIN")
    _, question = await slack.invite("U1", display_name="Jane Doe")
    await slack.click(question, "nps_score_2")
    alert: PostedMessage = (await eventually(lambda: slack.sandbox.messages_in("C0ALERTS")))[0]
    await slack.settled()
    return alert


def home_of(slack: SlackHarness, user_id: str) -> str:
    return shown(slack.sandbox.views[f"VHOME{user_id}"])


def publishes(slack: SlackHarness, user_id: str) -> int:
    calls = slack.sandbox.calls_to("views.publish")
    return sum(1 for call in calls if call.params["user_id"] == user_id and call.status == 200)


def admin(slack: SlackHarness, user_id: str) -> None:
    slack.sandbox.add_user(user_id, name=user_id.lower())
    slack.sandbox.state.users[user_id]["is_admin"] = True


async def test_a_claim_on_the_alert_shows_on_open_homes(slack: SlackHarness) -> None:
    alert = await alerted(slack)
    admin(slack, "UOPS")
    for user_id in ("UADMIN", "UOPS"):
        view = await open_home(slack, user_id)
        assert "Open cases (1)" in shown(view) and OWNER not in shown(view)
    await open_home(slack, "U2")  # a customer's privacy view: nothing of the cases

    await slack.click(alert, "nps_alert_claim", user_id="UADMIN")
    await eventually(lambda: OWNER in home_of(slack, "UOPS") and OWNER in home_of(slack, "UADMIN"))
    await slack.bot.home.idle()
    assert (publishes(slack, "UADMIN"), publishes(slack, "UOPS"), publishes(slack, "U2")) == (
        2,
        2,
        1,
    )
    assert slack.bot.reports.builds == 2  # the report rebuilt once for the claim, not per Home

    slack.bot.home.case_changed(slack.responses()[0].workspace_id)  # nothing shown changed
    await slack.bot.home.idle()
    assert slack.bot.reports.builds == 3
    assert publishes(slack, "UADMIN") == 2 and publishes(slack, "UOPS") == 2


async def test_resolving_from_the_alert_empties_the_open_cases(slack: SlackHarness) -> None:
    alert = await alerted(slack)
    assert "Open cases (1)" in shown(await open_home(slack, "UADMIN"))
    before = len(slack.sandbox.views)
    await slack.click(alert, "nps_alert_resolve", user_id="UADMIN", trigger_id="1.resolve")
    modal = (await eventually(lambda: list(slack.sandbox.views.values())[before:]))[0]
    await slack.signer.deliver_view_submission(
        slack.url,
        user_id="UADMIN",
        callback_id=modal["callback_id"],
        private_metadata=modal["private_metadata"],
        values={"nps_reply": {"text": "called her"}},
    )
    await eventually(lambda: "Resolved by ada" in str(slack.dm_texts("UADMIN")), BUILD)
    await eventually(lambda: "Open cases (0)" in home_of(slack, "UADMIN"), BUILD)


async def _watched_by(slack: SlackHarness, viewers: list[str]) -> None:
    for user_id in viewers:
        admin(slack, user_id)
        status, _ = await slack.signer.deliver_home_opened(slack.url, user_id=user_id)
        assert status == 200
    await eventually(lambda: all(f"VHOME{u}" in slack.sandbox.views for u in viewers), BUILD)
    await slack.settled()


def _refreshed_newest_first(slack: SlackHarness, viewers: list[str]) -> list[str]:
    """Who shows the claim, after checking they are the newest viewers."""
    refreshed = [u for u in viewers if OWNER in home_of(slack, u)]
    assert 0 < len(refreshed) < len(viewers)
    workspace_id = slack.responses()[0].workspace_id
    newest = [viewer.key[2] for viewer in slack.bot.home.viewers.current(workspace_id)]
    assert set(refreshed) == set(newest[: len(refreshed)])  # the newest first
    return refreshed


class Ticks:
    """A clock that moves `step` seconds each time it is read."""

    def __init__(self) -> None:
        self.now, self.step = 1000.0, 0.0

    def __call__(self) -> float:
        self.now += self.step
        return self.now


async def test_refreshes_keep_inside_tier_4(slack: SlackHarness) -> None:
    """70 teammates have the Home open (70 of the minute's ~100 publishes spent): a claim
    republishes the newest viewers while budget is left and the rest at their next open;
    Slack never answers 429."""
    alert = await alerted(slack)
    viewers = [f"UTEAM{i:02d}" for i in range(70)]
    await _watched_by(slack, viewers)

    await slack.click(alert, "nps_alert_claim", user_id="UADMIN")
    await eventually(lambda: slack.bot.home.refreshed > 0, BUILD)
    await slack.bot.home.idle()
    _refreshed_newest_first(slack, viewers)
    assert slack.sandbox.count_429 == 0

    stale = viewers[0]
    view: dict[str, Any] = await open_home(slack, stale)  # the next open shows it
    assert OWNER in shown(view)


async def test_a_refresh_the_budget_refused_holds_back_every_older_viewer(
    slack: SlackHarness,
) -> None:
    """Tokens come back while the refreshes publish (each takes time): one that returns
    after a refusal must not go to an older viewer past the newer one refused."""
    alert = await alerted(slack)
    viewers = [f"UTEAM{i:02d}" for i in range(20)]
    await _watched_by(slack, viewers)
    ticks = Ticks()
    pace = slack.bot.home.pace = Pace(monotonic=ticks)
    workspace_id = slack.responses()[0].workspace_id
    while pace.take(workspace_id, keep=KEPT_FOR_OPENS + 5):  # five refreshes left
        pass
    ticks.step = 0.3  # half a token back at each look at the budget

    await slack.click(alert, "nps_alert_claim", user_id="UADMIN")
    await eventually(lambda: slack.bot.home.refreshed > 0, BUILD)
    await slack.bot.home.idle()
    assert len(_refreshed_newest_first(slack, viewers)) == slack.bot.home.refreshed
