"""Admin commands in the core: permissions, audit, cadence, status with skip reasons."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import select

from bot import store
from bot.app import NpsBot
from bot.db import Database
from bot.events import AdminCommand, Origin
from bot.models import AuditEntry, Workspace
from scheduling.bulk_planning import plan_due


async def admin(bot: NpsBot, text: str, user: str = "UADMIN", platform_admin: bool = False) -> str:
    origin = Origin(platform="slack", workspace="T1", user_id=user)
    return await bot.handle(AdminCommand(origin, "C1", text, platform_admin=platform_admin))


def workspace(db: Database) -> Workspace:
    with db.session() as session:
        return session.exec(select(Workspace)).one()


async def test_non_admin_is_refused_and_nothing_changes(bot, db) -> None:
    await admin(bot, "status", user="UNOBODY")
    reply = await admin(bot, "cadence days 30", user="UNOBODY")
    assert "only npsbot admins" in reply
    assert workspace(db).cadence_days == 90
    with db.session() as session:
        assert session.exec(select(AuditEntry)).all() == []


async def test_platform_admin_changes_cadence_and_it_is_audited(bot, db) -> None:
    reply = await admin(
        bot,
        "cadence days 30 window Mon-Thu 09:00-16:00 quiet 12:00-13:00 daily-cap 50 reminder off",
        user="UOWNER",
        platform_admin=True,
    )
    assert reply.startswith("Cadence updated: every 30 days")
    ws = workspace(db)
    assert (ws.cadence_days, ws.send_days, ws.window_start, ws.window_end) == (
        30,
        "0,1,2,3",
        "09:00",
        "16:00",
    )
    assert (ws.quiet_start, ws.quiet_end, ws.daily_cap, ws.reminder_after_days) == (
        "12:00",
        "13:00",
        50,
        None,
    )
    with db.session() as session:
        entry = session.exec(select(AuditEntry)).one()
    assert (entry.actor, entry.action) == ("slack:UOWNER", "cadence")


@pytest.mark.parametrize(
    ("text", "hint"),
    [
        ("cadence days x", "whole number of days"),
        ("cadence window Funday 10:00-12:00", "Days look like Mon-Fri"),
        ("cadence quiet 25:00-26:00", "Times look like 10:00-17:00"),
        ("send", "Usage: /nps send @user"),
        ("frobnicate", "Unknown command 'frobnicate'"),
        ('audience add "unclosed', "Usage: /nps audience"),
    ],
)
async def test_malformed_commands_get_one_line_hints(bot, text, hint) -> None:
    reply = await admin(bot, text)
    assert hint in reply and "\n" not in reply


async def test_status_counts_and_held_back_reasons(bot, db, clock) -> None:
    await admin(bot, "pause")
    assert "paused" in await admin(bot, "status")
    await admin(bot, "resume")
    with db.session() as session:
        ws = session.exec(select(Workspace)).one()
        for index in range(3):
            store.upsert_respondent(
                session=session, workspace=ws, platform_user_id=f"U{index}", now=clock.now()
            )
    clock.advance(timedelta(days=120))
    plan_due(db=db, now=clock.now())
    await bot.dispatcher.run_pass()
    with db.session() as session:
        ws = session.exec(select(Workspace)).one()
        ws.daily_cap = 0
        session.add(ws)
    clock.advance(timedelta(days=100))
    plan_due(db=db, now=clock.now())
    status = await admin(bot, "status")
    assert "*Audience*: 3 respondents (0 opted out)" in status
    assert "Due but held back" in status and "daily cap" in status


async def test_send_respects_gaps_unless_forced(bot, db, clock) -> None:
    assert (await admin(bot, "send @U7")).startswith("Survey sent to <@U7>")
    refused = await admin(bot, "send @U7")
    assert "a survey is already open" in refused and "--force" in refused
    assert (await admin(bot, "send @U7 --force")).startswith("Survey sent")
    await admin(bot, "optout @U7")
    assert "opted out" in await admin(bot, "send @U7 --force")
