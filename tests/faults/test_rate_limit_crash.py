"""SIGKILL during a 429 back-off: the invitations wait released, so a crash loses nobody.

The next sixteen posts answer 429 with Retry-After 5 s. The dispatcher puts each row that
met one back to pending (not due before then) instead of waiting inside the `sending` claim,
and the rows not yet on the wire wait for the pacer's pause while only `claimed`; the process
is killed during that wait, and the rest of the storm meets the restarted one. Nobody is
`uncertain`, and after a restart (the dead claims come back when their lease runs out)
everyone is invited exactly once within the 90 s the issue asks for. As in test_lease, the
dead claims are dated AGO seconds back (the kill "was" that long ago), so the lease runs out
in seconds instead of a real half-minute wait, and AGO counts towards the 90 s.
"""

from __future__ import annotations

import asyncio
import signal
import time
from collections import Counter
from datetime import timedelta

import pytest
import sqlalchemy as sa

from bench.seeding import seed_due, user
from bot.app import NpsBot
from bot.db import Database
from bot.models import Invitation, InvitationStatus
from channels.sandbox.slack import SlackSandbox
from scheduling.lease import LEASE
from tests.scheduling.test_crash import received, sandbox_with, settings_for, start_child, statuses

pytestmark = pytest.mark.database  # claims after a crash

PEOPLE = 16
RETRY_AFTER = 5
AGO = 25  # seconds; under LEASE (30 s), so the restarted process still waits for it to run out


def sending(db: Database) -> int:
    with db.engine.connect() as connection:
        return connection.execute(
            sa.select(sa.func.count()).where(Invitation.status == InvitationStatus.SENDING)
        ).scalar_one()


def backdate_claims(db: Database, *, seconds: float) -> None:
    """Every claim's lease as if taken `seconds` earlier."""
    with db.engine.begin() as connection:
        claims = connection.execute(
            sa.select(Invitation.id, Invitation.claimed_at).where(
                Invitation.claimed_at.is_not(None)  # type: ignore[union-attr]
            )
        ).all()
        for invitation_id, claimed_at in claims:
            connection.execute(
                sa.update(Invitation)
                .where(Invitation.id == invitation_id)
                .values(claimed_at=claimed_at - timedelta(seconds=seconds))
            )


def rate_limited(sandbox: SlackSandbox) -> int:
    return sum(c.status == 429 for c in sandbox.calls_to("chat.postMessage"))


async def test_sigkill_in_a_429_back_off_leaves_nobody_uncertain(db: Database) -> None:
    seed_due(db, people=PEOPLE)
    async with sandbox_with(PEOPLE, rate=1000.0) as sandbox:
        sandbox.fail_next("chat.postMessage", status=429, count=PEOPLE, retry_after=RETRY_AFTER)
        child = await start_child(sandbox, db, rate=1000.0, concurrency=PEOPLE)
        async with asyncio.timeout(30):  # the first 429s answered and written: the back-off
            while not rate_limited(sandbox) or sending(db):
                assert child.returncode is None, (await child.communicate())[1].decode()
                await asyncio.sleep(0.01)
        child.send_signal(signal.SIGKILL)
        await child.wait()
        assert sandbox.messages == [], "the kill landed inside the back-off"
        left = statuses(db)
        # Released by their 429 (pending), or still waiting for the pacer's pause (claimed,
        # never on the wire): nobody is `sending` or `uncertain`.
        assert set(left) <= {InvitationStatus.PENDING, InvitationStatus.CLAIMED}, left
        assert timedelta(seconds=AGO) < LEASE
        backdate_claims(db, seconds=AGO)

        killed = time.monotonic() - AGO
        bot = NpsBot(settings_for(sandbox, db), db=db, platforms=["slack"])
        bot.dispatcher.pacing.rates["slack"] = 1000.0
        bot.scheduler.interval = timedelta(seconds=1)
        await bot.start(schedule=True)
        try:
            async with asyncio.timeout(90):
                while len(sandbox.messages) < PEOPLE:
                    await asyncio.sleep(0.05)
        finally:
            await bot.stop()
    assert time.monotonic() - killed < 90
    assert received(sandbox) == Counter({user(i): 1 for i in range(PEOPLE)})
    final = statuses(db)
    assert set(final) == {InvitationStatus.SENT} and len(final[InvitationStatus.SENT]) == PEOPLE
