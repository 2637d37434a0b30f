"""Claim leases: a live worker keeps its claims, a dead one's come back within a minute."""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from sqlmodel import select

from bench.seeding import seed_due, user
from bot import store
from bot.app import NpsBot
from bot.clock import FakeClock
from bot.db import Database
from bot.models import Invitation, InvitationStatus
from scheduling.lease import LEASE, RECOVERY_INTERVAL, recover, renew
from tests.scheduling.test_crash import received, sandbox_with, settings_for
from tests.scheduling.test_dispatch import statuses

pytestmark = pytest.mark.database  # claims and their leases


def claim_as(db: Database, worker: str, now: datetime, limit: int) -> list[int]:
    with db.session() as session:
        return store.claim_due(
            session=session, now=now, worker=worker, limit=limit, skip_locked=False
        )


def test_a_live_workers_renewed_claims_are_not_taken_a_dead_ones_are(db: Database) -> None:
    seed_due(db, people=6)
    clock = FakeClock(datetime.now(UTC))
    live = claim_as(db, "live:1", clock.now(), 3)
    dead = claim_as(db, "dead:2", clock.now(), 3)
    for _ in range(3):  # a minute and a half of heartbeats from the live worker only
        clock.advance(LEASE * 0.9)
        assert renew(db=db, clock=clock, worker="live:1") == 3
        recover(db=db, clock=clock)
    with db.session() as session:
        rows = {i.id: (i.status, i.claimed_by) for i in session.exec(select(Invitation)).all()}
    assert {rows[i] for i in live} == {(InvitationStatus.CLAIMED, "live:1")}
    assert {rows[i][0] for i in dead} == {InvitationStatus.PENDING}


async def test_a_dead_processs_claims_are_settled_within_a_minute(db: Database) -> None:
    """Claims whose last heartbeat was 25 s ago: back (or uncertain) within 35 s more."""
    seed_due(db, people=8)
    last_beat = datetime.now(UTC) - timedelta(seconds=25)
    claimed = claim_as(db, "dead:1", last_beat, 8)
    with db.engine.begin() as connection:
        connection.execute(
            sa.update(Invitation)
            .where(Invitation.id.in_(claimed[:2]))  # type: ignore[union-attr]
            .values(status=InvitationStatus.SENDING)
        )
    assert timedelta(seconds=60) >= LEASE + RECOVERY_INTERVAL
    async with sandbox_with(8, rate=1000.0) as sandbox:
        bot = NpsBot(settings_for(sandbox, db), db=db, platforms=["slack"])
        bot.scheduler.interval = timedelta(seconds=1)
        started = time.monotonic()
        await bot.start(schedule=True)
        try:
            async with asyncio.timeout(35):
                while len(sandbox.messages) < 6:
                    await asyncio.sleep(0.05)
        finally:
            await bot.stop()
    assert time.monotonic() - started < 35
    assert sum(received(sandbox).values()) == 6 and max(received(sandbox).values()) == 1
    assert statuses(db) == Counter({InvitationStatus.SENT: 6, InvitationStatus.UNCERTAIN: 2})
    assert {user(i) for i in range(8)} - set(received(sandbox))  # the two `sending` ones
