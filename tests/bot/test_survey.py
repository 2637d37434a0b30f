"""The survey conversation through the core, with a recording channel."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa
from sqlmodel import select

from bot import store
from bot.clock import FakeClock
from bot.db import Database
from bot.events import (
    CommentSubmitted,
    FollowupSkipped,
    OptOutRequested,
    Origin,
    RemindLater,
    ScoreSubmitted,
)
from bot.i18n import Catalogue
from bot.models import Invitation, InvitationStatus, Respondent, Response
from bot.settings import Settings
from bot.survey import Survey
from scheduling.dispatch import Dispatcher
from scoring.sentiment import analyse
from scoring.terms import read_terms, stored_terms
from tests.recording import RecordingChannel


@pytest.fixture
def channel() -> RecordingChannel:
    return RecordingChannel()


@pytest.fixture
def survey(
    db: Database,
    settings: Settings,
    catalogue: Catalogue,
    clock: FakeClock,
    channel: RecordingChannel,
) -> Survey:
    return Survey(
        db=db, channels={"slack": channel}, settings=settings, catalogue=catalogue, clock=clock
    )


@pytest.fixture
def dispatcher(
    db: Database,
    settings: Settings,
    catalogue: Catalogue,
    clock: FakeClock,
    channel: RecordingChannel,
) -> Dispatcher:
    return Dispatcher(
        db=db, channels={"slack": channel}, settings=settings, catalogue=catalogue, clock=clock
    )


def add_respondent(db: Database, clock: FakeClock, user_id: str = "U1") -> int:
    with db.session() as session:
        workspace = store.get_or_create_workspace(
            session=session, platform="slack", external_id="T1", now=clock.now()
        )
        respondent = store.upsert_respondent(
            session=session,
            workspace=workspace,
            platform_user_id=user_id,
            now=clock.now(),
            attributes={"plan": "pro"},
        )
        return respondent.id or 0


def origin(user: str = "U1", delivery: str | None = None) -> Origin:
    return Origin(platform="slack", workspace="T1", user_id=user, delivery_id=delivery)


async def invited(db: Database, clock: FakeClock, dispatcher: Dispatcher) -> int:
    respondent_id = add_respondent(db, clock)
    result = await dispatcher.invite_now(respondent_id=respondent_id)
    assert result.sent, result.reason
    with db.session() as session:
        invitation = session.exec(select(Invitation)).one()
        return invitation.id or 0


async def test_score_comment_thanks(db, clock, survey, dispatcher, channel) -> None:
    invitation_id = await invited(db, clock, dispatcher)
    question = channel.of("question")[0]["question"]
    assert "Acme" in question.text

    outcome = await survey.on_score(ScoreSubmitted(origin(delivery="a1"), invitation_id, 8))
    assert outcome.recorded
    assert channel.of("show_score")[0]["score"] == 8
    assert "make it a 10" in channel.of("followup")[0]["text"]

    await survey.on_comment(CommentSubmitted(origin(delivery="m1"), "fast support but pricey"))
    with db.session() as session:
        response = session.exec(select(Response)).one()
        invitation = session.get(Invitation, invitation_id)
    assert (response.score, response.comment, response.followup) == (
        8,
        "fast support but pricey",
        "done",
    )
    assert response.polarity == pytest.approx(analyse("fast support but pricey").polarity)
    assert response.attributes == {"plan": "pro"}
    assert invitation is not None and invitation.status == InvitationStatus.ANSWERED
    assert channel.of("text")[-1]["text"].startswith("Thank you")


@pytest.mark.database  # replays
async def test_duplicate_delivery_and_second_click_record_one_response(
    db, clock, survey, dispatcher, channel
) -> None:
    invitation_id = await invited(db, clock, dispatcher)
    await survey.on_score(ScoreSubmitted(origin(delivery="a1"), invitation_id, 3))
    replay = await survey.on_score(ScoreSubmitted(origin(delivery="a1"), invitation_id, 9))
    assert not replay.recorded
    again = await survey.on_score(ScoreSubmitted(origin(delivery="a2"), invitation_id, 3))
    assert not again.recorded
    changed = await survey.on_score(ScoreSubmitted(origin(delivery="a3"), invitation_id, 6))
    assert changed.recorded
    with db.session() as session:
        responses = session.exec(select(Response)).all()
    assert [r.score for r in responses] == [6]
    assert len(channel.of("followup")) == 1


async def test_click_after_expiry_records_nothing(db, clock, survey, dispatcher, channel) -> None:
    invitation_id = await invited(db, clock, dispatcher)
    clock.advance(timedelta(days=8))
    outcome = await survey.on_score(ScoreSubmitted(origin(delivery="late"), invitation_id, 10))
    assert not outcome.recorded
    assert "closed" in channel.of("text")[-1]["text"]
    with db.session() as session:
        assert session.exec(select(Response)).all() == []


async def test_someone_else_cannot_answer(db, clock, survey, dispatcher) -> None:
    invitation_id = await invited(db, clock, dispatcher)
    outcome = await survey.on_score(ScoreSubmitted(origin("U2"), invitation_id, 0))
    assert not outcome.recorded


async def test_out_of_range_score_is_refused(db, clock, survey, dispatcher) -> None:
    invitation_id = await invited(db, clock, dispatcher)
    for score in (-1, 11):
        outcome = await survey.on_score(ScoreSubmitted(origin(), invitation_id, score))
        assert not outcome.recorded and "0 to 10" in (outcome.tell or "")


@pytest.mark.database  # the only cover of response_for
async def test_skip_ends_without_comment(db, clock, survey, dispatcher, channel) -> None:
    invitation_id = await invited(db, clock, dispatcher)
    await survey.on_score(ScoreSubmitted(origin(), invitation_id, 10))
    await survey.on_skip(FollowupSkipped(origin(), invitation_id))
    comment = await survey.on_comment(CommentSubmitted(origin(), "too late"))
    assert not comment.recorded
    with db.session() as session:
        response = session.exec(select(Response)).one()
    assert response.followup == "skipped" and response.comment is None


async def test_comment_after_window_is_not_attached(db, clock, survey, dispatcher) -> None:
    invitation_id = await invited(db, clock, dispatcher)
    await survey.on_score(ScoreSubmitted(origin(), invitation_id, 9))
    clock.advance(timedelta(hours=25))
    assert not (await survey.on_comment(CommentSubmitted(origin(), "hello"))).recorded


async def test_huge_unicode_comment_is_kept(db, clock, survey, dispatcher) -> None:
    invitation_id = await invited(db, clock, dispatcher)
    await survey.on_score(ScoreSubmitted(origin(), invitation_id, 2))
    text = "😡 Zu langsam! \u200b" + "ü" * 15_000 + " 速度太慢"
    assert (await survey.on_comment(CommentSubmitted(origin(), text))).recorded
    with db.session() as session:
        response = session.exec(select(Response)).one()
    assert response.comment == text.strip()


async def test_opt_out_withdraws_and_blocks_manual_send(db, clock, survey, dispatcher) -> None:
    invitation_id = await invited(db, clock, dispatcher)
    await survey.on_opt_out(OptOutRequested(origin(), invitation_id))
    with db.session() as session:
        respondent = session.exec(select(Respondent)).one()
    assert respondent.opted_out
    result = await dispatcher.invite_now(respondent_id=respondent.id or 0)
    assert not result.sent and "opted out" in result.reason


async def test_unreachable_recipient_is_marked(db, clock, dispatcher, channel) -> None:
    channel.unreachable.add("U1")
    respondent_id = add_respondent(db, clock)
    result = await dispatcher.invite_now(respondent_id=respondent_id)
    assert not result.sent
    with db.session() as session:
        respondent = session.get(Respondent, respondent_id)
    assert respondent is not None and respondent.unreachable


async def test_remind_later_defers_the_same_invitation(db, clock, survey, dispatcher) -> None:
    invitation_id = await invited(db, clock, dispatcher)
    reply = await survey.on_remind_later(RemindLater(origin(), invitation_id, days=2))
    assert "two days" in reply
    with db.session() as session:
        invitation = session.get(Invitation, invitation_id)
    assert invitation is not None and invitation.remind_at == clock.now() + timedelta(days=2)


@pytest.mark.database  # claims of reminders
async def test_remind_later_then_one_reminder_only(db, clock, survey, dispatcher, channel) -> None:
    from scheduling.reminders import plan_reminders

    invitation_id = await invited(db, clock, dispatcher)
    await survey.on_remind_later(RemindLater(origin(), invitation_id, days=1))
    assert plan_reminders(db=db, now=clock.now()) == []
    clock.advance(timedelta(days=1))
    due = plan_reminders(db=db, now=clock.now())
    assert due == [invitation_id]
    assert await dispatcher.remind(due) == 1
    reminder = channel.of("question")[-1]["question"]
    assert reminder.invitation_id == invitation_id and "reminder" in reminder.text
    clock.advance(timedelta(days=3))
    assert plan_reminders(db=db, now=clock.now()) == []


async def test_automatic_reminder_after_three_days(db, clock, survey, dispatcher) -> None:
    from scheduling.reminders import plan_reminders

    invitation_id = await invited(db, clock, dispatcher)
    clock.advance(timedelta(days=2))
    assert plan_reminders(db=db, now=clock.now()) == []
    clock.advance(timedelta(days=1))
    assert plan_reminders(db=db, now=clock.now()) == [invitation_id]
    await survey.on_score(ScoreSubmitted(origin(), invitation_id, 9))
    assert plan_reminders(db=db, now=clock.now()) == []


async def test_a_german_comment_is_stored_with_its_language_and_not_as_neutral(
    db, clock, survey, dispatcher
) -> None:
    invitation_id = await invited(db, clock, dispatcher)
    await survey.on_score(ScoreSubmitted(origin(), invitation_id, 1))
    await survey.on_comment(CommentSubmitted(origin(), "sehr schlecht, nie wieder"))
    with db.session() as session:
        response = session.exec(select(Response)).one()
    assert response.language == "de"
    assert analyse(response.comment or "").label != "neutral"


@pytest.mark.database  # each database's statements
async def test_a_score_click_is_one_transaction_that_reads_back_nothing_it_wrote(
    db, clock, survey, dispatcher
) -> None:
    invitation_id = await invited(db, clock, dispatcher)
    statements: list[str] = []
    commits: list[object] = []

    def executed(conn: object, cursor: object, statement: str, *args: object) -> None:
        statements.append(statement.split()[0].upper())

    def committed(conn: object) -> None:
        commits.append(conn)

    sa.event.listen(db.engine, "before_cursor_execute", executed)
    sa.event.listen(db.engine, "commit", committed)
    try:
        stored = await survey.store(ScoreSubmitted(origin(delivery="a1"), invitation_id, 8))
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", executed)
        sa.event.remove(db.engine, "commit", committed)

    assert stored.outcome.recorded and len(stored.jobs) == 2  # show the score, ask why
    assert stored.context is not None and stored.context.response.score == 8
    assert len(commits) == 1
    # the invitation with its respondent and this answer or the previous one; the webhooks
    assert statements.count("SELECT") == 2, statements
    # the dedupe mark, the answer and the two effects' jobs (one statement on PostgreSQL,
    # where the driver inserts several rows and returns their ids at once), the invitation
    assert statements.count("INSERT") == (3 if db.is_postgres else 4), statements
    assert statements.count("UPDATE") == 1 and len(statements) == 2 + 1 + (
        3 if db.is_postgres else 4
    ), statements


async def test_a_comment_is_stored_with_its_terms(db, clock, survey, dispatcher) -> None:
    """The digest counts the terms stored with each comment, found once, when it came."""
    invitation_id = await invited(db, clock, dispatcher)
    await survey.on_score(ScoreSubmitted(origin(delivery="a1"), invitation_id, 3))
    await survey.on_comment(CommentSubmitted(origin(delivery="m1"), "Slow checkout, it crashed"))
    with db.session() as session:
        response = session.exec(select(Response)).one()
    assert response.terms == stored_terms(response.comment or "", language=response.language)
    assert {"slow checkout", "checkout", "crashed"} <= read_terms(response.terms or "")
