"""The `npsbot` command line: real commands on a real database, mistakes as one line."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
import tempfile
from importlib.metadata import version
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
        (("export", "--format", "xml"), "'xml' is not one of 'csv', 'jsonl'"),
        (("export", "--since", "yesterday"), "--since takes a date like 2026-11-01"),
        (("digest", "--week", "last"), "weeks look like 2026-W48"),
        (("audience", "add", "--platform", "irc", "--user", "x"), "'irc' is not one of"),
        (("audience", "add", "--platform", "slack", "--user", "U01", "--attr", "x"), "key=value"),
        (("audience", "add", "--platform", "slack", "--user", "42"), "is not a Slack user id"),
        (("audience", "add", "--platform", "telegram", "--user", "U01"), "numeric Telegram"),
        (("export", "-o", "/nonexistent/x.csv"), "--output: no such directory: /nonexistent"),
        (("export", "-o", "."), "--output: . is a directory"),
        (("digest", "--chart", "/bad/x.png"), "--chart: no such directory: /bad"),
        (("digest", "--post"), "--post needs a platform"),
        (("digest", "--week", "2999-W01"), "2999-W01 has not started yet"),
        (("survey", "send", "--platform", "slack", "--user", "U404"), "no slack respondent"),
        (("survey", "explain", "--platform", "slack", "--user", "U404"), "no slack respondent"),
        (("audience", "import", "missing.csv"), "no such file"),
        (("audience", "import", "."), ". is not a regular file"),
    ],
)
def test_mistakes_are_one_line_and_exit_2(env: Database, args, message) -> None:
    code, out = run(*args)
    assert code == 2
    assert message in " ".join(out.replace("│", " ").split())
    assert "Traceback" not in out
    if out.startswith("error:"):
        assert len(out.strip().splitlines()) == 1, out


def test_audience_import_and_opted_out_send_is_refused(env: Database, tmp_path: Path) -> None:
    (tmp_path / "people.csv").write_text(
        "platform,user_id,email,plan,region\nslack,U01,ann@example.com,pro,eu\ntelegram,42,,free,us\n"
    )
    code, out = run("audience", "import", str(tmp_path / "people.csv"))
    assert code == 0 and "2 added, 0 updated, 0 unchanged, 0 rejected" in out
    code, out = run("audience", "add", "--platform", "SLACK", "--user", "U01", "--attr", "Team=ops")
    assert code == 0
    with env.session() as session:
        ann = session.exec(select(Respondent).where(Respondent.platform_user_id == "U01")).one()
        assert ann.attributes == {"plan": "pro", "region": "eu", "team": "ops"}
        assert ann.person_key == "ann@example.com"
        ann.opted_out = True
    code, out = run("survey", "send", "--platform", "slack", "--user", "U01")
    assert code == 2 and "opted out" in out
    code, out = run("survey", "send", "--platform", "telegram", "--user", "42")
    assert code == 2 and "telegram is not configured" in out


def test_bad_settings_are_one_line(env: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TELEGRAM_WEBHOOK_URL", "https://example.com/telegram/webhook")
    code, out = run("db", "upgrade")
    assert code == 2
    assert "TELEGRAM_WEBHOOK_SECRET is required" in out


def test_version_and_help_list_the_choices() -> None:
    code, out = run("--version")
    assert code == 0 and out.strip() == f"npsbot {version('npsbot')}"
    code, out = run("export", "--help")
    assert code == 0 and "csv|jsonl" in out
    code, out = run("survey", "send", "--help")
    assert code == 0 and "slack|telegram" in out


def test_digest_chart_defaults_to_a_named_temp_file(env: Database, tmp_path: Path) -> None:
    seed(env, week_of_answers(WEEK_48, 5, 3, 2))
    code, out = run("digest", "--week", "2026-w48")
    assert code == 0, out
    written = Path(" ".join(out.split()).split("Trend chart written to ")[1].split()[0])
    try:
        assert written.parent == Path(tempfile.gettempdir())
        assert written.name.startswith("npsbot-trend-") and written.read_bytes()[:4] == b"\x89PNG"
        assert list(tmp_path.glob("*.png")) == []
    finally:
        written.unlink()


def test_digest_post_with_no_digest_target_is_an_error(
    env: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "123456:not-used")
    monkeypatch.setenv("NPSBOT_TELEGRAM_API_URL", "http://127.0.0.1:9/bot")
    code, out = run("digest", "--week", "2026-W48", "--chart", "c.png", "--post")
    assert code == 2 and "no digest target: choose one with" in out


def test_help_imports_nothing_heavy() -> None:
    """`npsbot --help` answers at once: no database, chart or platform SDK is imported."""
    heavy = {"sqlalchemy", "sqlmodel", "alembic", "matplotlib", "slack_bolt", "telegram"}
    probe = (
        "import sys; from bot.cli import app\n"
        "try:\n    app(['--help'])\nexcept SystemExit:\n    pass\n"
        f"print(sorted({{m.split('.')[0] for m in sys.modules}} & {heavy!r}))"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip().splitlines()[-1] == "[]"
