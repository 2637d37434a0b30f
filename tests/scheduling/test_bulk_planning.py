"""The planner against a real SQLite file: rotation, gaps per person, cap, pause, reminders."""

from __future__ import annotations

from datetime import date, timedelta
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from sqlmodel import col, select

from bot.clock import FakeClock
from bot.db import Database
from bot.models import Invitation, InvitationStatus
from scheduling.bulk_planning import plan_due
from scheduling.explain import explain
from scheduling.reminders import plan_reminders
from tests.scheduling.helpers import add_respondent, add_sent, add_workspace, utc

pytestmark = pytest.mark.database  # the only cover of the set-based planning queries

EVERY_DAY = "0,1,2,3,4,5,6"
TODAY = date(2025, 6, 4)  # a Wednesday; used as the epoch so slot 0 is due today
MORNING = utc(2025, 6, 4, 6)


def _invitations(db: Database) -> list[Invitation]:
    with db.session() as session:
        return list(session.exec(select(Invitation).order_by(col(Invitation.id))).all())


def test_due_respondent_is_planned_once_inside_the_local_window(db: Database) -> None:
    ws = add_workspace(db, send_days=EVERY_DAY)
    add_respondent(db, workspace_id=ws, user="U1", timezone="Europe/Berlin", rotation_slot=0)
    add_respondent(db, workspace_id=ws, user="U2", timezone="Europe/Berlin", rotation_slot=5)
    clock = FakeClock(MORNING)

    report = plan_due(db=db, now=clock.now(), epoch=TODAY)
    again = plan_due(db=db, now=clock.now(), epoch=TODAY)

    assert (report.planned, again.planned) == (1, 0)
    (invitation,) = _invitations(db)
    assert invitation.id == report.invitation_ids[0]
    assert invitation.source == "scheduled" and invitation.status == InvitationStatus.PENDING
    assert invitation.due_at == utc(2025, 6, 4, 8)  # 10:00 in Berlin (CEST)


def test_one_person_on_slack_and_telegram_is_asked_as_one(db: Database) -> None:
    slack = add_workspace(db, platform="slack", external_id="T1", send_days=EVERY_DAY)
    telegram = add_workspace(db, platform="telegram", external_id="B1", send_days=EVERY_DAY)
    for ws, user in ((slack, "U1"), (telegram, "777")):
        add_respondent(db, workspace_id=ws, user=user, person_key="ann@example.com")

    report = plan_due(db=db, now=MORNING, epoch=TODAY)

    assert report.planned == 1
    assert len(_invitations(db)) == 1


def test_gap_follows_the_person_across_platforms(db: Database) -> None:
    slack = add_workspace(db, platform="slack", external_id="T1", send_days=EVERY_DAY)
    telegram = add_workspace(db, platform="telegram", external_id="B1", send_days=EVERY_DAY)
    on_slack = add_respondent(db, workspace_id=slack, user="U1", person_key="ann@example.com")
    add_respondent(db, workspace_id=telegram, user="777", person_key="ann@example.com")
    # Asked on Slack 100 days ago (before this cycle), answered 10 days later: 90-day gap.
    add_sent(
        db,
        respondent_id=on_slack,
        sent_at=MORNING - timedelta(days=100),
        answered_at=MORNING - timedelta(days=85),
    )

    report = plan_due(db=db, now=MORNING, epoch=TODAY)

    assert report.planned == 0
    assert report.skipped == {"minimum gap": 2}


def test_answer_gap_ending_mid_morning_delays_the_send_not_the_day(db: Database) -> None:
    ws = add_workspace(db, send_days=EVERY_DAY)
    rid = add_respondent(db, workspace_id=ws, user="U1")
    answered = utc(2025, 3, 6, 11, 30)  # + 90 days = 4 June 11:30
    add_sent(db, respondent_id=rid, sent_at=answered - timedelta(hours=1), answered_at=answered)

    report = plan_due(db=db, now=MORNING, epoch=TODAY)

    assert report.planned == 1
    assert _invitations(db)[-1].due_at == utc(2025, 6, 4, 11, 30)


def test_unanswered_gap_is_thirty_days(db: Database) -> None:
    ws = add_workspace(db, send_days=EVERY_DAY)
    # Slot 1 of a cycle that began yesterday: both earlier asks belong to the last cycle.
    recent = add_respondent(db, workspace_id=ws, user="U1", rotation_slot=1)
    older = add_respondent(db, workspace_id=ws, user="U2", rotation_slot=1)
    add_sent(db, respondent_id=recent, sent_at=MORNING - timedelta(days=20))
    add_sent(db, respondent_id=older, sent_at=MORNING - timedelta(days=40))
    with db.session() as session:  # both expired long ago
        session.execute(sa.update(Invitation).values(status=InvitationStatus.EXPIRED))

    report = plan_due(db=db, now=MORNING, epoch=TODAY - timedelta(days=1))

    assert report.skipped == {"minimum gap": 1}
    assert [invitation.respondent_id for invitation in _invitations(db)][-1] == older


def test_daily_cap_spills_the_rest_to_the_next_days(db: Database) -> None:
    ws = add_workspace(db, send_days=EVERY_DAY, daily_cap=5)
    for index in range(12):
        add_respondent(db, workspace_id=ws, user=f"U{index}")

    first = plan_due(db=db, now=MORNING, epoch=TODAY)
    second = plan_due(db=db, now=MORNING + timedelta(days=1), epoch=TODAY)

    assert (first.planned, first.skipped) == (5, {"daily cap": 7})
    assert (second.planned, second.skipped) == (5, {"daily cap": 2})
    days = [invitation.due_at.date() for invitation in _invitations(db) if invitation.due_at]
    assert days.count(TODAY) == 5 and days.count(TODAY + timedelta(days=1)) == 5


