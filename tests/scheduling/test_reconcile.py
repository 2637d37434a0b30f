"""Reconciling uncertain sends against the chat's history: found ones become `sent` and are
never sent twice, missing ones are sent exactly once, unreadable ones wait with the reason,
and Telegram's (no history to read) are released at their expiry, never resent.

Real Slack adapter, real sandbox; the "lost answer" is the sandbox posting the message and
answering after the client gave up, or the sending process SIGKILLed after the post.
"""

from __future__ import annotations

import asyncio
import signal
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from sqlmodel import col, select

from bench.seeding import seed_due, user
from bot import store
from bot.app import NpsBot
from bot.clock import FakeClock, SystemClock
from bot.db import Database
from bot.events import AdminCommand, Origin
from bot.models import Invitation, InvitationStatus
from bot.store.claims import LOST_AGAIN
from channels.sandbox.slack import SlackSandbox
from scheduling.reconcile import Reconciler
from tests.recording import RecordingChannel
from tests.scheduling.test_crash import received, sandbox_with, settings_for, start_child, statuses

pytestmark = pytest.mark.database  # uncertain claims and replicas

RATE = 1000.0


def slack_bot(sandbox: SlackSandbox, db: Database) -> NpsBot:
    bot = NpsBot(settings_for(sandbox, db), db=db, platforms=["slack"])
    bot.dispatcher.pacing.rates["slack"] = RATE
    return bot


def reconciler(bot: NpsBot, worker: str = "reconciler") -> Reconciler:
    """Looks at once: the sandbox has settled by the time the test asks."""
    return Reconciler(
        db=bot.db,
        channels=bot.dispatcher.channels,
        clock=SystemClock(),
        worker=worker,
        settle=timedelta(0),
    )


def invitations(db: Database) -> list[Invitation]:
    with db.session() as session:
        return list(session.exec(select(Invitation).order_by(col(Invitation.id))).all())


def left_sending_without_posting(bot: NpsBot, limit: int) -> list[int]:
    """A process that marked its claims `sending` and died before the requests left."""
    ids = bot.dispatcher.claim_due(limit=limit)
    with bot.db.engine.begin() as connection:
        marked = store.mark_sending(
            connection=connection, ids=ids, worker=bot.dispatcher.worker, now=datetime.now(UTC)
        )
    assert marked == set(ids)
    assert bot.dispatcher.recover(older_than=timedelta(0)) == (0, len(ids))
    return ids


async def test_a_lost_answer_is_found_in_the_dm_and_never_sent_twice(db: Database) -> None:
    seed_due(db, people=3)
    async with sandbox_with(3, rate=RATE) as sandbox:
        sandbox.answer_late("chat.postMessage", delay=1.0)  # posted; the answer comes too late
        bot = slack_bot(sandbox, db)
        bot.adapters["slack"].client.timeout = 0.3  # type: ignore[attr-defined]  # the Slack adapter
        bot.dispatcher.concurrency = 1
        first = await bot.dispatcher.run_pass()
        assert (first.sent, first.uncertain) == (2, 1)
        check = reconciler(bot)
        report = await check.run()
        assert (report.found, report.missing, report.unknown) == (1, 0, 0)
        found = {"outcome": "found"}
        assert check.metrics.registry.get_sample_value("npsbot_uncertain_settled_total", found) == 1
        again = await bot.dispatcher.run_pass()
        assert (await reconciler(bot).run()).found == 0
    assert again.sent == 0
    assert received(sandbox) == Counter({user(i): 1 for i in range(3)})
    assert {i.status for i in invitations(db)} == {InvitationStatus.SENT}
    (lost,) = [i for i in invitations(db) if i.reason and "history" in i.reason]
    (message,) = [
        m for m in sandbox.messages if m.metadata is not None and m.ts == lost.message_ref
    ]
    assert message.metadata == {
        "event_type": "npsbot_invitation",
        "event_payload": {"invitation_id": lost.id},
    }
    assert lost.chat_ref == message.channel and lost.sent_at and lost.expires_at
    assert sandbox.calls_to("conversations.history")[0].params["include_all_metadata"]


async def test_a_send_sigkilled_after_the_post_is_reconciled_to_sent(db: Database) -> None:
    seed_due(db, people=3)
    async with sandbox_with(3, rate=RATE) as sandbox:
        sandbox.answer_late("chat.postMessage", delay=5.0)
        child = await start_child(sandbox, db, rate=RATE, concurrency=1)
        async with asyncio.timeout(30):
            while not sandbox.messages:
                assert child.returncode is None, (await child.communicate())[1].decode()
                await asyncio.sleep(0.01)
        child.send_signal(signal.SIGKILL)
        await child.wait()
        assert len(statuses(db)[InvitationStatus.SENDING]) == 1, "killed with the post on the wire"
        bot = slack_bot(sandbox, db)
        assert bot.dispatcher.recover(older_than=timedelta(0)) == (2, 1)
        assert (await reconciler(bot).run()).found == 1
        report = await bot.dispatcher.run_pass()
    assert report.sent == 2
    assert received(sandbox) == Counter({user(i): 1 for i in range(3)})
    assert set(statuses(db)) == {InvitationStatus.SENT}


