"""`npsbot demo` end to end, small: real bot, real HTTP, both sandboxes, simulated weeks."""

from __future__ import annotations

from pathlib import Path

import pytest
from rich.console import Console
from sqlmodel import select

from bot.clock import SystemClock
from bot.db import Database
from bot.demo import run_demo
from bot.demo_database import DemoError, fresh_database
from bot.digest import Digests
from bot.models import Response, Workspace
from bot.settings import load_settings
from scoring.digest import wording as say


async def test_demo_runs_and_leaves_a_readable_database(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    url = f"sqlite:///{tmp_path / 'npsbot.db'}"
    monkeypatch.setenv("NPSBOT_DATABASE_URL", url)
    monkeypatch.setenv("NPSBOT_COMPANY_NAME", "Bean There")
    console = Console(record=True, width=100, color_system=None)
    await run_demo(customers=16, weeks=3, seed=3, console=console)
    output = console.export_text()
    assert "Demo finished" in output and "Bean There NPS, week" in output
    # `npsbot digest` afterwards reads the same configuration: the same title.
    after = Digests(db=Database(url), channels={}, settings=load_settings(), clock=SystemClock())
    digest, _ = after.build(after.week_of())
    assert say.title(digest) == "Bean There NPS"
    assert (tmp_path / "npsbot-demo-trend.png").read_bytes().startswith(b"\x89PNG")
    db = Database(url)
    with db.session() as session:
        responses = session.exec(select(Response)).all()
    assert {r.platform for r in responses} == {"slack", "telegram"}
    assert any(r.comment for r in responses)


def test_demo_never_wipes_real_data(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'real.db'}"
    db = Database(url)
    db.upgrade()
    with db.session() as session:
        session.add(Workspace(platform="slack", external_id="TREAL"))
    with pytest.raises(DemoError, match="holds non-demo data"):
        fresh_database(url)
