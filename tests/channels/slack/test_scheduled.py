"""The scheduler's tick through the real Slack stack: profiles, windows, DND, digests."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

from sqlmodel import select

from bot.clock import FakeClock
from bot.models import Invitation, InvitationStatus, Respondent
from channels.sandbox.slack import SlackSandbox
from tests.channels.slack.conftest import StartBot

MONDAY_EARLY = datetime(2026, 11, 23, 7, 0, tzinfo=UTC)  # 08:00 in Berlin, 02:00 in New York


async def test_tick_refreshes_profiles_and_sends_in_local_windows(
    start_bot: StartBot, sandbox: SlackSandbox
) -> None:
    sandbox.add_user("UBER", name="berta", tz="Europe/Berlin")
    sandbox.add_user("UNYC", name="nico", tz="America/New_York")
    clock = FakeClock(MONDAY_EARLY)
    slack = await start_bot(clock=clock)
    for user in ("UBER", "UNYC"):
        slack.add_respondent(user)
    with slack.bot.db.session() as session:
        for respondent in session.exec(select(Respondent)):
            respondent.rotation_slot = 0  # due since the start of this cycle
            respondent.joined_at = datetime(2024, 1, 1, tzinfo=UTC)
            session.add(respondent)
    for hour in range(7, 24):
        clock.set(MONDAY_EARLY.replace(hour=hour))
        await slack.bot.scheduler.tick()
    with slack.bot.db.session() as session:
        people = {r.platform_user_id: r for r in session.exec(select(Respondent))}
        sent = {
            people_id: invitation.sent_at
            for invitation in session.exec(select(Invitation))
            for people_id, person in people.items()
            if person.id == invitation.respondent_id and invitation.sent_at
        }
    assert people["UBER"].timezone == "Europe/Berlin"
    assert people["UNYC"].timezone == "America/New_York"
    assert set(sent) == {"UBER", "UNYC"}
    for user, moment in sent.items():
        local = moment.astimezone(__import__("zoneinfo").ZoneInfo(people[user].timezone or "UTC"))
        assert 10 <= local.hour < 17, (user, local)
    assert len(sandbox.messages_in("DUBER")) == 1 and len(sandbox.messages_in("DUNYC")) == 1


async def test_do_not_disturb_defers_instead_of_skipping(
    start_bot: StartBot, sandbox: SlackSandbox
) -> None:
    clock = FakeClock(datetime(2026, 11, 24, 11, 0, tzinfo=UTC))
    slack = await start_bot(clock=clock)
    until = clock.now() + timedelta(hours=2)
    sandbox.set_dnd(
        "U1",
        dnd_enabled=True,
        next_dnd_start_ts=int(clock.now().timestamp()) - 60,
        next_dnd_end_ts=int(until.timestamp()),
    )
    respondent_id = slack.add_respondent("U1")
    result = await slack.bot.dispatcher.invite_now(respondent_id=respondent_id)
    assert not result.sent and result.scheduled_for == until
    assert sandbox.messages_in("DU1") == []
    with slack.bot.db.session() as session:
        invitation = session.exec(select(Invitation)).one()
    assert invitation.status == InvitationStatus.PENDING and invitation.due_at == until
    sandbox.set_dnd("U1")
    clock.set(until)
    await slack.bot.dispatcher.run_pass()
    assert len(sandbox.messages_in("DU1")) == 1


async def test_next_digest_follows_the_configured_day_time_and_zone(start_bot: StartBot) -> None:
    clock = FakeClock(datetime(2026, 11, 24, 11, 0, tzinfo=UTC))
    slack = await start_bot(clock=clock)
    slack.bot.scheduler.settings = slack.bot.settings.model_copy(
        update={"digest_day": "fri", "digest_time": "16:30", "digest_timezone": "Europe/Berlin"}
    )
    assert slack.bot.scheduler.next_digest() == datetime(2026, 11, 27, 15, 30, tzinfo=UTC)


async def test_a_rate_limited_dnd_check_does_not_hold_up_sends(
    start_bot: StartBot, sandbox: SlackSandbox
) -> None:
    clock = FakeClock(datetime(2026, 11, 24, 11, 0, tzinfo=UTC))
    slack = await start_bot(clock=clock)
    sandbox.fail_next("dnd.info", status=429, retry_after=30)
    started = time.monotonic()
    for user in ("U1", "U2"):
        result = await slack.bot.dispatcher.invite_now(respondent_id=slack.add_respondent(user))
        assert result.sent, result.reason
    assert time.monotonic() - started < 5
    assert len(sandbox.calls_to("dnd.info")) == 1  # checks pause for Slack's Retry-After
