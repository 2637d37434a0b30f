"""`npsbot audience import` on a real database: every bad row named, good rows in, none merged."""

from __future__ import annotations

import codecs
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlmodel import select
from typer.testing import CliRunner

from bot import store
from bot.audience_csv import parse
from bot.audience_import import apply_import
from bot.cli import app
from bot.db import Database
from bot.models import Respondent, Workspace
from bot.store import slot_for

NOW = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
PEOPLE = (
    "platform,user_id,email,name,timezone,plan\n"
    "slack,U0001,ann@example.com,Ann,Europe/Berlin,pro\n"  # 2: superseded by line 7
    'slack,U0002,"bob@example.com,Bob,Europe/Paris,free\n'  # 3: unbalanced quote
    "slack,U0003,cy@example.com,Cy,Not/AZone,pro\n"  # 4: bad time zone
    "irc,nick,,,,free\n"  # 5: unknown platform
    "telegram,42,dee@example.com,Dee,America/New_York,free\n"  # 6
    "slack,U0001,ann.b@example.com,Ann B,,enterprise\n"  # 7: the duplicate that wins
    "telegram,43,,,,pro,extra\n"  # 8: an extra field
    "telegram,44,,,\n"  # 9: a missing field
    "slack,U0005,eve@example.com,Eve,Asia/Tokyo,pro\n"  # 10: after the quote, still read
)
REJECTED = {
    3: "a quote is not closed on this line",
    4: "timezone 'Not/AZone' is not an IANA time zone",
    5: "platform 'irc' is not one of slack, telegram",
    8: "7 fields where the header has 6",
    9: "5 fields where the header has 6",
}
ENCODINGS = {
    "utf-8-bom": lambda text: codecs.BOM_UTF8 + text.encode(),
    "utf-16-le": lambda text: text.encode("utf-16"),
    "utf-16-be": lambda text: codecs.BOM_UTF16_BE + text.encode("utf-16-be"),
    "utf-8": lambda text: text.encode(),
}
runner = CliRunner()


def run(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.output


def people(db: Database) -> dict[str, Respondent]:
    with db.session() as session:
        return {r.platform_user_id: r for r in session.exec(select(Respondent))}


@pytest.mark.parametrize("encoding", ENCODINGS)
def test_bad_rows_named_good_rows_imported_nothing_merged(
    env: Database, tmp_path: Path, encoding: str
) -> None:
    path = tmp_path / "people.csv"
    path.write_bytes(ENCODINGS[encoding](PEOPLE))
    code, out = run("audience", "import", str(path))
    assert code == 1, out
    for line, reason in REJECTED.items():
        assert f"{path}:{line}: rejected: {reason}" in out
    assert f"{path}:2: slack U0001 appears again on line 7; the later row wins" in out
    assert "3 added, 0 updated, 0 unchanged, 5 rejected (1 duplicate row(s) superseded)" in out
    found = people(env)
    assert sorted(found) == ["42", "U0001", "U0005"]
    ann = found["U0001"]
    assert (ann.display_name, ann.email, ann.person_key) == (
        "Ann B",
        "ann.b@example.com",
        "ann.b@example.com",
    )
    assert ann.timezone is None and ann.attributes == {"plan": "enterprise"}
    assert found["U0005"].timezone == "Asia/Tokyo" and found["42"].attributes == {"plan": "free"}

    code, out = run("audience", "import", str(path))
    assert "0 added, 0 updated, 3 unchanged, 5 rejected" in out


def test_dry_run_shows_changes_and_writes_nothing(env: Database, tmp_path: Path) -> None:
    first = tmp_path / "first.csv"
    first.write_text("platform,user_id,plan,region\nslack,U0001,free,eu\n")
    assert run("audience", "import", str(first))[0] == 0
    second = tmp_path / "second.csv"
    second.write_text(
        "platform,user_id,timezone,plan,region\nslack,U0001,Europe/Rome,pro,eu\ntelegram,42,,,\n"
    )
    code, out = run("audience", "import", str(second), "--dry-run")
    assert code == 0, out
    assert "Dry run: nothing was written" in out
    assert "line 2: update slack U0001: timezone=Europe/Rome, plan free -> pro" in out
    assert "line 3: add telegram 42" in out
    assert "1 to add, 1 to update, 0 unchanged, 0 rejected" in out
    found = people(env)
    assert sorted(found) == ["U0001"] and found["U0001"].attributes == {
        "plan": "free",
        "region": "eu",
    }
    with env.session() as session:
        assert [ws.platform for ws in session.exec(select(Workspace))] == ["slack"]
    code, out = run("audience", "import", str(second))
    assert code == 0 and "1 added, 1 updated, 0 unchanged, 0 rejected" in out
    assert people(env)["U0001"].attributes == {"plan": "pro", "region": "eu"}


def test_batches_continue_the_rotation_and_keep_opt_outs(db: Database) -> None:
    with db.session() as session:
        ws = store.get_or_create_workspace(
            session=session, platform="telegram", external_id="123456", now=NOW
        )
        gone = store.upsert_respondent(
            session=session, workspace=ws, platform_user_id="7", now=NOW, active=False
        )
        store.set_opted_out(session=session, respondent=gone, opted_out=True, now=NOW)
        cadence = ws.cadence_days
    rows = "".join(f"telegram,{n},,plan{n % 3}\n" for n in range(1, 12))
    parsed = parse(f"platform,user_id,email,plan\n{rows}".encode(), name="f.csv")
    ticks: list[int] = []
    report = apply_import(db=db, parsed=parsed, now=NOW, batch=4, progress=ticks.append)
    assert (report.added, report.updated, report.unchanged) == (10, 1, 0)
    assert ticks == [4, 4, 3]
    found = people(db)
    slots = sorted(r.rotation_slot for uid, r in found.items() if uid != "7")
    assert slots == sorted(slot_for(index, cadence) for index in range(1, 11))
    assert found["7"].opted_out and found["7"].active  # back in the audience, never re-consented


def test_several_workspaces_need_one_named(env: Database, tmp_path: Path) -> None:
    with env.session() as session:
        for team in ("T1", "T2"):
            store.get_or_create_workspace(
                session=session, platform="slack", external_id=team, now=NOW
            )
    path = tmp_path / "p.csv"
    path.write_text("platform,user_id\nslack,U0001\n")
    code, out = run("audience", "import", str(path))
    assert code == 2 and "slack has several workspaces (T1, T2); pass --workspace" in out
    code, out = run("audience", "import", str(path), "--workspace", "T2")
    assert code == 0, out
    with env.session() as session:
        ann = session.exec(select(Respondent)).one()
        assert session.get(Workspace, ann.workspace_id).external_id == "T2"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"\xff\xfe\x00\x00p\x00\x00\x00", "is UTF-32; save it as UTF-8 or UTF-16"),
        (b"platform,user_id\nslack,U\xe9\n", ":2: not UTF-8 text (byte 0xe9)"),
        (b"id,plan\n1,pro\n", "the header must name the columns platform, user_id"),
    ],
)
def test_a_refused_file_is_one_line_and_writes_nothing(
    env: Database, tmp_path: Path, content: bytes, message: str
) -> None:
    path = tmp_path / "p.csv"
    path.write_bytes(content)
    code, out = run("audience", "import", str(path))
    assert code == 2 and message in out and len(out.strip().splitlines()) == 1
    assert people(env) == {}