def test_paused_workspace_plans_nothing_and_opt_outs_are_counted(db: Database) -> None:
    paused = add_workspace(db, external_id="T1", send_days=EVERY_DAY, paused=True)
    live = add_workspace(db, external_id="T2", send_days=EVERY_DAY)
    add_respondent(db, workspace_id=paused, user="U1")
    add_respondent(db, workspace_id=live, user="U2", opted_out=True)
    add_respondent(db, workspace_id=live, user="U3", unreachable=True)
    add_respondent(db, workspace_id=live, user="U4", active=False)

    report = plan_due(db=db, now=MORNING, epoch=TODAY)

    assert report.planned == 0 and report.workspaces == 1
    assert report.skipped == {"opted out": 1, "unreachable": 1}


def test_newcomer_whose_slot_passed_waits_for_the_next_cycle(db: Database) -> None:
    ws = add_workspace(db, send_days=EVERY_DAY)
    joined = MORNING + timedelta(days=1)  # the day after their slot's day
    add_respondent(db, workspace_id=ws, user="U1", rotation_slot=0, joined_at=joined)

    assert plan_due(db=db, now=MORNING + timedelta(days=3), epoch=TODAY).planned == 0
    assert plan_due(db=db, now=MORNING + timedelta(days=90), epoch=TODAY).planned == 1


def test_planning_cost_does_not_grow_with_the_audience(db: Database) -> None:
    def statements(audience: int, offset: int) -> int:
        ws = add_workspace(db, external_id=f"T{offset}", send_days=EVERY_DAY)
        with db.session() as session:
            from bot.models import Respondent

            session.add_all(
                Respondent(
                    workspace_id=ws,
                    platform="slack",
                    platform_user_id=f"U{offset}-{index}",
                    rotation_slot=index % 90,
                )
                for index in range(audience)
            )
        seen: list[str] = []
        listener = lambda *args: seen.append(args[2])  # noqa: E731
        sa.event.listen(db.engine, "before_cursor_execute", listener)
        try:
            plan_due(db=db, now=MORNING + timedelta(days=offset), epoch=TODAY)
        finally:
            sa.event.remove(db.engine, "before_cursor_execute", listener)
        return len(seen)

    small = statements(20, 0)
    large = statements(900, 1)
    assert large <= small + 6  # one more workspace's handful, never one per respondent
    assert large <= 20


def test_reminders_pick_old_unanswered_invitations_inside_the_window(db: Database) -> None:
    ws = add_workspace(db, send_days=EVERY_DAY, reminder_after_days=3)
    now = utc(2025, 6, 4, 12)
    waiting = add_sent(
        db,
        respondent_id=add_respondent(db, workspace_id=ws, user="U1"),
        sent_at=now - timedelta(days=4),
    )
    add_sent(
        db,
        respondent_id=add_respondent(db, workspace_id=ws, user="U2"),
        sent_at=now - timedelta(days=2),
    )  # too fresh
    add_sent(
        db,
        respondent_id=add_respondent(db, workspace_id=ws, user="U3"),
        sent_at=now - timedelta(days=4),
        answered_at=now - timedelta(days=3),
    )
    add_sent(
        db,
        respondent_id=add_respondent(db, workspace_id=ws, user="U4"),
        sent_at=now - timedelta(days=8),
    )  # expired
    night_owl = add_respondent(db, workspace_id=ws, user="U5", timezone="Asia/Tokyo")
    add_sent(db, respondent_id=night_owl, sent_at=now - timedelta(days=4))  # 21:00 in Tokyo
    reminded = add_sent(
        db,
        respondent_id=add_respondent(db, workspace_id=ws, user="U6"),
        sent_at=now - timedelta(days=4),
    )
    with db.session() as session:
        session.execute(
            sa.update(Invitation).where(col(Invitation.id) == reminded).values(reminded_at=now)
        )

    assert plan_reminders(db=db, now=now) == [waiting]


def test_a_reminder_does_not_restart_the_gap(db: Database) -> None:
    ws = add_workspace(db, send_days=EVERY_DAY)
    rid = add_respondent(db, workspace_id=ws, user="U1", rotation_slot=1)
    sent = add_sent(db, respondent_id=rid, sent_at=MORNING - timedelta(days=31))
    with db.session() as session:
        session.execute(
            sa.update(Invitation)
            .where(col(Invitation.id) == sent)
            .values(status=InvitationStatus.EXPIRED, reminded_at=MORNING - timedelta(days=5))
        )

    assert plan_due(db=db, now=MORNING, epoch=TODAY - timedelta(days=1)).planned == 1


def test_explain_says_when_and_why_not_sooner(db: Database) -> None:
    ws = add_workspace(db, send_days=EVERY_DAY)
    rid = add_respondent(db, workspace_id=ws, user="U1", timezone="America/New_York")
    add_sent(
        db,
        respondent_id=rid,
        sent_at=MORNING - timedelta(days=60),
        answered_at=MORNING - timedelta(days=59),
    )

    why = explain(db=db, workspace_id=ws, platform_user_id="U1", now=MORNING, epoch=TODAY)

    assert why.last_asked == MORNING - timedelta(days=60)
    assert why.last_answered == MORNING - timedelta(days=59)
    assert why.reason == "minimum gap"
    assert why.next_due is not None
    local = why.next_due.astimezone(ZoneInfo("America/New_York"))
    assert why.next_due >= MORNING + timedelta(days=31) and 10 <= local.hour < 17

    plan_due(db=db, now=MORNING + timedelta(days=31), epoch=TODAY)
    pending = explain(
        db=db, workspace_id=ws, platform_user_id="U1", now=MORNING + timedelta(days=31)
    )
    assert pending.open_invitation_id == _invitations(db)[-1].id
