"""Six months of a 5,000-person audience on a 90-day cadence, one FakeClock day at a time.

The promise of continuous NPS: a steady weekly sample (5000 * 7 / 90 ≈ 389), spread over the
working week, and nobody asked again inside a gap. The run is deterministic: at this size the
weeks land within 0.95-1.02 of the sample and no weekday takes more than 28% of a week.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import UTC, datetime, time, timedelta
from itertools import pairwise
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlmodel import col, select

from bot.clock import FakeClock
from bot.db import Database
from bot.models import Invitation, InvitationStatus, Respondent, Response
from bot.store import expire_invitations, slot_for
from scheduling.bulk_planning import plan_due
from tests.scheduling.helpers import add_workspace, utc

AUDIENCE = 5_000
DAYS = 182
ZONES = [None, "Europe/Berlin", "America/New_York", "Asia/Tokyo", "America/Los_Angeles"]


def _import_audience(db: Database, *, workspace_id: int, joined: datetime) -> None:
    """One Core executemany: the ORM's bulk insert splits the rows into a statement per run
    of equal keys, and the None time zones (every fifth row) made that 2,000 round trips (30 s
    on a loaded PostgreSQL)."""
    rows = [
        {
            "workspace_id": workspace_id,
            "platform": "slack",
            "platform_user_id": f"U{index:05d}",
            "timezone": ZONES[index % len(ZONES)],
            "rotation_slot": slot_for(index, 90),
            "joined_at": joined,
            "active": True,
            "opted_out": False,
            "unreachable": False,
            "attributes": {},
        }
        for index in range(AUDIENCE)
    ]
    with db.session() as session:
        session.connection().execute(sa.insert(Respondent.__table__), rows)  # type: ignore[attr-defined]


def _deliver(db: Database, *, now: datetime, until: datetime) -> None:
    """Stand-in for the dispatcher: everything due goes out on time; a third answer in 2h."""
    table = Invitation.__table__  # type: ignore[attr-defined]
    with db.session() as session:
        due = session.execute(
            select(Invitation.id, Invitation.respondent_id, Invitation.due_at).where(
                Invitation.status == InvitationStatus.PENDING, col(Invitation.due_at) < until
            )
        ).all()
        if due:
            session.connection().execute(
                sa.update(table)
                .where(table.c.id == sa.bindparam("invitation"))
                .values(
                    status=sa.bindparam("new_status"),
                    sent_at=sa.bindparam("sent"),
                    expires_at=sa.bindparam("expires"),
                ),
                [
                    {
                        "invitation": invitation_id,
                        "new_status": InvitationStatus.ANSWERED
                        if respondent_id % 3 == 0
                        else InvitationStatus.SENT,
                        "sent": due_at,
                        "expires": due_at + timedelta(days=7),
                    }
                    for invitation_id, respondent_id, due_at in due
                ],
            )
            answers = [
                {
                    "invitation_id": invitation_id,
                    "workspace_id": 1,
                    "respondent_id": respondent_id,
                    "platform": "slack",
                    "score": 8,
                    "attributes": {},
                    "followup": "done",
                    "answered_at": due_at + timedelta(hours=2),
                }
                for invitation_id, respondent_id, due_at in due
                if respondent_id % 3 == 0
            ]
            if answers:
                session.execute(sa.insert(Response), answers)
        expire_invitations(session=session, now=now)


def test_six_months_of_continuous_nps(db: Database) -> None:
    start = utc(2025, 1, 6)  # a Monday, mid-cycle: the import must not flood day one
    clock = FakeClock(start)
    workspace_id = add_workspace(db)
    _import_audience(db, workspace_id=workspace_id, joined=start)

    for _ in range(DAYS):
        now = clock.now()
        plan_due(db=db, now=now, horizon=timedelta(days=1))
        _deliver(db=db, now=now, until=now + timedelta(days=1))
        clock.advance(timedelta(days=1))

    with db.session() as session:
        sends = session.execute(
            select(
                Invitation.respondent_id,
                Invitation.sent_at,
                Response.answered_at,
                Respondent.timezone,
            )
            .join(Respondent, col(Respondent.id) == col(Invitation.respondent_id))
            .outerjoin(Response, col(Response.invitation_id) == col(Invitation.id))
            .where(col(Invitation.sent_at).is_not(None))
            .order_by(col(Invitation.sent_at))
        ).all()

    weekly: Counter[int] = Counter()
    by_weekday: dict[int, Counter[int]] = defaultdict(Counter)
    history: dict[int, list[tuple[datetime, datetime | None]]] = defaultdict(list)
    for respondent_id, sent_at, answered_at, tz in sends:
        local = sent_at.astimezone(ZoneInfo(tz) if tz else UTC)
        assert local.weekday() < 5 and time(10) <= local.time() < time(17), local
        week = (sent_at - start).days // 7
        weekly[week] += 1
        by_weekday[week][local.weekday()] += 1
        history[respondent_id].append((sent_at, answered_at))

    full_weeks = range(DAYS // 7 - 1)  # the last week is cut short by the horizon
    expected = AUDIENCE * 7 / 90
    for week in full_weeks:
        assert 0.9 * expected <= weekly[week] <= 1.1 * expected, (week, weekly[week])
        assert max(by_weekday[week].values()) <= 0.3 * weekly[week], by_weekday[week]

    for asks in history.values():
        for (before, answered), (after, _) in pairwise(asks):
            assert after - before >= timedelta(days=30)
            if answered is not None:
                assert after - answered >= timedelta(days=90)
    assert any(len(asks) >= 2 for asks in history.values())  # the rotation came round again