async def test_a_send_that_never_reached_slack_is_sent_exactly_once(db: Database) -> None:
    seed_due(db, people=2)
    async with sandbox_with(2, rate=RATE) as sandbox:
        bot = slack_bot(sandbox, db)
        lost = left_sending_without_posting(bot, limit=1)
        report = await reconciler(bot).run()
        assert (report.found, report.missing) == (0, 1)
        assert lost[0] in {i for i, _ in statuses(db)[InvitationStatus.PENDING]}
        sent = await bot.dispatcher.run_pass()
        assert (await reconciler(bot).run()).missing == 0
        assert (await bot.dispatcher.run_pass()).sent == 0
    assert sent.sent == 2
    assert received(sandbox) == Counter({user(i): 1 for i in range(2)})
    assert set(statuses(db)) == {InvitationStatus.SENT}


async def test_a_resend_lost_in_turn_is_not_sent_a_third_time(db: Database) -> None:
    seed_due(db, people=1)
    async with sandbox_with(1, rate=RATE) as sandbox:
        bot = slack_bot(sandbox, db)
        left_sending_without_posting(bot, limit=1)
        assert (await reconciler(bot).run()).missing == 1
        left_sending_without_posting(bot, limit=1)  # its one resend dies the same way
        (row,) = invitations(db)
        assert row.reason == LOST_AGAIN
        report = await reconciler(bot).run()
        assert (report.missing, report.released) == (0, 1)
        assert (await bot.dispatcher.run_pass()).sent == 0
    assert sandbox.messages == []
    (row,) = invitations(db)
    assert row.status == InvitationStatus.EXPIRED, "counted as asked, the person asked next cycle"
    assert row.reason and "not sent again" in row.reason


async def test_an_unreadable_history_leaves_the_send_uncertain_with_the_reason(
    db: Database,
) -> None:
    seed_due(db, people=1)
    async with sandbox_with(1, rate=RATE) as sandbox:
        sandbox.state.scopes.discard("im:history")
        bot = slack_bot(sandbox, db)
        left_sending_without_posting(bot, limit=1)
        report = await reconciler(bot).run()
        assert report.unknown == 1
        assert (await reconciler(bot).run()).unknown == 0, "looked at again only later"
        assert (await bot.dispatcher.run_pass()).sent == 0
    (row,) = invitations(db)
    assert row.status == InvitationStatus.UNCERTAIN
    assert row.reason and "missing_scope" in row.reason and "im:history" in row.reason
    assert row.reconcile_at is not None and row.reconcile_at > datetime.now(UTC)
    assert sandbox.messages == []
    origin = Origin(platform="slack", workspace="TCRASH", user_id=user(0))
    status = await bot.handle(AdminCommand(origin, "D1", "status"))
    assert status is not None and "*Unconfirmed*: 1 invitations" in status


async def test_two_replicas_look_at_each_uncertain_send_once(db: Database) -> None:
    seed_due(db, people=6)
    async with sandbox_with(6, rate=RATE) as sandbox:
        bot = slack_bot(sandbox, db)
        left_sending_without_posting(bot, limit=6)
        reports = await asyncio.gather(
            reconciler(bot, "replica-a").run(), reconciler(bot, "replica-b").run()
        )
        assert sum(r.missing for r in reports) == 6
        assert len(sandbox.calls_to("conversations.history")) == 6
        assert (await bot.dispatcher.run_pass()).sent == 6
    assert received(sandbox) == Counter({user(i): 1 for i in range(6)})


async def test_an_uncertain_telegram_send_counts_as_asked_until_its_expiry(
    db: Database,
) -> None:
    seed_due(db, people=1, platform="telegram")
    with db.engine.begin() as connection:
        connection.execute(
            sa.update(Invitation).values(
                status=InvitationStatus.UNCERTAIN, claimed_at=datetime.now(UTC)
            )
        )
    clock = FakeClock(datetime.now(UTC))
    telegram = RecordingChannel(platform="telegram")
    check = Reconciler(
        db=db, channels={"telegram": telegram}, clock=clock, worker="w", settle=timedelta(0)
    )
    assert (await check.run()).released == 0
    (row,) = invitations(db)
    assert row.status == InvitationStatus.UNCERTAIN, "no history to read: left as asked"
    clock.advance(timedelta(days=7, minutes=1))  # the workspace's expiry_days is 7
    assert (await check.run()).released == 1
    (row,) = invitations(db)
    assert row.status == InvitationStatus.EXPIRED and row.reason and "never resent" in row.reason
    assert telegram.sent == []
