"""Crash safety: a dispatch process SIGKILLed mid-pass sends nobody twice and loses nobody.

A real process sends through the real Slack adapter to a rate-limited sandbox in this test's
event loop; it is killed once the sandbox has ~500 messages. Settling its claims and running
another pass must leave every person with exactly one message, except the few whose send was
on the wire at the kill: those are `uncertain`, reported, never resent.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from collections import Counter
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlmodel import col

from bench.seeding import seed_due, user
from bot.app import NpsBot
from bot.db import Database
from bot.models import Invitation, InvitationStatus, Respondent
from bot.settings import Settings
from channels.sandbox.slack import RateLimits, SlackSandbox

pytestmark = pytest.mark.database  # claims and replays after a crash

ROOT = Path(__file__).resolve().parents[2]
PEOPLE = 2_000
KILL_AT = 500
RATE = 300.0
CONCURRENCY = 16

CHILD = """
import asyncio, sys
from bot.app import NpsBot
from bot.settings import load_settings

async def main() -> None:
    bot = NpsBot(load_settings(), platforms=["slack"])
    bot.dispatcher.pacing.rates["slack"] = float(sys.argv[1])
    bot.dispatcher.concurrency = int(sys.argv[2])
    await bot.start()
    try:
        report = await bot.dispatcher.run_pass()
    finally:
        await bot.stop()
    print(f"sent {report.sent}")

asyncio.run(main())
"""
"""One dispatch pass in a process of its own: `npsbot survey run-due` with a chosen rate."""


def sandbox_with(people: int, *, rate: float) -> SlackSandbox:
    sandbox = SlackSandbox(rates=RateLimits(post_per_workspace_per_second=rate))
    for i in range(people):
        sandbox.add_user(user(i))
    return sandbox


def settings_for(sandbox: SlackSandbox, db: Database) -> Settings:
    return Settings(
        SLACK_BOT_TOKEN=sandbox.bot_token,
        SLACK_SIGNING_SECRET="x",
        NPSBOT_SLACK_API_URL=sandbox.api_url,
        NPSBOT_DATABASE_URL=db.url,
    )


async def start_child(
    sandbox: SlackSandbox, db: Database, *, rate: float, concurrency: int
) -> asyncio.subprocess.Process:
    env = {
        **os.environ,
        "SLACK_BOT_TOKEN": sandbox.bot_token,
        "SLACK_SIGNING_SECRET": "x",
        "NPSBOT_SLACK_API_URL": sandbox.api_url,
        "NPSBOT_DATABASE_URL": db.url,
        "NPSBOT_PRELOAD_MODELS": "false",  # it only sends: no comment, no model
    }
    env.pop("TELEGRAM_BOT_TOKEN", None)
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-c",
        CHILD,
        str(rate),
        str(concurrency),
        cwd=ROOT,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )


def received(sandbox: SlackSandbox) -> Counter[str]:
    """Messages each person received, by user id (a DM channel is `D` + the user id)."""
    return Counter(message.channel.removeprefix("D") for message in sandbox.messages)


def statuses(db: Database) -> dict[str, list[tuple[int, str]]]:
    """(invitation id, user id) by status."""
    with db.engine.connect() as connection:
        rows = connection.execute(
            sa.select(Invitation.id, Invitation.status, Respondent.platform_user_id).join(
                Respondent, Respondent.id == Invitation.respondent_id
            )
        ).all()
    found: dict[str, list[tuple[int, str]]] = {}
    for invitation_id, status, user_id in rows:
        found.setdefault(status, []).append((invitation_id, user_id))
    return found


async def test_sigkill_mid_pass_sends_nobody_twice_and_loses_nobody(db: Database) -> None:
    seed_due(db, people=PEOPLE)
    async with sandbox_with(PEOPLE, rate=RATE) as sandbox:
        child = await start_child(sandbox, db, rate=RATE, concurrency=CONCURRENCY)
        async with asyncio.timeout(30):
            while len(sandbox.messages) < KILL_AT:
                assert child.returncode is None, (await child.communicate())[1].decode()
                await asyncio.sleep(0.005)
        child.send_signal(signal.SIGKILL)
        await child.wait()
        assert child.returncode == -signal.SIGKILL
        at_kill = len(sandbox.messages)
        assert KILL_AT <= at_kill < PEOPLE - 500, "the kill must land mid-pass"
        left = statuses(db)
        claimed = {user_id for _, user_id in left.get(InvitationStatus.CLAIMED, [])}
        assert claimed, "a killed pass leaves claims that never reached the platform"
        assert len(left.get(InvitationStatus.SENDING, [])) <= CONCURRENCY

        bot = NpsBot(settings_for(sandbox, db), db=db, platforms=["slack"])
        bot.dispatcher.pacing.rates["slack"] = RATE
        retried, uncertain = bot.dispatcher.recover(older_than=timedelta(0))
        assert retried >= len(claimed) and uncertain <= CONCURRENCY
        await bot.start()
        try:
            report = await bot.dispatcher.run_pass()
        finally:
            await bot.stop()

    got = received(sandbox)
    final = statuses(db)
    unsure = {user_id for _, user_id in final.get(InvitationStatus.UNCERTAIN, [])}
    everyone = {user(i) for i in range(PEOPLE)}
    assert max(got.values()) == 1, "nobody is asked twice"
    assert everyone - set(got) <= unsure, "everyone is asked, unless their send is uncertain"
    assert len(unsure) == uncertain <= CONCURRENCY
    assert len(final[InvitationStatus.SENT]) + len(unsure) == PEOPLE
    assert report.sent >= PEOPLE - at_kill - CONCURRENCY
    # The claims the dead process never sent went out now, once each.
    assert all(got[user_id] == 1 for user_id in claimed)
    assert claimed <= {user_id for _, user_id in final[InvitationStatus.SENT]}


async def test_claim_that_never_reached_the_platform_is_retried(db: Database) -> None:
    """A process that dies right after claiming: its claims go back to pending, then out."""
    seed_due(db, people=20)
    async with sandbox_with(20, rate=RATE) as sandbox:
        bot = NpsBot(settings_for(sandbox, db), db=db, platforms=["slack"])
        bot.dispatcher.pacing.rates["slack"] = RATE
        dead = bot.dispatcher.claim_due(limit=8)  # claimed, then the process "died"
        assert len(dead) == 8
        assert bot.dispatcher.recover() == (0, 0), "a fresh claim is not settled yet"
        assert bot.dispatcher.recover(older_than=timedelta(0)) == (8, 0)
        await bot.start()
        try:
            report = await bot.dispatcher.run_pass()
        finally:
            await bot.stop()
    assert report.sent == 20
    assert received(sandbox) == Counter({user(i): 1 for i in range(20)})
    with db.session() as session:
        attempts = session.execute(
            sa.select(Invitation.attempts).where(col(Invitation.id).in_(dead))
        ).scalars()
        assert set(attempts) == {2}, "the retried claims count their first attempt"
