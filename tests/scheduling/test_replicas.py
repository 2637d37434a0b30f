"""Replicas: two dispatch processes on one PostgreSQL database send each invitation once.

`claim_due` takes rows with `FOR UPDATE SKIP LOCKED`, so two passes running at the same time
split the due invitations between them instead of both sending them.
"""

from __future__ import annotations

import asyncio
from collections import Counter

import pytest
import sqlalchemy as sa

from bench.seeding import seed_due, user
from bot.db import Database
from bot.models import Invitation, InvitationStatus
from tests.scheduling.test_crash import received, sandbox_with, start_child

pytestmark = pytest.mark.database  # replicas race for the same rows (PostgreSQL only)

INVITATIONS = 2_000
RATE = 500.0
"""The sandbox's limit; each replica paces at its share of it."""


async def test_two_replicas_send_each_invitation_exactly_once(db: Database) -> None:
    if not db.is_postgres:
        pytest.skip("replicas share a PostgreSQL database (set NPSBOT_TEST_DATABASE_URL)")
    seed_due(db, people=INVITATIONS, known_dm=True)
    async with sandbox_with(INVITATIONS, rate=RATE) as sandbox:
        replicas = [await start_child(sandbox, db, rate=RATE / 2, concurrency=16) for _ in range(2)]
        async with asyncio.timeout(80):
            outputs = await asyncio.gather(*(replica.communicate() for replica in replicas))
    for replica, (_, err) in zip(replicas, outputs, strict=True):
        assert replica.returncode == 0, err.decode()[-2000:]

    got = received(sandbox)
    assert sum(got.values()) == INVITATIONS
    assert got == Counter({user(i): 1 for i in range(INVITATIONS)})
    with db.engine.connect() as connection:
        by_worker = dict(
            connection.execute(
                sa.select(Invitation.claimed_by, sa.func.count())
                .where(Invitation.status == InvitationStatus.SENT)
                .group_by(Invitation.claimed_by)
            ).all()
        )
    assert sum(by_worker.values()) == INVITATIONS
    assert len(by_worker) == 2, by_worker
    assert min(by_worker.values()) > INVITATIONS // 10, f"both replicas share the work: {by_worker}"
    sent_lines = [out.decode().strip() for out, _ in outputs]
    assert sum(int(line.removeprefix("sent ")) for line in sent_lines) == INVITATIONS
    posts = sandbox.calls_to("chat.postMessage")
    assert [c for c in posts if c.status == 429] == []  # the replicas share the pace
    # dnd.info is Tier 3 (50 a minute): its 429s are expected, and only pause the DND checks.
    assert {c.method for c in sandbox.calls if c.status == 429} <= {"dnd.info"}
