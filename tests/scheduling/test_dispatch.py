"""The dispatcher's pass: paced, a 429 slows it, a timeout is not resent, `sending` is bounded."""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
import sqlalchemy as sa
from sqlmodel import select

from bench.seeding import seed_due, user
from bot.app import NpsBot
from bot.channel import MessageRef, Question, Recipient
from bot.clock import SystemClock
from bot.db import Database
from bot.models import Invitation, InvitationStatus, Respondent
from bot.settings import Settings
from channels.sandbox.telegram import TelegramSandbox
from scheduling.dispatch import Dispatcher
from scheduling.pacing import Pacer
from tests.phrases import CATALOGUE
from tests.recording import RecordingChannel
from tests.scheduling.test_crash import received, sandbox_with, settings_for

pytestmark = pytest.mark.database  # claims


def statuses(db: Database) -> Counter[str]:
    with db.engine.connect() as connection:
        rows = connection.execute(
            sa.select(Invitation.status, sa.func.count()).group_by(Invitation.status)
        ).all()
    return Counter({status: count for status, count in rows})


async def test_pacer_holds_the_rate_after_a_small_burst() -> None:
    pacer = Pacer(200.0)
    started = time.monotonic()
    await asyncio.gather(*(pacer.acquire() for _ in range(105)))
    elapsed = time.monotonic() - started
    # 20 go at once (a tenth of a second's worth), the other 85 at 200/s.
    assert 0.40 <= elapsed < 0.6


async def test_pacer_pauses_and_halves_after_a_429() -> None:
    pacer = Pacer(100.0)
    pacer.slow_down(0.2)
    assert pacer.rate == 50.0 and pacer.slowdowns == 1
    started = time.monotonic()
    await pacer.acquire()
    assert time.monotonic() - started >= 0.19


class Watching(RecordingChannel):
    """Counts the `sending` rows at every send: what a crash at that moment leaves uncertain."""

    def __init__(self, db: Database) -> None:
        super().__init__()
        self.db = db
        self.most_sending = 0

    async def send_question(self, *, recipient: Recipient, question: Question) -> MessageRef:
        with self.db.engine.connect() as connection:
            sending = connection.execute(
                sa.select(sa.func.count()).where(Invitation.status == InvitationStatus.SENDING)
            ).scalar_one()
        self.most_sending = max(self.most_sending, sending)
        await asyncio.sleep(0.002)
        return await super().send_question(recipient=recipient, question=question)


async def test_sending_never_exceeds_the_concurrency(db: Database, settings: Settings) -> None:
    seed_due(db, people=300)
    channel = Watching(db)
    dispatcher = Dispatcher(
        db=db,
        channels={"slack": channel},
        settings=settings,
        catalogue=CATALOGUE,
        clock=SystemClock(),
        concurrency=6,
        rates={"slack": None},
    )
    report = await dispatcher.run_pass(batch=50)
    assert report.sent == 300
    assert Counter(payload["to"] for payload in channel.of("question")) == Counter(
        {user(i): 1 for i in range(300)}
    )
    assert 1 <= channel.most_sending <= 6
    assert statuses(db) == Counter({InvitationStatus.SENT: 300})


class OptingOut(RecordingChannel):
    """The first person's send coincides with the second person opting out."""

    def __init__(self, db: Database) -> None:
        super().__init__()
        self.db = db

    async def send_question(self, *, recipient: Recipient, question: Question) -> MessageRef:
        with self.db.session() as session:
            session.execute(
                sa.update(Respondent)
                .where(Respondent.platform_user_id == user(1))
                .values(opted_out=True)
            )
        return await super().send_question(recipient=recipient, question=question)


async def test_opt_out_after_the_claim_suppresses_the_send(
    db: Database, settings: Settings
) -> None:
    seed_due(db, people=3)
    channel = OptingOut(db)
    dispatcher = Dispatcher(
        db=db,
        channels={"slack": channel},
        settings=settings,
        catalogue=CATALOGUE,
        clock=SystemClock(),
        concurrency=1,
    )
    report = await dispatcher.run_pass()
    assert [payload["to"] for payload in channel.of("question")] == [user(0), user(2)]
    assert (report.sent, report.skipped) == (2, {"opted out": 1})
    assert statuses(db) == Counter({InvitationStatus.SENT: 2, InvitationStatus.SUPPRESSED: 1})


async def test_people_gone_before_the_claim_are_suppressed_with_their_reason(
    db: Database, settings: Settings
) -> None:
    seed_due(db, people=3)
    with db.session() as session:
        for who, gone in ((user(1), {"opted_out": True}), (user(2), {"unreachable": True})):
            session.execute(
                sa.update(Respondent).where(Respondent.platform_user_id == who).values(**gone)
            )
    channel = RecordingChannel()
    dispatcher = Dispatcher(
        db=db,
        channels={"slack": channel},
        settings=settings,
        catalogue=CATALOGUE,
        clock=SystemClock(),
    )
    report = await dispatcher.run_pass()
    assert [payload["to"] for payload in channel.of("question")] == [user(0)]
    assert (report.sent, report.skipped) == (1, {"opted out": 1, "unreachable": 1})
    with db.session() as session:
        reasons = session.exec(
            select(Invitation.reason).where(Invitation.status == InvitationStatus.SUPPRESSED)
        ).all()
    assert sorted(reason or "" for reason in reasons) == ["opted out", "unreachable"]


