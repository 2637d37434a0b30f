"""The kept counts of ended weeks (`weekcount`): the digest reads the same with them as
without, and every write that changes an ended week drops that week's rows in its own
transaction (migration 0010's triggers), so the next digest counts it anew."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import datetime, timedelta

import pytest
import sqlalchemy as sa
from sqlmodel import Session, col, select

from bot import store
from bot.db import Database
from bot.digest import gather
from bot.models import Invitation, Respondent, Response, WeekCount
from bot.store.digest import Span
from scoring.digest import DigestInput
from tests.bot.test_digest_queries import WEEK, answers, seed

pytestmark = pytest.mark.database  # triggers on each database, a concurrent writer

NOW = WEEK.end + timedelta(days=1)
BEFORE = WEEK.start - timedelta(weeks=1)
"""The week before the digest's: ended, so kept, and holding answers (see `answers`)."""


def _digest(db: Database, *, kept: bool) -> DigestInput:
    return gather(db, company="Acme", week=WEEK, tz="UTC", closed_before=NOW if kept else None)


def _kept(db: Database) -> set[tuple[int, datetime]]:
    with db.session() as session:
        rows = session.exec(select(WeekCount.workspace_id, WeekCount.start_at)).all()
    return set(rows)


def _seeded(db: Database) -> DigestInput:
    """The answers of `test_digest_queries`, their weeks kept by a first digest."""
    seed(db, answers(), unanswered=7)
    live = _digest(db, kept=False)
    assert _kept(db) == set()  # counted from the answers alone, nothing kept
    assert _digest(db, kept=True) == live  # counts and keeps the ended weeks
    return live


def test_the_digest_reads_the_same_from_the_kept_weeks(db: Database) -> None:
    live = _seeded(db)
    kept = _kept(db)
    assert len(kept) == 2 * 11  # two workspaces, the eleven ended weeks before the digest's
    assert all(start < WEEK.start for _, start in kept)  # its own week is always counted
    assert _digest(db, kept=True) == live  # read back from them
    assert _digest(db, kept=True).delivered[-2] == live.delivered[-2] > 0


def test_an_open_week_is_not_kept(db: Database) -> None:
    seed(db, answers(), unanswered=0)
    assert gather(db, company="Acme", week=WEEK, tz="UTC", closed_before=BEFORE) is not None
    assert {start for _, start in _kept(db)} == {
        WEEK.start - timedelta(weeks=weeks) for weeks in range(2, 12)
    }  # the week before ended after `closed_before`


def _one(session: Session, model: type[Response | Invitation], start: datetime) -> int:
    at = col(Response.answered_at) if model is Response else col(Invitation.sent_at)
    found = session.exec(select(model.id).where(at >= start, at < start + timedelta(weeks=1)))
    return found.first() or 0


def _import(session: Session) -> None:
    person = session.exec(select(Respondent)).first()
    assert person is not None and person.id is not None
    answer = {"respondent_id": person.id, "platform": "slack", "score": 10, "attributes": {}}
    store.save_imported(
        session=session,
        workspace_id=person.workspace_id,
        answers=[answer | {"answered_at": BEFORE + timedelta(hours=5)}],
        now=NOW,
    )


def _rescore(session: Session) -> None:
    response = session.get(Response, _one(session, Response, BEFORE))
    assert response is not None
    store.rescore(session=session, response=response, score=0, answered_at=NOW)


def _set(model: type[Response | Invitation], **values: object) -> Callable[[Session], None]:
    def write(session: Session) -> None:
        row = _one(session, model, BEFORE)
        session.execute(sa.update(model).where(col(model.id) == row).values(**values))

    return write


def _delete_answer(session: Session) -> None:
    response = _one(session, Response, BEFORE)
    session.execute(sa.delete(Response).where(col(Response.id) == response))


def _deliver_late(session: Session) -> None:
    """Reconciliation's finding: an invitation of this week was in fact sent the week before."""
    invitation = _one(session, Invitation, WEEK.start)
    values = {"sent_at": BEFORE + timedelta(hours=1)}
    session.execute(sa.update(Invitation).where(col(Invitation.id) == invitation).values(values))


WRITES: dict[str, Callable[[Session], None]] = {
    "history import": _import,
    "re-scoring (the answer moves to now)": _rescore,
    "a score changed": _set(Response, score=3),
    "an answer moved to another week": _set(Response, answered_at=NOW),
    "an answer moved to another workspace": _set(Response, workspace_id=2),
    "an answer deleted": _delete_answer,
    "a delivery found in an earlier week": _deliver_late,
    "a delivery withdrawn": _set(Invitation, sent_at=None),
}


def _forget(session: Session) -> None:
    person = session.get(Respondent, 1)
    assert person is not None
    store.forget_respondent(session=session, respondent=person, now=NOW)


def _purge(session: Session) -> None:
    store.purge_texts(session=session, before=NOW)


KEEPING = {"erasure (scores stay)": _forget, "retention (texts go, scores stay)": _purge}


CHANGES = {
    **{name: (write, True) for name, write in WRITES.items()},
    **{name: (write, False) for name, write in KEEPING.items()},
}


@pytest.mark.parametrize(("write", "drops"), CHANGES.values(), ids=CHANGES.keys())
def test_a_write_drops_the_ended_week_it_changes_and_no_other(
    db: Database, write: Callable[[Session], None], drops: bool
) -> None:
    _seeded(db)
    before = _kept(db)
    with db.session() as session:
        write(session)
    after = _kept(db)
    assert after <= before
    assert {start for _, start in before - after} == ({BEFORE} if drops else set())
    assert _digest(db, kept=True) == _digest(db, kept=False)  # counted anew, and kept
    assert _kept(db) == before


def test_a_writer_still_writing_keeps_the_fill_from_counting_without_it(db: Database) -> None:
    """PostgreSQL: a writer that has not committed holds the triggers' shared lock, so the
    fill keeps nothing (its count would miss the row and nothing would drop it); SQLite
    has one writer at a time, and the fill waits for the file lock."""
    if not db.is_postgres:
        pytest.skip("SQLite's one writer at a time makes the fill wait for the writer")
    seed(db, answers(), unanswered=0)
    spans = [Span(BEFORE, WEEK.start, [1, 2])]
    written, done = threading.Event(), threading.Event()

    def writer() -> None:
        with db.session() as session:
            _import(session)
            session.flush()
            written.set()
            done.wait(10)

    thread = threading.Thread(target=writer)
    thread.start()
    assert written.wait(10)
    with db.session() as session:
        store.remember_weeks(session=session, spans=spans)
    assert _kept(db) == set()  # gave up rather than count without the row
    done.set()
    thread.join()
    with db.session() as session:
        store.remember_weeks(session=session, spans=spans)
        kept = store.stored_weeks(session=session, spans=spans)
    assert kept == [
        (_digest(db, kept=False).weekly[-2].counts, _digest(db, kept=False).delivered[-2])
    ]


def test_a_locked_file_keeps_no_weeks_and_the_digest_counts_them(db: Database) -> None:
    """SQLite: the fill waits for another writer up to the busy timeout, then the digest
    counts the weeks from the answers instead of failing."""
    if db.is_postgres:
        pytest.skip("PostgreSQL's fill gives up at once instead (see the test above)")
    seed(db, answers(), unanswered=0)
    live = _digest(db, kept=False)
    with db.engine.connect() as other:
        other.exec_driver_sql("BEGIN IMMEDIATE")  # holds the file's write lock
        assert _digest(db, kept=True) == live
        other.rollback()
    assert _kept(db) == set()
