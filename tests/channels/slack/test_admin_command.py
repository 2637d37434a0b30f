"""`/nps` from Slack: acked at once, answered ephemerally, refused for non-admins."""

from __future__ import annotations

from sqlmodel import select

from bot.models import AuditEntry, Workspace
from tests.channels.slack.harness import SlackHarness


def cadence_days(slack: SlackHarness) -> int:
    """The cadence in force: the workspace's, or the default when none was stored yet."""
    with slack.bot.db.session() as session:
        workspace = session.exec(select(Workspace)).first()
        return (workspace or Workspace(platform="slack", external_id="")).cadence_days


def audit_log(slack: SlackHarness) -> list[tuple[str, str, str]]:
    with slack.bot.db.session() as session:
        return [(e.actor, e.action, e.detail) for e in session.exec(select(AuditEntry)).all()]


async def test_non_admin_is_refused_and_nothing_changes(slack: SlackHarness) -> None:
    reply = await slack.command("cadence days 30", user_id="U2")

    assert "only npsbot admins" in reply
    assert cadence_days(slack) == 90
    assert audit_log(slack) == []


async def test_listed_admin_changes_cadence_and_it_is_audited(slack: SlackHarness) -> None:
    reply = await slack.command("cadence days 30", user_id="UADMIN")

    assert reply.startswith("Cadence updated: every 30 days")
    assert cadence_days(slack) == 30
    assert audit_log(slack) == [("slack:UADMIN", "cadence", "cadence days 30")]


async def test_workspace_owner_is_an_admin_without_being_listed(slack: SlackHarness) -> None:
    assert (await slack.command("pause", user_id="UOWNER")).startswith("Surveys paused")
    assert slack.sandbox.calls_to("users.info")[0].params["user"] == "UOWNER"


async def test_malformed_command_gets_the_usage_line(slack: SlackHarness) -> None:
    reply = await slack.command("cadence days x", user_id="UADMIN")

    assert "Usage: /nps cadence" in reply and "\n" not in reply
    assert cadence_days(slack) == 90


async def test_mentions_are_normalised_for_the_parser(slack: SlackHarness) -> None:
    reply = await slack.command("optout <@U2|bob>", user_id="UADMIN")

    assert reply == "<@U2> will not be surveyed again."
    (respondent,) = slack.respondents()
    assert respondent.platform_user_id == "U2" and respondent.opted_out
