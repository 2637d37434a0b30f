"""The demo's database: a fresh file each run, but never one that holds real data."""

from __future__ import annotations

from pathlib import Path

from bot import store
from bot.db import Database

DEMO_WORKSPACES = {("slack", "T0SANDBOX"), ("telegram", "123456")}


class DemoError(RuntimeError):
    """The demo cannot run here; the message says why."""


def fresh_database(url: str) -> Database:
    """Start from an empty file, but never wipe a database that holds real data."""
    if url.startswith("sqlite:///") and ":memory:" not in url:
        path = Path(url.removeprefix("sqlite:///"))
        if path.exists():
            db = Database(url)
            if db.has_table("workspace"):
                with db.session() as session:
                    keys = {
                        (w.platform, w.external_id) for w in store.list_workspaces(session=session)
                    }
                if keys - DEMO_WORKSPACES:
                    raise DemoError(
                        f"{path} holds non-demo data; point NPSBOT_DATABASE_URL at another file"
                    )
            db.dispose()
            for suffix in ("", "-wal", "-shm"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)
    db = Database(url)
    db.upgrade()
    return db
