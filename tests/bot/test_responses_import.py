"""`npsbot responses import` on a real database: idempotent, matched to people, in the digest."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlmodel import select

from bot import store
from bot.clock import FakeClock
from bot.db import Database
from bot.digest import Digests
from bot.history_csv import parse_history
from bot.history_import import apply_history
from bot.models import Invitation, Respondent, Response
from bot.settings import Settings
from scoring.terms import read_terms, stored_terms
from tests.bot.test_audience_import import run
from tests.bot.test_history_csv import DELIGHTED, QUALTRICS

WEEK_47 = datetime(2026, 11, 16, tzinfo=UTC)


def test_delighted_import_reports_every_bad_row_and_is_idempotent(
    env: Database, tmp_path: Path
) -> None:
    path = tmp_path / "delighted.csv"
    path.write_text(DELIGHTED, encoding="utf-8")
    code, output = run(
        "responses", "import", str(path), "--format", "delighted", "--platform", "slack"
    )
    assert code == 1
    assert f"{path}:5: rejected: score '11' is not a whole number from 0 to 10" in output
    assert f"{path}:8: rejected: response 101 already on line 2" in output
    assert "2 imported, 0 skipped as imported before, 7 rejected; 2 new people" in output
    code, output = run(
        "responses", "import", str(path), "--format", "delighted", "--platform", "slack"
    )
    assert "0 imported, 2 skipped as imported before, 7 rejected; 0 new people" in output
    with env.session() as session:
        responses = session.exec(select(Response)).all()
        invitations = session.exec(select(Invitation)).all()
        people = session.exec(select(Respondent)).all()
        jobs = store.pending_jobs(session=session)
    assert sorted(r.import_key or "" for r in responses) == ["delighted:101", "delighted:102"]
    assert all(r.followup == "imported" and r.polarity is not None for r in responses)
    assert {(i.source, i.status, i.sent_at) for i in invitations} == {
        ("imported", "answered", None)
    }
    assert {(p.platform_user_id, p.active) for p in people} == {
        ("import:ana@example.com", False),
        ("import:bo@example.com", False),
    }
    assert jobs == 0  # no alert, no follow-up


@pytest.mark.database  # the only cover of the import queries
def test_qualtrics_answers_meet_the_people_already_known(env: Database, tmp_path: Path) -> None:
    with env.session() as session:
        workspace = store.get_or_create_workspace(
            session=session, platform="slack", external_id="T1", now=WEEK_47
        )
        known = store.upsert_respondent(
            session=session, workspace=workspace, platform_user_id="U0EVE", now=WEEK_47
        )
        known_id = known.id
    path = tmp_path / "qualtrics.csv"
    path.write_text(QUALTRICS, encoding="utf-8")
    code, output = run(
        "responses", "import", str(path), "--format", "qualtrics", "--platform", "slack"
    )
    assert code == 1 and f"{path}:5: rejected: a survey preview" in output
    assert "2 imported" in output and "1 new people in slack workspace T1" in output
    with env.session() as session:
        eve = session.exec(select(Response).where(Response.import_key == "qualtrics:R_abc")).one()
    assert eve.respondent_id == known_id and eve.comment == "Too expensive"


def test_imported_answers_count_in_the_digest_but_not_in_response_rates(
    db: Database, settings: Settings
) -> None:
    rows = "".join(
        f"r{i},{10 if i % 2 else 2},2026-11-1{7 + i % 3} 10:00:00,{'' if i % 2 else 'slow'}\n"
        for i in range(40)
    )
    parsed = parse_history(
        ("response_id,score,answered_at,comment\n" + rows).encode(), name="p.csv", fmt="csv"
    )
    with db.session() as session:
        workspace = store.get_or_create_workspace(
            session=session, platform="telegram", external_id="42", now=WEEK_47
        )
    report = apply_history(db=db, parsed=parsed, workspace=workspace, now=WEEK_47, batch=7)
    assert report.imported == 40 and report.people_added == 40  # anonymous: one person each
    digests = Digests(
        db=db, channels={}, settings=settings, clock=FakeClock(WEEK_47 + timedelta(days=8))
    )
    digest, _ = digests.build(digests.week_of("2026-W47"))
    assert digest.counts.n == 40 and digest.counts.promoters == 20
    assert digest.delivered == 0 and digest.response_rate is None
    assert digest.trend[-1].n == 40 and digest.sentiment.n == 20


def test_imported_comments_come_with_their_terms(db: Database) -> None:
    """As a comment typed in the chat: the digest counts the terms stored with it."""
    rows = "r1,2,2026-11-17 10:00:00,slow checkout again\nr2,9,2026-11-17 11:00:00,\n"
    parsed = parse_history(
        ("response_id,score,answered_at,comment\n" + rows).encode(), name="p.csv", fmt="csv"
    )
    with db.session() as session:
        workspace = store.get_or_create_workspace(
            session=session, platform="telegram", external_id="42", now=WEEK_47
        )
    apply_history(db=db, parsed=parsed, workspace=workspace, now=WEEK_47)
    with db.session() as session:
        commented, silent = session.exec(select(Response).order_by(Response.import_key)).all()
    assert commented.terms == stored_terms("slow checkout again", language=commented.language)
    assert "slow checkout" in read_terms(commented.terms or "")
    assert silent.comment is None and silent.terms is None
