"""Channel audiences: paging a big channel, and keeping it in step with joins and leaves."""

from __future__ import annotations

import pytest

from bot.privacy import forget_person
from tests.channels.slack.harness import TEAM, SlackHarness, eventually

BOTS = [f"UBOT{i}" for i in range(4)]
DEACTIVATED = ["UGONE0", "UGONE1"]
HUMANS = [f"UH{i:04d}" for i in range(450 - len(BOTS) - len(DEACTIVATED) - 1)]


def customers_channel(slack: SlackHarness) -> None:
    """450 members over three pages: humans, other bots, deactivated accounts and npsbot."""
    for user_id in HUMANS:
        slack.sandbox.add_user(user_id)
    for user_id in BOTS:
        slack.sandbox.add_user(user_id, is_bot=True)
    for user_id in DEACTIVATED:
        slack.sandbox.add_user(user_id, deleted=True)
    members = [*HUMANS[:100], *BOTS, "U0BOT", *DEACTIVATED, *HUMANS[100:]]
    slack.sandbox.add_channel("C0CUSTOMERS", members)


def membership(kind: str, user_id: str) -> dict[str, str]:
    return {
        "type": kind,
        "user": user_id,
        "channel": "C0CUSTOMERS",
        "channel_type": "C",
        "team": TEAM,
        "event_ts": "1700000000.000100",
    }


@pytest.mark.database
async def test_audience_follows_a_450_member_channel(slack: SlackHarness) -> None:
    customers_channel(slack)

    reply = await slack.command("audience add <#C0CUSTOMERS|customers>", user_id="UADMIN")

    assert reply == f"Added {len(HUMANS)} respondent(s)."
    assert len(slack.sandbox.calls_to("conversations.members")) == 3
    assert sorted(r.platform_user_id for r in slack.respondents()) == sorted(HUMANS)

    slack.sandbox.add_user("UNEW")
    assert await slack.event(membership("member_joined_channel", "UNEW")) == 200
    await eventually(lambda: len(slack.respondents()) == len(HUMANS) + 1)

    assert await slack.event(membership("member_left_channel", HUMANS[0])) == 200
    await eventually(lambda: not slack.respondents()[0].active)
    assert slack.respondents()[0].platform_user_id == HUMANS[0]

    await slack.event(membership("member_joined_channel", "UBOT0"))
    await slack.event(membership("member_joined_channel", "U0BOT"))
    await slack.settled()
    assert len(slack.respondents()) == len(HUMANS) + 1


def big_channel(slack: SlackHarness, size: int) -> list[str]:
    people = [f"UC{i:05d}" for i in range(size)]
    for user_id in [*people, "UNOTMEMBER0", "UNOTMEMBER1"]:
        slack.sandbox.add_user(user_id)
    slack.sandbox.add_channel("C0BIG", [*people, "U0BOT"])
    return people


async def test_a_5000_member_channel_is_listed_under_tier_4_limits(slack: SlackHarness) -> None:
    """users.info is Tier 4 (100 a minute): 5,000 of them would take most of an hour of 429s;
    users.list pages of 1,000 (Tier 2) take a handful of calls. Slack's default tiers hold."""
    people = big_channel(slack, 5000)
    members = await slack.bot.adapters["slack"].channel_members(chat_id="C0BIG")
    assert sorted(m.user_id for m in members) == people
    assert slack.sandbox.count_429 == 0
    assert len(slack.sandbox.calls_to("users.list")) == 6  # 5,003 people, 1,000 a page
    assert not slack.sandbox.calls_to("users.info")


async def test_audience_add_of_a_big_channel_ends_with_a_count(slack: SlackHarness) -> None:
    """End to end through /nps at 1,000 members, ten times what users.info allows a minute
    (the database side of 5,000 is the store's to make fast, not Slack's)."""
    big_channel(slack, 1000)
    reply = await slack.command("audience add <#C0BIG|big>", user_id="UADMIN", timeout=30)
    assert reply == "Added 1000 respondent(s)."
    assert slack.sandbox.count_429 == 0 and len(slack.respondents()) == 1000


@pytest.mark.database
async def test_a_forgotten_person_is_not_re_added_by_the_channel_sync(
    slack: SlackHarness,
) -> None:
    customers_channel(slack)
    await slack.command("audience add <#C0CUSTOMERS|customers>", user_id="UADMIN")
    gone = HUMANS[1]
    forgotten = await slack.bot.db.call(
        forget_person,
        db=slack.bot.db,
        platform="slack",
        user_id=gone,
        actor="slack:UADMIN",
        now=slack.bot.clock.now(),
    )
    assert forgotten.people == 1

    reply = await slack.command("audience add <#C0CUSTOMERS|customers>", user_id="UADMIN")
    assert reply == f"Added {len(HUMANS) - 1} respondent(s)."
    assert await slack.event(membership("member_left_channel", gone)) == 200
    assert await slack.event(membership("member_joined_channel", gone)) == 200
    slack.sandbox.add_user("UNEW")
    assert await slack.event(membership("member_joined_channel", "UNEW")) == 200
    await eventually(lambda: "UNEW" in {r.platform_user_id for r in slack.respondents()})
    await slack.bot.jobs.idle()
    ids = [r.platform_user_id for r in slack.respondents()]
    assert gone not in ids and len(ids) == len(HUMANS) + 1  # the forgotten row, pseudonymous
