"""A schema built from the models, so these tests do not wait on the migration being regenerated."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlmodel import SQLModel

import bot.models  # noqa: F401  (registers the tables)
from bot.db import Database


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Database]:
    database = Database(f"sqlite:///{tmp_path / 'npsbot.db'}")
    SQLModel.metadata.create_all(database.engine)
    yield database
    database.dispose()