async def test_slack_429_returns_the_invitation_to_the_queue_and_loses_nothing(
    db: Database,
) -> None:
    seed_due(db, people=30)
    async with sandbox_with(30, rate=1000.0) as sandbox:
        bot = NpsBot(settings_for(sandbox, db), db=db, platforms=["slack"])
        bot.dispatcher.pacing.rates["slack"] = 1000.0
        bot.dispatcher.concurrency = 1  # so that one send meets all four 429s
        # An invitation's 429 is not waited out by slack_sdk: each reaches the dispatcher,
        # which releases the row until Retry-After and claims it again.
        sandbox.fail_next("chat.postMessage", status=429, count=4, retry_after=0)
        report = await bot.dispatcher.run_pass()
    assert report.sent == 30 and report.rate_limited == 4
    assert bot.dispatcher.pacing.pacer("slack").slowdowns == 4  # type: ignore[union-attr]
    assert [c.status for c in sandbox.calls_to("chat.postMessage")][:5] == [429] * 4 + [200]
    assert received(sandbox) == Counter({user(i): 1 for i in range(30)})
    assert statuses(db) == Counter({InvitationStatus.SENT: 30})


@pytest.fixture
async def telegram() -> AsyncIterator[TelegramSandbox]:
    async with TelegramSandbox() as sandbox:
        yield sandbox


async def test_telegram_flood_control_on_an_invitation_is_waited_out_with_the_row_released(
    db: Database, telegram: TelegramSandbox
) -> None:
    seed_due(db, people=3, platform="telegram")
    for i in range(3):
        telegram.add_user(int(user(i, platform="telegram")), started=True)
    settings = Settings(
        TELEGRAM_BOT_TOKEN=telegram.token,
        NPSBOT_TELEGRAM_API_URL=telegram.base_url,
        NPSBOT_DATABASE_URL=db.url,
    )
    bot = NpsBot(settings, db=db, platforms=["telegram"])
    bot.dispatcher.concurrency = 1
    # AIORateLimiter does not retry an invitation: the dispatcher waits 1 s with it pending.
    telegram.fail_next("sendMessage", status=429, count=1, retry_after=1)
    await bot.start()
    try:
        report = await bot.dispatcher.run_pass()
    finally:
        await bot.stop()
    assert report.sent == 3 and report.rate_limited == 1
    chats = Counter(message["chat"]["id"] for message in telegram.sent_messages())
    assert chats == Counter({int(user(i, platform="telegram")): 1 for i in range(3)})


async def test_a_send_that_times_out_is_left_uncertain_not_resent(db: Database) -> None:
    seed_due(db, people=3)
    async with sandbox_with(3, rate=1000.0) as sandbox:
        sandbox.answer_late("chat.postMessage", delay=1.0)  # posted; the answer comes too late
        bot = NpsBot(settings_for(sandbox, db), db=db, platforms=["slack"])
        bot.adapters["slack"].client.timeout = 0.3  # type: ignore[attr-defined]
        bot.dispatcher.concurrency = 1
        report = await bot.dispatcher.run_pass()
        bot.dispatcher.recover(older_than=timedelta(0))
        again = await bot.dispatcher.run_pass()
    assert (report.sent, report.uncertain, report.failed) == (2, 1, 0)
    assert again.sent == again.uncertain == 0
    assert received(sandbox) == Counter({user(i): 1 for i in range(3)})
    assert statuses(db) == Counter({InvitationStatus.SENT: 2, InvitationStatus.UNCERTAIN: 1})
    with db.session() as session:
        uncertain = session.exec(
            select(Invitation).where(Invitation.status == InvitationStatus.UNCERTAIN)
        ).one()
    assert uncertain.reason and "not resent" in uncertain.reason
    assert uncertain.last_error and "did not answer in time" in uncertain.last_error


async def test_stale_claims_are_settled_after_a_crash(db: Database, settings: Settings) -> None:
    seed_due(db, people=4)
    dispatcher = Dispatcher(
        db=db,
        channels={"slack": RecordingChannel()},
        settings=settings,
        catalogue=CATALOGUE,
        clock=SystemClock(),
    )
    claimed = dispatcher.claim_due(limit=4)
    with db.session() as session:
        session.execute(
            sa.update(Invitation)
            .where(Invitation.id.in_(claimed[:1]))  # type: ignore[union-attr]
            .values(status=InvitationStatus.SENDING)
        )
    assert dispatcher.recover(older_than=timedelta(0)) == (3, 1)
    assert statuses(db) == Counter({InvitationStatus.PENDING: 3, InvitationStatus.UNCERTAIN: 1})
