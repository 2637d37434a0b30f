"""The digest and dispatch benchmarks' small modes run in CI, so they cannot rot."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa

from bench.databases import created
from tests.conftest import POSTGRES_URL

BENCH = Path(__file__).resolve().parents[2] / "bench"


def _run(*args: str) -> str:
    result = subprocess.run(
        [sys.executable, *args, "--small"], capture_output=True, text=True, timeout=600, check=False
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stdout


def _own_database(name: str) -> str:
    """A database of its own beside this worker's: a bench empties the one it is given."""
    assert POSTGRES_URL
    parsed = sa.engine.make_url(POSTGRES_URL)
    return parsed.set(database=f"{parsed.database}_{name}").render_as_string(hide_password=False)


def test_digest_bench_prints_seconds_memory_and_the_ratio_to_a_bare_aggregate(
    tmp_path: Path,
) -> None:
    postgres = ["--postgres", _own_database("digest")] if POSTGRES_URL else []  # + "_small"
    out = _run(str(BENCH / "digest.py"), "--sqlite", str(tmp_path / "digest.db"), *postgres)
    assert re.search(r"^SQLite: digest over 5,000 responses in \d+\.\d\d s", out, re.M), out
    assert re.search(r"bare SQL aggregate of the week \d+ ms -> ratio \d+x", out), out


@pytest.mark.parametrize("platform", ["slack", "telegram"])
def test_dispatch_bench_loses_nothing_and_sends_nothing_twice(platform: str) -> None:
    out = _run(str(BENCH / "dispatch.py"), "--platform", platform)
    assert re.search(rf"^{platform}: (\d+) of \1 sent in .* ratio \d\.\d{{3}}", out, re.M), out
    assert "lost 0, duplicates 0" in out, out


def test_make_bench_runs_them_in_full() -> None:
    makefile = (BENCH.parent / "Makefile").read_text()
    assert "$(BIN)/python bench/digest.py\n" in makefile
    assert "$(BIN)/python bench/dispatch.py\n" in makefile


def test_responsiveness_bench_prints_idle_and_busy_acks_and_their_ratio() -> None:
    out = _run(str(BENCH / "responsiveness.py"))
    assert re.search(r"^idle: ack p50 [\d.]+ ms, p99 [\d.]+ ms, max [\d.]+ ms", out, re.M), out
    assert re.search(r"^busy \(digest over 5,000 answers.*ack p50 [\d.]+ ms", out, re.M), out
    assert re.search(r"^ratio busy/idle: p99 [\d.]+x", out, re.M), out


def test_inbound_bench_prints_npsbot_and_bare_bolt_acks_and_their_ratio() -> None:
    out = _run(str(BENCH / "inbound.py"))
    assert re.search(r"^70 score clicks, each answering an open invitation; 70 stored$", out, re.M)
    for rate in (10, 20, 40):
        assert re.search(
            rf"^{rate} clicks/s: npsbot ack p50 [\d.]+ ms, p99 [\d.]+ ms, max [\d.]+ ms,"
            r" unacked \d+ \| bare bolt p50 [\d.]+ ms, p99 [\d.]+ ms, max [\d.]+ ms,"
            r" unacked \d+"
            r" \| ratio p50 [\d.]+x, p99 [\d.]+x$",
            out,
            re.M,
        ), out
    assert re.search(
        r"^  machine: npsbot [\d.]+ \+ Slack sandbox [\d.]+ \+ load generator [\d.]+"
        r" = [\d.]+ ms of CPU per click, [\d.]+ of \d+ cores at 40/s$",
        out,
        re.M,
    ), out
    assert "$(BIN)/python bench/inbound.py\n" in (BENCH.parent / "Makefile").read_text()


@pytest.mark.skipif(not POSTGRES_URL, reason="replicas share a PostgreSQL database")
def test_inbound_bench_spreads_the_clicks_over_replicas_on_one_postgres() -> None:
    url = _own_database("inbound")
    created(url)
    out = _run(str(BENCH / "inbound.py"), "--replicas", "2", "--database", url)
    assert re.search(r"^70 score clicks, each answering an open invitation; 70 stored$", out, re.M)
    assert "npsbot: 2 replicas on one PostgreSQL, clicks sent to each in turn" in out, out
    assert re.search(r"CPU per click: npsbot loop of the first replica [\d.]+ ms", out), out
    makefile = (BENCH.parent / "Makefile").read_text()
    assert "$(BIN)/python bench/inbound.py --replicas 2 --database" in makefile


def test_inbound_bench_refuses_replicas_without_postgres() -> None:
    result = subprocess.run(
        [sys.executable, str(BENCH / "inbound.py"), "--replicas", "2", "--small"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 2
    assert "replicas share one PostgreSQL database" in result.stderr.splitlines()[-1]
