"""Shared fixtures: a fresh database per test, on SQLite and (when configured) PostgreSQL."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlmodel import SQLModel

from bench.databases import created
from bot.clock import FakeClock
from bot.db import Database
from bot.i18n import Catalogue, build_catalogue
from bot.settings import Settings


def _worker_url(url: str | None) -> str | None:
    """Each pytest-xdist worker gets its own database beside the configured one (`test` ->
    `test_gw0`): workers never see each other's rows."""
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if not url or not worker:
        return url
    parsed = sa.engine.make_url(url)
    return parsed.set(database=f"{parsed.database}_{worker}").render_as_string(hide_password=False)


POSTGRES_URL = _worker_url(os.environ.get("NPSBOT_TEST_DATABASE_URL"))
BACKENDS = ["sqlite", *(["postgresql"] if POSTGRES_URL else [])]
_upgraded: set[str] = set()


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """The one place that decides which backends a test's `db` runs on: every backend for a
    test marked `database`, SQLite alone for the rest.

    A second run of a test on PostgreSQL re-proves the behaviour, not the SQL, unless the test
    is the suite's only PostgreSQL cover of a store function, is about claims, replays, races,
    concurrency or erasure (where the two databases' locking and isolation differ), or needs
    PostgreSQL itself; those are marked. A `database` mark on a test without `db` is refused
    as noise."""
    marked = metafunc.definition.get_closest_marker("database") is not None
    if "db" not in metafunc.fixturenames:
        if any(mark.name == "database" for mark in metafunc.definition.own_markers):
            raise pytest.UsageError(f"{metafunc.definition.nodeid}: `database` without `db`")
        return
    metafunc.parametrize("db", BACKENDS if marked else ["sqlite"], indirect=True, scope="function")


def _clean_postgres(url: str) -> Database:
    """The schema is rebuilt once per run; between tests every row is deleted and every
    sequence restarted (ids start at 1 again). DELETE on tables of a few rows takes
    milliseconds where TRUNCATE of every table took most of a second."""
    if url not in _upgraded:
        created(url)
    db = Database(url)
    if url not in _upgraded:
        with db.engine.begin() as connection:
            connection.execute(sa.text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
        db.upgrade()
        _upgraded.add(url)
    else:
        with db.engine.begin() as connection:
            sequences = connection.execute(
                sa.text("SELECT sequencename FROM pg_sequences WHERE schemaname = 'public'")
            ).scalars()
            statements = [
                *(f"DELETE FROM {t.name}" for t in reversed(SQLModel.metadata.sorted_tables)),
                *(f"ALTER SEQUENCE {name} RESTART" for name in sequences),
            ]
            connection.execute(sa.text("; ".join(statements)))
    return db


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One SQLite file upgraded to the newest migration, built once per run."""
    path = tmp_path_factory.mktemp("template") / "npsbot.db"
    database = Database(f"sqlite:///{path}")
    database.upgrade()
    with database.engine.connect() as connection:
        connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    database.dispose()
    return path


@pytest.fixture
def db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    """An upgraded, empty database: a copy of the SQLite template, or the test PostgreSQL
    server emptied."""
    if request.param == "postgresql":
        assert POSTGRES_URL
        database = _clean_postgres(POSTGRES_URL)
    else:
        path = tmp_path / "npsbot.db"
        shutil.copyfile(request.getfixturevalue("sqlite_template"), path)
        database = Database(f"sqlite:///{path}")
    yield database
    database.dispose()


@pytest.fixture(autouse=True)
def spool_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every bot a test builds spools into the test's own directory: none is left in the
    checkout, none replays in another test."""
    path = tmp_path / "spool"
    monkeypatch.setenv("NPSBOT_SPOOL_DIR", str(path))
    return path


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(datetime(2026, 11, 24, 11, 0, tzinfo=UTC))


@pytest.fixture
def settings(db: Database) -> Settings:
    return Settings(
        NPSBOT_DATABASE_URL=db.url,
        NPSBOT_COMPANY_NAME="Acme",
        NPSBOT_ADMINS="UADMIN,777",
    )


@pytest.fixture
def catalogue(settings: Settings) -> Catalogue:
    return build_catalogue(settings)
