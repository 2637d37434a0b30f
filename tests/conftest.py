"""Shared fixtures: a fresh database per test, on SQLite and (when configured) PostgreSQL."""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlmodel import SQLModel

from bot.clock import FakeClock
from bot.db import Database
from bot.i18n import Catalogue, build_catalogue
from bot.settings import Settings

POSTGRES_URL = os.environ.get("NPSBOT_TEST_DATABASE_URL")
BACKENDS = ["sqlite", *(["postgresql"] if POSTGRES_URL else [])]
_upgraded: set[str] = set()


def _clean_postgres(url: str) -> Database:
    db = Database(url)
    if url not in _upgraded:
        with db.engine.begin() as connection:
            connection.execute(sa.text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
        db.upgrade()
        _upgraded.add(url)
    else:
        tables = ", ".join(t.name for t in SQLModel.metadata.sorted_tables)
        with db.engine.begin() as connection:
            connection.execute(sa.text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    return db


@pytest.fixture(params=BACKENDS)
def db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    """An upgraded, empty database: a SQLite file, or the test PostgreSQL server."""
    if request.param == "postgresql":
        assert POSTGRES_URL
        database = _clean_postgres(POSTGRES_URL)
    else:
        database = Database(f"sqlite:///{tmp_path / 'npsbot.db'}")
        database.upgrade()
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
