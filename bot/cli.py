"""The `npsbot` command line. A user's mistake is one clear line and a non-zero exit."""

from __future__ import annotations

import csv
import json
import os
import sys
import tempfile
from datetime import UTC, date, datetime, time
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from bot.cli_analyse import analyse
from bot.cli_audience import PlatformOption, audience_app
from bot.cli_privacy import privacy_app
from bot.cli_responses import responses_app
from bot.cli_support import (
    console,
    fail,
    friendly,
    settings_and_db,
    with_bot,
    writable_file,
    write_bytes,
)
from bot.cli_webhook import webhook_app
from bot.clock import when

if TYPE_CHECKING:
    from bot.db import Database

app = typer.Typer(help="NPS surveys in Slack and Telegram.", no_args_is_help=True)
db_app = typer.Typer(help="Database schema.", no_args_is_help=True)
survey_app = typer.Typer(help="Send surveys by hand.", no_args_is_help=True)
wording_app = typer.Typer(help="What the bot says, per language.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(audience_app, name="audience")
app.add_typer(survey_app, name="survey")
app.add_typer(wording_app, name="wording")
app.add_typer(privacy_app, name="privacy")
app.add_typer(responses_app, name="responses")
app.add_typer(webhook_app, name="webhook")


class ExportFormat(StrEnum):
    CSV = "csv"
    JSONL = "jsonl"


def _version(value: bool) -> None:
    if value:
        from importlib.metadata import version

        console.print(f"npsbot {version('npsbot')}", highlight=False)
        raise typer.Exit()


@app.callback()
def main(
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version, is_eager=True, help="Print the version and exit."
        ),
    ] = False,
) -> None:
    """NPS surveys in Slack and Telegram."""


def parse_day(value: str | None, option: str) -> datetime | None:
    if value is None:
        return None
    try:
        return datetime.combine(date.fromisoformat(value), time(), tzinfo=UTC)
    except ValueError:
        fail(f"{option} takes a date like 2026-11-01, not '{value}'")


app.command()(analyse)


@app.command()
def run() -> None:
    """Run the bot for every configured platform (production).

    Checks settings, port, database and tokens first: a mistake exits 2 with one line.
    """
    from bot.startup import main

    raise typer.Exit(main())


