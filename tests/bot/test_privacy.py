"""Privacy and retention on a real database: the admin's `npsbot privacy forget|export`
(audited), pseudonymous exports in anonymous mode, the daily purges, stale profiles."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from sqlmodel import col, select
from typer.testing import CliRunner

from bot import store
from bot.cli import app
from bot.db import Database
from bot.models import AuditEntry, ProcessedEvent, Respondent, Response
from bot.retention import purge
from bot.settings import Settings
from scoring.terms import stored_terms
from tests.bot.test_digests import WEEK_48, seed, week_of_answers

pytestmark = pytest.mark.database  # erasure

runner = CliRunner()


@pytest.fixture
def env(db: Database, tmp_path: object, monkeypatch: pytest.MonkeyPatch) -> Database:
    monkeypatch.chdir(str(tmp_path))
    monkeypatch.setenv("NPSBOT_DATABASE_URL", db.url)
    monkeypatch.setenv("NPSBOT_COMPANY_NAME", "Acme")
    seed(db, week_of_answers(WEEK_48, 5, 3, 2))
    return db


def run(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.output


def audit_actions(db: Database) -> list[tuple[str, str]]:
    with db.session() as session:
        return [(a.actor, a.action) for a in session.exec(select(AuditEntry))]


def test_admin_exports_then_forgets_a_person_and_the_digest_is_unchanged(env: Database) -> None:
    code, out = run("privacy", "export", "--platform", "slack", "--user", "U0")
    assert code == 0, out
    (stored,) = json.loads(out)["workspaces"]
    assert stored["person"]["display_name"] == "Person 0"
    assert stored["responses"][0]["comment"]
    _, digest_before = run("digest", "--week", "2026-W48")

    code, out = run("privacy", "forget", "--platform", "slack", "--user", "U0")
    assert (code, out.strip()) == (0, "Erased slack user U0 from 1 workspace(s).")
    assert audit_actions(env) == [("cli", "privacy export"), ("cli", "privacy forget")]
    with env.session() as session:
        assert store.find_respondent(session=session, workspace_id=1, platform_user_id="U0") is None
        forgotten = session.exec(select(Response).where(Response.respondent_id == 1)).one()
        assert (forgotten.score, forgotten.comment, forgotten.attributes) == (10, None, {})
    _, digest_after = run("digest", "--week", "2026-W48")
    nps = [line for line in digest_before.splitlines() if "NPS" in line][:2]
    assert nps and all(line in digest_after for line in nps)

    code, out = run("privacy", "export", "--platform", "slack", "--user", "U0")
    assert (code, out.strip()) == (2, "error: no slack user U0 is known")


def test_unknown_person_and_bad_platform_are_one_line(env: Database) -> None:
    code, out = run("privacy", "forget", "--platform", "slack", "--user", "U404")
    assert (code, out.strip()) == (2, "error: no slack user U404 is known")
    code, out = run("privacy", "forget", "--platform", "irc", "--user", "U1")
    assert code == 2 and "irc" in out
    assert audit_actions(env) == []


def test_export_is_pseudonymous_in_anonymous_mode_unless_identified(
    env: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NPSBOT_ANONYMOUS", "true")
    rows = [json.loads(line) for line in run("export", "--format", "jsonl")[1].splitlines()]
    again = [json.loads(line) for line in run("export", "--format", "jsonl")[1].splitlines()]
    assert len(rows) == 10 and [r["user_id"] for r in rows] == [r["user_id"] for r in again]
    assert len({r["user_id"] for r in rows}) == 10
    assert all(r["user_id"].startswith("p-") and r["display_name"] is None for r in rows)
    identified = run("export", "--format", "jsonl", "--identified")[1].splitlines()
    assert json.loads(identified[0])["display_name"] == "Person 0"
    monkeypatch.setenv("NPSBOT_ANONYMOUS", "false")
    with env.session() as session:
        workspace = store.sole_workspace(session=session, platform="slack")
        workspace.anonymous = True  # `/nps anonymous on`
        session.add(workspace)
    plain = json.loads(run("export", "--format", "jsonl")[1].splitlines()[0])
    assert plain["user_id"] == rows[0]["user_id"] and plain["display_name"] is None


def test_retention_purges_old_texts_audit_and_delivery_marks(env: Database) -> None:
    now = WEEK_48 + timedelta(days=40)
    with env.session() as session:
        session.execute(sa.update(Response).values(commented_at=Response.answered_at))
        store.audit(
            session=session,
            workspace_id=1,
            actor="a",
            action="old",
            detail="",
            now=now - timedelta(days=500),
        )
        store.audit(session=session, workspace_id=1, actor="a", action="new", detail="", now=now)
        store.mark_processed(session=session, key="old", now=now - timedelta(days=8))
        store.mark_processed(session=session, key="new", now=now)
    keep = Settings(NPSBOT_DATABASE_URL=env.url)
    assert purge(db=env, settings=keep, now=now).texts == 0  # unset: texts are kept
    with env.session() as session:
        assert store.totals(session=session).comments > 0
        assert [a.action for a in session.exec(select(AuditEntry))] == ["new"]
        assert [e.key for e in session.exec(select(ProcessedEvent))] == ["new"]
    short = Settings(NPSBOT_DATABASE_URL=env.url, NPSBOT_RETENTION_DAYS=30)
    assert purge(db=env, settings=short, now=now).texts > 0
    with env.session() as session:
        assert store.totals(session=session).comments == 0
        assert sorted(r.score for r in session.exec(select(Response))) == [3, 3, 7, 7, 7] + [10] * 5


def test_retention_settings_are_range_checked() -> None:
    with pytest.raises(ValueError, match="NPSBOT_RETENTION_DAYS"):
        Settings(NPSBOT_RETENTION_DAYS=0)
    with pytest.raises(ValueError, match="NPSBOT_AUDIT_RETENTION_DAYS"):
        Settings(NPSBOT_AUDIT_RETENTION_DAYS=1)


def test_stale_profiles_never_fetched_first_then_oldest_through_the_index(env: Database) -> None:
    now = datetime(2026, 12, 1, tzinfo=UTC)
    with env.session() as session:
        people = session.exec(select(Respondent).order_by(Respondent.id)).all()
        for index, person in enumerate(people):
            person.profile_refreshed_at = None if index < 2 else now - timedelta(days=index)
            session.add(person)
        session.flush()
        ids = [p.id for p in people]
        stale = store.stale_profiles(session=session, cutoff=now - timedelta(days=5), limit=4)
        assert stale == [ids[0], ids[1], ids[9], ids[8]]
        if env.url.startswith("sqlite"):
            plan = session.execute(
                sa.text(
                    "EXPLAIN QUERY PLAN SELECT id FROM respondent WHERE profile_refreshed_at < :c "
                    "ORDER BY profile_refreshed_at, id LIMIT 4"
                ),
                {"c": "2026-11-26"},
            ).all()
            assert "ix_respondent_profile_refreshed_at_id" in str(plan)


def test_erasure_and_retention_take_the_comments_terms_with_them(env: Database) -> None:
    """The terms stored with a comment are its words: forgetting the person or purging old
    texts leaves none behind."""
    with env.session() as session:
        for response in session.exec(select(Response).where(col(Response.comment).is_not(None))):
            response.terms = stored_terms(response.comment or "", language=None)
            session.add(response)
    code, out = run("privacy", "forget", "--platform", "slack", "--user", "U0")
    assert code == 0, out
    with env.session() as session:
        forgotten = session.exec(select(Response).where(Response.respondent_id == 1)).one()
        assert (forgotten.comment, forgotten.terms) == (None, None)
        assert session.exec(select(Response).where(col(Response.terms).is_not(None))).all()
        session.execute(sa.update(Response).values(commented_at=Response.answered_at))
    now = WEEK_48 + timedelta(days=40)
    purge(db=env, settings=Settings(NPSBOT_DATABASE_URL=env.url, NPSBOT_RETENTION_DAYS=30), now=now)
    with env.session() as session:
        assert session.exec(select(Response).where(col(Response.terms).is_not(None))).all() == []
