"""The `npsbot` command line: real commands on a real database, mistakes as one line."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from sqlmodel import select
from typer.testing import CliRunner

from bot.cli import app
from bot.db import Database
from bot.models import Respondent
from tests.bot.test_digests import WEEK_48, seed, week_of_answers

runner = CliRunner()


@pytest.fixture
def env(db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Database:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("NPSBOT_DATABASE_URL", db.url)
    monkeypatch.setenv("NPSBOT_COMPANY_NAME", "Acme")
    return db


def run(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.output


def test_digest_prints_and_writes_the_chart(env: Database, tmp_path: Path) -> None:
    seed(env, week_of_answers(WEEK_48, 50, 30, 20))
    code, out = run("digest", "--week", "2026-W48", "--chart", str(tmp_path / "c.png"))
    assert code == 0, out
    assert "NPS +30" in out and "2026-W48" in out
    assert (tmp_path / "c.png").read_bytes().startswith(b"\x89PNG")


def test_export_csv_and_jsonl_with_dates(env: Database) -> None:
    seed(env, week_of_answers(WEEK_48, 3, 1, 1))
    code, out = run("export", "--format", "csv")
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(out)))
    assert len(rows) == 5 and json.loads(rows[0]["attributes"])["plan"] in {"free", "pro"}
    code, out = run("export", "--format", "jsonl", "--since", "2026-11-24")
    assert code == 0 and out == ""
    code, out = run("export", "--format", "jsonl", "--until", "2026-11-24")
    assert [json.loads(line)["score"] for line in out.splitlines()] == [10, 10, 10, 7, 3]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("export", "--format", "xml"), "--format must be csv or jsonl"),
        (("export", "--since", "yesterday"), "--since takes a date like 2026-11-01"),
        (("digest", "--week", "last"), "weeks look like 2026-W48"),
        (("audience", "add", "--platform", "irc", "--user", "x"), "--platform must be"),
        (("audience", "add", "--platform", "slack", "--user", "U1", "--attr", "plan"), "key=value"),
        (("survey", "send", "--platform", "slack", "--user", "U404"), "no slack respondent"),
        (("survey", "explain", "--platform", "slack", "--user", "U404"), "no slack respondent"),
        (("audience", "import", "missing.csv"), "no such file"),
    ],
)
def test_mistakes_are_one_line_and_exit_2(env: Database, args, message) -> None:
    code, out = run(*args)
    assert code == 2
    assert message in out
    assert "Traceback" not in out


def test_audience_import_and_opted_out_send_is_refused(env: Database, tmp_path: Path) -> None:
    (tmp_path / "people.csv").write_text(
        "platform,user_id,email,plan,region\nslack,U1,ann@example.com,pro,eu\ntelegram,42,,free,us\n"
    )
    code, out = run("audience", "import", str(tmp_path / "people.csv"))
    assert code == 0 and "Imported 2" in out
    code, out = run("audience", "add", "--platform", "slack", "--user", "U1", "--attr", "team=ops")
    assert code == 0
    with env.session() as session:
        ann = session.exec(select(Respondent).where(Respondent.platform_user_id == "U1")).one()
        assert ann.attributes == {"plan": "pro", "region": "eu", "team": "ops"}
        assert ann.person_key == "ann@example.com"
        ann.opted_out = True
    code, out = run("survey", "send", "--platform", "slack", "--user", "U1")
    assert code == 2 and "opted out" in out
    code, out = run("survey", "send", "--platform", "telegram", "--user", "42")
    assert code == 2 and "telegram is not configured" in out


def test_bad_settings_are_one_line(env: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TELEGRAM_WEBHOOK_URL", "https://example.com/telegram/webhook")
    code, out = run("db", "upgrade")
    assert code == 2
    assert "TELEGRAM_WEBHOOK_SECRET is required" in out
