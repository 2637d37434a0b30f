"""'You said, we did' on Slack: `/nps announce "slow checkout"` previews who would be told,
`... send` opens the modal, and each matching person gets the message once, in their own
send window; not the one who opted out, not twice within 30 days."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import select

from bot.clock import FakeClock
from bot.models import AnnouncementDelivery, Respondent
from scoring.digest.sections import sections
from tests.channels.slack.conftest import StartBot
from tests.channels.slack.harness import SlackHarness, eventually
from tests.channels.slack.test_movers import settled

TUESDAY = datetime(2026, 11, 24, 11, 0, tzinfo=UTC)
MESSAGE = "Checkout is three times faster since Monday."
COMMENTS = {
    "U1": "The slow checkout is painful",
    "U2": "slow checkout, again",
    "U3": "Slow checkout every single time",  # opts out
    "U4": "Checkout is slow",  # the words, but not the term: no match
    "U5": "such a slow checkout on mobile",  # lives where it is night now
}


async def commented(
    slack: SlackHarness, user_id: str, comment: str, tz: str = "Europe/Berlin"
) -> None:
    slack.sandbox.add_user(user_id, name=user_id.lower(), real_name=f"Person {user_id}", tz=tz)
    _, question = await slack.invite(user_id, display_name=f"Person {user_id}")
    await slack.click(question, "nps_score_5", user_id=user_id)
    await settled(slack, question)
    await slack.say(comment, user_id=user_id)
    await eventually(lambda: any(r.comment == comment for r in slack.responses()))


def announcements(slack: SlackHarness, user_id: str) -> list[str]:
    return [text for text in slack.dm_texts(user_id) if MESSAGE in text]


async def announced(slack: SlackHarness) -> str:
    """The admin runs `... send`, writes the message in the modal and submits it."""
    before = len(slack.dm_texts("UADMIN"))
    status, _ = await slack.signer.deliver_slash_command(
        slack.url, user_id="UADMIN", text='announce "slow checkout" send', channel_id="C0GENERAL"
    )
    assert status == 200
    (modal,) = await eventually(lambda: list(slack.sandbox.views.values()))
    assert (modal["callback_id"], modal["private_metadata"]) == ("nps_announce", "slow checkout")
    await slack.signer.deliver_view_submission(
        slack.url,
        user_id="UADMIN",
        callback_id=modal["callback_id"],
        private_metadata=modal["private_metadata"],
        values={"nps_announce_text": {"text": MESSAGE}},
    )
    return str((await eventually(lambda: slack.dm_texts("UADMIN")[before:]))[0])


@pytest.mark.database
async def test_announce_reaches_exactly_the_matching_people_once(start_bot: StartBot) -> None:
    clock = FakeClock(TUESDAY)
    slack = await start_bot(clock=clock)
    for user_id, comment in COMMENTS.items():
        night = user_id == "U5"  # UTC+14: 01:00 on Wednesday there
        await commented(slack, user_id, comment, "Pacific/Kiritimati" if night else "UTC")
        clock.advance(timedelta(minutes=1))
    await slack.command("optout @U3", user_id="UADMIN")
    await slack.bot.scheduler.tick()  # reads each person's time zone from their profile
    with slack.bot.db.session() as session:
        night = session.exec(select(Respondent).where(Respondent.platform_user_id == "U5")).one()
    assert night.timezone == "Pacific/Kiritimati"

    preview = await slack.command('announce "slow checkout"', user_id="UADMIN")
    lines = preview.splitlines()
    assert lines[0] == '3 person(s) who can be told mentioned "slow checkout" in the last 180 days.'
    assert lines[1].startswith("1 more mentioned it but are not told")
    assert lines[2] == "> u5: “such a slow checkout on mobile”"
    assert lines[-1] == 'To write to them: /nps announce "slow checkout" send'

    assert await announced(slack) == (
        'Announcement on "slow checkout" queued for 3 person(s); each gets it once, '
        "in their own send window."
    )
    await slack.bot.scheduler.tick()
    told = {user_id: announcements(slack, user_id) for user_id in COMMENTS}
    assert {user_id for user_id, texts in told.items() if texts} == {"U1", "U2"}
    assert told["U1"] == [f"You told Acme what to improve, and we acted on it:\n\n{MESSAGE}"]

    with slack.bot.db.session() as session:
        waiting = session.exec(
            select(AnnouncementDelivery).where(AnnouncementDelivery.status == "pending")
        ).one()
    assert waiting.due_at == datetime(2026, 11, 24, 20, 0, tzinfo=UTC)  # 10:00 Wednesday there
    clock.set(waiting.due_at)
    await slack.bot.scheduler.tick()
    await slack.bot.scheduler.tick()
    assert [len(announcements(slack, u)) for u in COMMENTS] == [1, 1, 0, 0, 1]
    digests = slack.bot.digests
    digest, _ = await digests.build_off_loop(digests.week_of("2026-W48"))
    team = slack.bot.catalogue.team
    figures = next(part for part in sections(digest, team) if part.kind == "figures")
    assert figures.lines[-1] == "You said, we did: 3 people told what changed after their comments"

    clock.advance(timedelta(days=29))
    again = await slack.command('announce "slow checkout"', user_id="UADMIN")
    assert again.startswith("0 person(s)") and "4 more mentioned it" in again
    status, _ = await slack.signer.deliver_slash_command(
        slack.url, user_id="UADMIN", text='announce "slow checkout" send', channel_id="C0GENERAL"
    )
    assert status == 200

    def refusals() -> list[object]:
        return [p for p in slack.sandbox.response_url_posts if "0 person(s)" in p.body["text"]]

    await eventually(lambda: len(refusals()) == 2)  # the preview's, then the refusal
    assert len(slack.sandbox.views) == 1

    clock.advance(timedelta(days=2))
    assert (await slack.command('announce "slow checkout"', user_id="UADMIN")).startswith(
        "3 person(s)"
    )


async def test_only_admins_announce_and_a_phrase_needs_theme_words(slack: SlackHarness) -> None:
    await commented(slack, "U1", "The slow checkout is painful")
    assert (await slack.command('announce "slow checkout"', user_id="U2")).startswith(
        "Sorry, only npsbot admins"
    )
    status, _ = await slack.signer.deliver_slash_command(
        slack.url, user_id="U2", text='announce "slow checkout" send', channel_id="C0GENERAL"
    )
    assert status == 200
    await eventually(
        lambda: [
            p for p in slack.sandbox.response_url_posts if "only npsbot admins" in p.body["text"]
        ][1:]
    )
    assert not slack.sandbox.views
    assert await slack.command('announce "the"', user_id="UADMIN") == (
        "'the' has no words a theme is made of; try a phrase from the digest's themes, "
        'e.g. "slow checkout".'
    )
    assert await slack.command("announce", user_id="UADMIN") == (
        'Usage: /nps announce "<theme or phrase>" [send]'
    )
