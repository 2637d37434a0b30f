"""`npsbot responses import` of a Delighted export, against a bare executemany of the answers.

The import is timed end to end (decode, validate each record, skip answers imported before,
match or add people, read each comment's language and sentiment, write invitation and
response rows a batch per transaction) into an empty database; the baseline inserts the
same respondents, invitations and responses, already parsed, with plain executemany into
another empty database in the same run. A second import of the same file (everything
imported before) is timed too. Target: 20,000 answers, 40% with a comment, under 60 s.

    python bench/import_responses.py [--rows 20000 | --small] [--database URL]
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.import_csv import fresh  # noqa: E402
from bot import store  # noqa: E402
from bot.history_csv import parse_history  # noqa: E402
from bot.history_import import apply_history  # noqa: E402
from bot.models import Invitation, Respondent, Response  # noqa: E402
from scoring.sentiment import analyse_many  # noqa: E402

NOW = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
COMMENTS = (
    "Slow checkout, took forever",
    "Friendly staff and fast delivery",
    "Die Lieferung kam zu spät",
    "muy bueno, gracias",
    "I would not recommend it",
)
TARGET_SECONDS_PER_20K = 60.0


def make_export(rows: int, seed: int = 1) -> bytes:
    """A Delighted export: a year of answers from a tenth as many people, with properties."""
    rng = random.Random(seed)
    lines = ["Response ID,Person ID,Email,Name,Score,Comment,Survey Type,Created At,Plan"]
    for n in range(rows):
        person = rng.randrange(max(rows // 10, 1))
        moment = NOW - timedelta(minutes=rng.randrange(365 * 24 * 60))
        comment = rng.choice(COMMENTS) if rng.random() < 0.4 else ""
        lines.append(
            f"{n},p{person},person{person}@example.com,Person {person},{rng.randrange(11)},"
            f'"{comment}",nps,{moment:%Y-%m-%d %H:%M:%S %z},{rng.choice(("free", "pro"))}'
        )
    return ("\r\n".join(lines) + "\r\n").encode()


def baseline(url: str, data: bytes) -> float:
    """The same people and answers, parsed already, no lookups and no analysis."""
    db = fresh(url)
    parsed = parse_history(data, name="bench.csv", fmt="delighted")
    with db.session() as session:
        workspace = store.get_or_create_workspace(
            session=session, platform="slack", external_id="bench", now=NOW
        )
    rows = [row for _, row in parsed.rows]
    started = time.perf_counter()
    with db.session() as session:
        people = {row.person: row for row in rows}
        session.execute(
            sa.insert(Respondent),
            [
                {
                    "workspace_id": workspace.id,
                    "platform": "slack",
                    "platform_user_id": key,
                    "attributes": {},
                }
                for key in people
            ],
        )
        ids = dict(session.execute(sa.select(Respondent.platform_user_id, Respondent.id)).all())
        invitations = [
            {"workspace_id": workspace.id, "respondent_id": ids[row.person], "status": "answered"}
            for row in rows
        ]
        session.execute(sa.insert(Invitation), invitations)
        invitation_ids = session.execute(sa.select(Invitation.id).order_by(Invitation.id)).all()
        session.execute(
            sa.insert(Response),
            [
                {
                    "invitation_id": invitation_id,
                    "workspace_id": workspace.id,
                    "respondent_id": ids[row.person],
                    "platform": "slack",
                    "score": row.score,
                    "attributes": row.attributes,
                    "comment": row.comment,
                    "import_key": row.key,
                    "answered_at": row.answered_at,
                }
                for (invitation_id,), row in zip(invitation_ids, rows, strict=True)
            ],
        )
    seconds = time.perf_counter() - started
    db.dispose()
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=20_000)
    parser.add_argument("--small", action="store_true", help="1,000 answers (what CI runs)")
    parser.add_argument("--database", help="database URL (default: temporary SQLite files)")
    args = parser.parse_args()
    if args.small:
        args.rows = 1_000
    data = make_export(args.rows)
    with tempfile.TemporaryDirectory() as tmp:
        db = fresh(args.database or f"sqlite:///{Path(tmp) / 'import.db'}")
        with db.session() as session:
            workspace = store.get_or_create_workspace(
                session=session, platform="slack", external_id="bench", now=NOW
            )
        started = time.perf_counter()
        analyse_many(["Warm up the language detector, as a long-running import would."])
        warm = time.perf_counter() - started
        runs = []
        for _ in range(2):
            started = time.perf_counter()
            parsed = parse_history(data, name="bench.csv", fmt="delighted")
            report = apply_history(db=db, parsed=parsed, workspace=workspace, now=NOW)
            runs.append((time.perf_counter() - started, report))
        with db.session() as session:
            stored = session.execute(sa.select(sa.func.count()).select_from(Response)).scalar()
        dialect = db.engine.dialect.name
        db.dispose()
        bare = baseline(args.database or f"sqlite:///{Path(tmp) / 'baseline.db'}", data)
    (first, report), (again, repeat) = runs
    assert report.imported == stored == args.rows and repeat.already == args.rows
    budget = TARGET_SECONDS_PER_20K * args.rows / 20_000
    print(
        f"responses import {args.rows:,} answers ({dialect}): {first:.2f} s = "
        f"{args.rows / first:,.0f} answers/s, {report.people_added:,} people; re-import (all "
        f"known) {again:.2f} s; bare executemany {bare:.2f} s; ratio {first / bare:.1f}x "
        f"(the language detector's one-off start-up, {warm:.1f} s, not included)"
    )
    print(f"target under {budget:.1f} s: {'met' if first < budget else 'MISSED'}")


if __name__ == "__main__":
    main()