@app.command()
def demo(
    customers: Annotated[int, typer.Option(help="Simulated customers per platform.")] = 150,
    weeks: Annotated[int, typer.Option(help="Simulated weeks.")] = 8,
    seed: Annotated[int, typer.Option(help="Random seed.")] = 7,
) -> None:
    """Run the real bot against local Slack and Telegram sandboxes with simulated customers."""
    with friendly():
        import asyncio

        from bot.demo import run_demo
        from bot.demo_database import DemoError

        try:
            asyncio.run(run_demo(customers=customers, weeks=weeks, seed=seed, console=console))
        except DemoError as exc:
            fail(str(exc))


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Apply the database migrations."""
    with friendly():
        from bot.db import Database
        from bot.settings import load_settings

        settings = load_settings()
        Database(settings.database_url).upgrade()
        console.print(f"Database at {settings.database_url} is up to date.")


def _find_respondent(database: Database, platform: str, user: str) -> int:
    from bot import store

    with database.session() as session:
        for ws in store.list_workspaces(session=session):
            if ws.platform != platform or ws.id is None:
                continue
            respondent = store.find_respondent(
                session=session, workspace_id=ws.id, platform_user_id=user
            )
            if respondent is not None:
                return respondent.id or 0
    fail(f"no {platform} respondent with user id {user}; add them with `npsbot audience add`")


@survey_app.command("send")
def survey_send(
    platform: PlatformOption,
    user: Annotated[str, typer.Option(help="The platform's user id.")],
    force: Annotated[
        bool, typer.Option(help="Ignore the minimum gaps (never an opt-out).")
    ] = False,
) -> None:
    """Invite one person now."""
    with friendly():
        from bot.app import NpsBot, configured_platforms
        from bot.models import Respondent

        settings, database = settings_and_db()
        respondent_id = _find_respondent(database, platform, user)
        with database.session() as session:
            respondent = session.get(Respondent, respondent_id)
            if respondent is not None and respondent.opted_out:
                fail(f"{platform} user {user} opted out of surveys; npsbot never asks them")
        if platform not in configured_platforms(settings):
            fail(f"{platform} is not configured: set its token (see README, Configuration)")
        bot = NpsBot(settings, db=database, platforms=[platform])
        result = with_bot(bot, bot.dispatcher.invite_now(respondent_id=respondent_id, force=force))
        if not result.sent:
            fail(f"not sent to {user}: {result.reason}")
        console.print(f"Survey sent to {platform} user {user}.")


@survey_app.command("explain")
def survey_explain(
    platform: PlatformOption,
    user: Annotated[str, typer.Option(help="The platform's user id.")],
) -> None:
    """When this person was last asked, when they are next due, and why not sooner."""
    with friendly():
        from bot.models import Respondent
        from scheduling.explain import explain

        settings, database = settings_and_db()
        respondent_id = _find_respondent(database, platform, user)
        with database.session() as session:
            respondent = session.get(Respondent, respondent_id)
            assert respondent is not None
            workspace_id = respondent.workspace_id
        why = explain(
            db=database,
            workspace_id=workspace_id,
            platform_user_id=user,
            now=datetime.now(UTC),
            cap_timezone=settings.digest_timezone,
        )
        console.print(f"{platform} user {user}")
        console.print(f"  last asked:    {when(why.last_asked)}")
        console.print(f"  last answered: {when(why.last_answered)}")
        if why.open_invitation_id is not None:
            console.print(f"  open survey:   #{why.open_invitation_id}, due {when(why.next_due)}")
        else:
            console.print(f"  next due:      {when(why.next_due)}")
        console.print(f"  why not sooner: {why.reason or 'nothing holds it back: due now'}")


@survey_app.command("run-due")
def survey_run_due() -> None:
    """Run one dispatch pass now: send every invitation that is due."""
    with friendly():
        from bot.app import NpsBot

        settings, database = settings_and_db()
        bot = NpsBot(settings, db=database)
        report = with_bot(bot, bot.dispatcher.run_pass())
        console.print(
            f"sent {report.sent}, failed {report.failed}, unreachable {report.unreachable}, "
            f"uncertain {report.uncertain}, skipped {sum(report.skipped.values())}"
        )


@app.command()
def digest(
    week: Annotated[
        str | None, typer.Option(help="ISO week like 2026-W48 (default: last week).")
    ] = None,
    post: Annotated[
        bool, typer.Option("--post", help="Also post it to every digest target.")
    ] = False,
    chart: Annotated[
        Path | None,
        typer.Option(help="Where to write the trend chart PNG (default: a new temporary file)."),
    ] = None,
) -> None:
    """Print the weekly digest (and optionally post it)."""
    with friendly():
        from bot.app import NpsBot, configured_platforms
        from bot.digest.terminal import print_digest

        if chart is not None:
            writable_file(chart, "--chart")
        settings, database = settings_and_db()
        if post:
            _check_digest_targets(database, configured_platforms(settings))
        bot = NpsBot(settings, db=database)
        try:
            target_week = bot.digests.week_of(week)
        except ValueError as exc:
            fail(str(exc))
        if target_week.start > bot.clock.now():
            fail(f"{target_week.label} has not started yet; name a past or the current week")
        built, png = bot.digests.build(target_week)
        print_digest(built, bot.catalogue.team, console)
        if chart is None:
            handle, name = tempfile.mkstemp(prefix="npsbot-trend-", suffix=".png")
            os.close(handle)
            chart = Path(name)
        write_bytes(chart, png, "--chart")
        console.print(f"Trend chart written to {chart.resolve()}", highlight=False)
        if post:
            posted = with_bot(bot, bot.digests.post_weekly(week=target_week))
            if not posted:
                fail("the digest reached no target; the log above says why")
            console.print(f"Posted to {posted} digest target(s).")


def _check_digest_targets(database: Database, platforms: list[str]) -> None:
    """Refuse `--post` before connecting when there is nowhere to post."""
    from bot import store

    if not platforms:
        fail("--post needs a platform: set SLACK_BOT_TOKEN and/or TELEGRAM_BOT_TOKEN")
    with database.session() as session:
        targets = [
            target
            for ws in store.list_workspaces(session=session)
            if ws.platform in platforms and ws.id is not None
            for target in store.targets(session=session, workspace_id=ws.id, kind="digest")
        ]
    if not targets:
        fail(
            "no digest target: choose one with `/nps digest channel #cx` (Slack) "
            "or `/nps digest here` (Telegram)"
        )


@app.command()
def export(
    format: Annotated[
        ExportFormat, typer.Option("--format", case_sensitive=False, help="File format.")
    ] = ExportFormat.CSV,
    since: Annotated[str | None, typer.Option(help="First day, YYYY-MM-DD.")] = None,
    until: Annotated[str | None, typer.Option(help="Day after the last, YYYY-MM-DD.")] = None,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="File (default stdout).")
    ] = None,
    identified: Annotated[
        bool,
        typer.Option("--identified", help="In anonymous mode, still show user ids and names."),
    ] = False,
) -> None:
    """Export every response with its respondent and sentiment (pseudonymous ids and no
    names where anonymous mode is on, unless --identified)."""
    with friendly():
        from bot.export import FIELDS, export_rows

        start, end = parse_day(since, "--since"), parse_day(until, "--until")
        if output is not None:
            writable_file(output, "--output")
        settings, database = settings_and_db()
        try:
            handle = output.open("w", newline="", encoding="utf-8") if output else sys.stdout
        except OSError as exc:
            fail(f"--output: cannot write {output}: {exc.strerror}")
        try:
            rows = export_rows(
                database,
                since=start,
                until=end,
                anonymous=None if identified else settings.anonymous,
            )
            if format is ExportFormat.CSV:
                writer = csv.DictWriter(handle, fieldnames=FIELDS)
                writer.writeheader()
                for row in rows:
                    writer.writerow(
                        {k: json.dumps(v) if isinstance(v, dict) else v for k, v in row.items()}
                    )
            else:
                for row in rows:
                    handle.write(json.dumps(row, ensure_ascii=False) + "\n")
        finally:
            if output:
                handle.close()


@wording_app.command("export")
def wording_export(
    language: Annotated[str, typer.Argument(help="en, es, de, fr, pt, it, nl or ja.")],
) -> None:
    """Print every phrase in LANGUAGE as a .po file, overrides included, English beside each.

    Keep the phrases you change in `<language>.po` inside NPSBOT_STRINGS_DIR.
    """
    with friendly():
        from bot.i18n import build_catalogue, export_po, normalise, supported_list
        from bot.settings import load_settings

        code = normalise(language)
        if code is None:
            fail(f"'{language}' is not a supported language; use {supported_list()}")
        sys.stdout.write(export_po(build_catalogue(load_settings()), code).decode("utf-8"))


@wording_app.command("check")
def wording_check() -> None:
    """Check NPSBOT_STRINGS_DIR as start-up would, and say what it overrides."""
    with friendly():
        from bot.i18n import build_catalogue
        from bot.settings import load_settings

        settings = load_settings()
        catalogue = build_catalogue(settings)
        if settings.strings_dir is None:
            fail("NPSBOT_STRINGS_DIR is not set; only the shipped catalogues are in use")
        counts = ", ".join(
            f"{language} {count}" for language, count in sorted(catalogue.override_counts().items())
        )
        console.print(f"{settings.strings_dir}: ok; phrases overridden: {counts or 'none'}")
