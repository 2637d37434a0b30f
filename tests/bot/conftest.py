"""The core with a recording channel in place of each platform (see tests/recording.py), and
the environment the `npsbot` commands run in."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.app import NpsBot
from bot.clock import FakeClock
from bot.db import Database
from bot.settings import Settings
from tests.recording import recording_bot


@pytest.fixture
def bot(db: Database, settings: Settings, clock: FakeClock) -> NpsBot:
    return recording_bot(settings, db=db, clock=clock)[0]


@pytest.fixture
def env(db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Database:
    """The test's database as NPSBOT_DATABASE_URL, run from a scratch directory (CLI tests)."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("NPSBOT_DATABASE_URL", db.url)
    return db
