"""`npsbot audience import` of 100,000 rows, against a bare executemany of the same rows.

The import is timed end to end (detect the encoding, validate every row with its pydantic
model, look people up and write them in batches, one transaction each) into an empty
database; the baseline inserts the same respondents with one executemany into another empty
database in the same run. A second import of the same file (everyone unchanged) is timed too.
Target: 100,000 rows in under 30 s on the 2-core dev machine.

    python bench/import_csv.py [--rows 100000 | --small] [--database URL]
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot import store  # noqa: E402
from bot.audience_csv import parse  # noqa: E402
from bot.audience_import import apply_import  # noqa: E402
from bot.db import Database  # noqa: E402
from bot.models import Respondent  # noqa: E402
from bot.store import slot_for  # noqa: E402

NOW = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
ZONES = ("Europe/Berlin", "America/New_York", "Asia/Singapore", "UTC", "")
PLANS, REGIONS = ("free", "pro", "enterprise"), ("eu", "us", "apac")
TARGET_SECONDS_PER_100K = 30.0


def make_csv(rows: int, seed: int = 1) -> bytes:
    """A spreadsheet export: UTF-8 with a BOM, half Slack and half Telegram people."""
    rng = random.Random(seed)
    lines = ["platform,user_id,email,name,timezone,plan,region"]
    for n in range(rows):
        platform, user = ("slack", f"U{n:08d}") if n % 2 else ("telegram", str(10_000 + n))
        lines.append(
            f"{platform},{user},person{n}@example.com,Person {n},{rng.choice(ZONES)},"
            f"{rng.choice(PLANS)},{rng.choice(REGIONS)}"
        )
    return "\ufeff".encode() + ("\r\n".join(lines) + "\r\n").encode()


def fresh(url: str) -> Database:
    db = Database(url)
    if db.is_postgres:
        with db.engine.begin() as connection:
            connection.execute(sa.text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    db.upgrade()
    return db


def baseline(db: Database, data: bytes) -> float:
    """The same respondents, already known to be valid, in one executemany."""
    parsed = parse(data, name="bench.csv")
    with db.session() as session:
        workspaces = {
            platform: store.get_or_create_workspace(
                session=session, platform=platform, external_id="bench", now=NOW
            )
            for platform in ("slack", "telegram")
        }
    values = [
        {
            "workspace_id": workspaces[row.platform.value].id,
            "platform": row.platform.value,
            "platform_user_id": row.user_id,
            **row.columns(),
            "attributes": row.attributes,
            "joined_at": NOW,
            "rotation_slot": slot_for(index, 90),
        }
        for index, (_, row) in enumerate(parsed.rows.values())
    ]
    started = time.perf_counter()
    with db.session() as session:
        session.execute(sa.insert(Respondent), values, execution_options={"render_nulls": True})
    return time.perf_counter() - started


def timed_import(db: Database, data: bytes) -> tuple[float, int]:
    started = time.perf_counter()
    parsed = parse(data, name="bench.csv")
    report = apply_import(db=db, parsed=parsed, now=NOW)
    seconds = time.perf_counter() - started
    assert not parsed.rejected, parsed.rejected[:3]
    return seconds, report.added + report.updated + report.unchanged


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--small", action="store_true", help="1,000 rows (what CI runs)")
    parser.add_argument("--database", help="database URL (default: temporary SQLite files)")
    args = parser.parse_args()
    if args.small:
        args.rows = 1_000
    data = make_csv(args.rows)
    with tempfile.TemporaryDirectory() as tmp:
        url = args.database or f"sqlite:///{Path(tmp) / 'import.db'}"
        db = fresh(url)
        first, people = timed_import(db, data)
        again, _ = timed_import(db, data)
        with db.session() as session:
            stored = session.exec(sa.select(sa.func.count()).select_from(Respondent)).one()[0]
        db.dispose()
        base_db = fresh(args.database or f"sqlite:///{Path(tmp) / 'baseline.db'}")
        bare = baseline(base_db, data)
        base_db.dispose()
    assert people == stored == args.rows, (people, stored, args.rows)
    budget = TARGET_SECONDS_PER_100K * args.rows / 100_000
    print(
        f"import {args.rows:,} rows ({db.engine.dialect.name}): {first:.2f} s = "
        f"{args.rows / first:,.0f} rows/s; re-import (all unchanged) {again:.2f} s; "
        f"bare executemany {bare:.2f} s = {args.rows / bare:,.0f} rows/s; "
        f"ratio {first / bare:.1f}x the bare insert"
    )
    print(f"target under {budget:.1f} s: {'met' if first < budget else 'MISSED'}")


if __name__ == "__main__":
    main()
