"""Digest over 1,000,000 responses (52 weeks, 3 segment attributes, half with comments).

Prints, for SQLite and (when reachable) PostgreSQL, measured in a fresh process: seconds of
building the digest (best of 3), of the first build after the start-up warm-up the bot runs
in its digest worker (`bot.digest.worker.warm_up`), the process's peak memory and the
ratio against a bare SQL aggregate over the same week measured in the same run (best of 5).
Targets: under 1.5 s (the first build too), at most 10x the bare aggregate, under 300 MB;
each is printed as met or MISSED.

    python bench/digest.py [--rows 1000000] [--postgres URL] [--sqlite PATH]
    python bench/digest.py --small      # 5,000 rows, for CI: it completes and prints
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import time
import tracemalloc
from datetime import UTC, datetime, timedelta
from pathlib import Path

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.databases import created  # noqa: E402
from bot.db import Database  # noqa: E402
from bot.models import Workspace  # noqa: E402
from scoring.terms import stored_terms  # noqa: E402

END = datetime(2026, 11, 30, tzinfo=UTC)  # the Monday after ISO week 2026-W48
TARGET_SECONDS = 1.5
TARGET_RATIO = 10.0
TARGET_MB = 300.0
WEEKS = 52
RESPONDENTS = 50_000
COMMENTS = {
    "detractor": [
        "slow checkout and it crashed",
        "support never answered",
        "too expensive for what it does",
        "the app is slow and buggy",
        "billing was confusing",
    ],
    "passive": ["fine but pricey", "okay overall", "needs better reports", "decent support"],
    "promoter": [
        "friendly staff helped me",
        "fast delivery every time",
        "great value",
        "love the new dashboard",
        "support is amazing",
    ],
}
PLANS, REGIONS, TEAMS = ("free", "pro", "enterprise"), ("eu", "us", "apac"), ("a", "b", "c", "d")


def respondents_for(rows: int) -> int:
    """50,000 people answer a full run; a small one has no more people than answers (the
    50,000 rows were most of a small run's seeding, and no figure depends on them)."""
    return min(RESPONDENTS, rows)


def generate(db: Database, rows: int, seed: int = 1, *, team: str = "TBENCH") -> None:
    """Fill an empty database with `rows` answered invitations, fast (COPY on PostgreSQL)."""
    rng = random.Random(seed)
    db.upgrade()
    start = END - timedelta(weeks=WEEKS)
    span = (END - start).total_seconds()
    with db.session() as session:  # through the model, so every column gets its default
        session.add(Workspace(id=1, platform="slack", external_id=team, name="bench"))
    people = respondents_for(rows)
    respondents = [
        (i, 1, "slack", f"U{i}", f"Person {i}", "{}", True, False, False, 0)
        for i in range(1, people + 1)
    ]
    invitations, responses = [], []
    # As the bot stores a comment: its terms beside it (these comments have no language).
    found = {
        text: stored_terms(text, language=None) for texts in COMMENTS.values() for text in texts
    }
    for i in range(1, rows + 1):
        when = start + timedelta(seconds=rng.random() * span)
        score = min(10, max(0, int(rng.gauss(7.5, 2.4))))
        kind = "promoter" if score >= 9 else "passive" if score >= 7 else "detractor"
        comment = rng.choice(COMMENTS[kind]) if rng.random() < 0.5 else None
        attributes = json.dumps(
            {"plan": rng.choice(PLANS), "region": rng.choice(REGIONS), "team": rng.choice(TEAMS)}
        )
        respondent = rng.randint(1, people)
        stamp = when.replace(tzinfo=None)
        invitations.append((i, 1, respondent, "scheduled", "answered", stamp, stamp, 1))
        polarity = (rng.random() - 0.5) if comment else None
        responses.append(
            (i, i, 1, respondent, "slack", score, attributes, comment, polarity, "done", stamp,
             found[comment] if comment else None)
        )  # fmt: skip
    tables = {
        "respondent": (
            "id, workspace_id, platform, platform_user_id, display_name, attributes, active, "
            "opted_out, unreachable, rotation_slot",
            respondents,
        ),
        "invitation": (
            "id, workspace_id, respondent_id, source, status, due_at, sent_at, attempts",
            invitations,
        ),
        "response": (
            "id, invitation_id, workspace_id, respondent_id, platform, score, attributes, comment, "
            "polarity, followup, answered_at, terms",
            responses,
        ),
    }
    raw = db.engine.raw_connection()
    try:
        cursor = raw.cursor()
        for table, (columns, data) in tables.items():
            if db.is_postgres:
                # psycopg's cursor; the DBAPI cursor type SQLAlchemy declares has no copy.
                with cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:  # type: ignore[attr-defined]
                    for row in data:
                        copy.write_row(row)
            else:
                marks = ", ".join("?" * len(data[0]))
                cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({marks})", data)
        raw.commit()
    finally:
        raw.close()
    if db.is_postgres:
        with db.engine.begin() as connection:
            for table in ("workspace", *tables):  # rows came with their ids: move the counters
                connection.execute(
                    sa.text(
                        f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                        f"(SELECT max(id) FROM {table}))"
                    )
                )
        # As autovacuum keeps a live table: visibility map set (index-only scans read no
        # rows), hint bits written, statistics fresh.
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(sa.text("VACUUM ANALYZE"))


def _peak_rss_mb() -> float:
    """This process's peak resident memory. Not `ru_maxrss`, which a child keeps from the
    parent it was forked from (the seeding's half a gigabyte): VmHWM starts anew at exec."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmHWM in /proc/self/status")


def measure(url: str) -> dict[str, float]:
    """In this (fresh) process: the bare aggregate, the start-up warm-up, then the digest."""
    from bot.digest import Week, gather, worker
    from bot.settings import Settings

    db = Database(url)
    settings = Settings(NPSBOT_DATABASE_URL=url, NPSBOT_COMPANY_NAME="Bench")
    week = Week.parse("2026-W48", "UTC")
    bare = sa.text(
        "SELECT count(*), sum(CASE WHEN score >= 9 THEN 1 ELSE 0 END), "
        "sum(CASE WHEN score <= 6 THEN 1 ELSE 0 END) FROM response "
        "WHERE answered_at >= :start AND answered_at < :end"
    )
    bounds = {"start": week.start.replace(tzinfo=None), "end": week.end.replace(tzinfo=None)}
    baselines = []
    with db.engine.connect() as connection:
        for _ in range(5):
            begin = time.perf_counter()
            connection.execute(bare, bounds).one()
            baselines.append(time.perf_counter() - begin)
    rss_before = _peak_rss_mb()
    # As in the bot's digest worker: its start-up warm-up, then each digest it is asked for.
    begin = time.perf_counter()
    worker.warm_up(settings)
    warm_up = time.perf_counter() - begin
    begin = time.perf_counter()
    digest, chart = worker.build_digest(settings, week)
    first = time.perf_counter() - begin
    begin = time.perf_counter()
    data = gather(
        worker.database(url), company="Bench", week=week, tz="UTC", closed_before=datetime.now(UTC)
    )
    sql = time.perf_counter() - begin
    builds = []
    for _ in range(3):
        begin = time.perf_counter()
        digest, chart = worker.build_digest(settings, week)
        builds.append(time.perf_counter() - begin)
    peak = _peak_rss_mb()
    tracemalloc.start()
    worker.build_digest(settings, week)
    python_peak = tracemalloc.get_traced_memory()[1] / 1024 / 1024
    tracemalloc.stop()
    return {
        "warm_up": warm_up,
        "first": first,
        "sql": sql,
        "comments": len(data.detail.comments),
        "seconds": min(builds),
        "baseline": min(baselines),
        "cold_baseline": baselines[0],
        "peak_mb": peak,
        "rss_before_mb": rss_before,
        "python_peak_mb": python_peak,
        "n_week": digest.estimate.n,
        "chart_kb": len(chart) / 1024,
    }


def _verdict(ok: bool) -> str:
    return "met" if ok else "MISSED"


def run(label: str, url: str, rows: int, *, fresh: bool = False) -> None:
    """Measure on `rows` generated answers; `fresh` regenerates them whatever is there."""
    db = Database(url)
    with db.engine.connect() as connection:
        if not fresh and sa.inspect(connection).has_table("alembic_version"):
            db.upgrade()  # data generated by an older npsbot: bring its schema up to date
        exists = sa.inspect(connection).has_table("response")
        count = (
            connection.execute(sa.text("SELECT count(*) FROM response")).scalar() if exists else 0
        )
    if fresh or count != rows:
        if db.is_postgres:
            with db.engine.begin() as connection:
                connection.execute(sa.text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
        elif exists:
            db.dispose()
            path = url.removeprefix("sqlite:///")
            for suffix in ("", "-wal", "-shm"):
                Path(path + suffix).unlink(missing_ok=True)
            db = Database(url)
        begin = time.perf_counter()
        generate(db, rows)
        print(f"{label}: generated {rows:,} responses in {time.perf_counter() - begin:.1f} s")
    db.dispose()
    out = subprocess.run(
        [sys.executable, __file__, "--measure", url], capture_output=True, text=True, check=True
    )
    result = json.loads(out.stdout.strip().splitlines()[-1])
    ratio = result["seconds"] / result["baseline"]
    print(
        f"{label}: digest over {rows:,} responses in {result['seconds']:.2f} s "
        f"(best of 3; first in a fresh process {result['first']:.2f} s, after the start-up "
        f"warm-up of {result['warm_up']:.2f} s; SQL aggregation alone {result['sql']:.2f} s, "
        f"{result['comments']:,} comments read for themes), "
        f"peak memory {result['peak_mb']:.0f} MB ({result['rss_before_mb']:.0f} MB before "
        f"building; Python allocations while building {result['python_peak_mb']:.0f} MB); "
        f"bare SQL aggregate of the week {result['baseline'] * 1000:.0f} ms -> ratio "
        f"{ratio:.0f}x (best of 5; the first, cold, {result['cold_baseline'] * 1000:.0f} ms); "
        f"week n = {result['n_week']:,}"
    )
    print(
        f"{label}: targets: under {TARGET_SECONDS} s "
        f"{_verdict(result['seconds'] < TARGET_SECONDS)}, first under {TARGET_SECONDS} s "
        f"{_verdict(result['first'] < TARGET_SECONDS)}, at most {TARGET_RATIO:.0f}x the bare "
        f"aggregate {_verdict(ratio <= TARGET_RATIO)} ({ratio:.1f}x), under {TARGET_MB:.0f} MB "
        f"{_verdict(result['peak_mb'] < TARGET_MB)}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--sqlite", default="/tmp/npsbot-bench-digest.db")
    parser.add_argument(
        "--postgres",
        default=os.environ.get(
            "NPSBOT_BENCH_POSTGRES", "postgresql+psycopg://postgres@127.0.0.1:5432/npsbot_bench"
        ),
    )
    parser.add_argument("--small", action="store_true", help="5,000 rows in scratch databases")
    parser.add_argument("--measure", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.small:
        args.rows = 5_000
        args.sqlite = f"{args.sqlite}.small"
        args.postgres += "_small"  # npsbot_bench_small by default
    if args.measure:
        print(json.dumps(measure(args.measure)))
        return
    run("SQLite", f"sqlite:///{args.sqlite}", args.rows, fresh=args.small)
    try:
        created(args.postgres)
    except sa.exc.OperationalError as exc:
        print(f"PostgreSQL: skipped ({exc.orig})")
        return
    run("PostgreSQL", args.postgres, args.rows, fresh=args.small)


if __name__ == "__main__":
    main()
