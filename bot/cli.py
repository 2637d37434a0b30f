"""The `npsbot` command line. A user's mistake is one clear line and a non-zero exit."""

from __future__ import annotations

import asyncio
import csv
import json
import sys
from collections.abc import Coroutine, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

import typer
from rich.console import Console

from bot import store
from bot.db import Database
from bot.i18n import OverrideError, normalise
from bot.models import Respondent
from bot.settings import Settings, SettingsError, load_settings

app = typer.Typer(help="NPS surveys in Slack and Telegram.", no_args_is_help=True)
db_app = typer.Typer(help="Database schema.", no_args_is_help=True)
audience_app = typer.Typer(help="Who is surveyed.", no_args_is_help=True)
survey_app = typer.Typer(help="Send surveys by hand.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(audience_app, name="audience")
app.add_typer(survey_app, name="survey")

if TYPE_CHECKING:
    from bot.app import NpsBot

T = TypeVar("T")
console = Console()
errors = Console(stderr=True)
PLATFORMS = ("slack", "telegram")


class CliError(Exception):
    """A mistake worth one line to the user, not a traceback."""


def fail(message: str) -> None:
    raise CliError(message)


@contextmanager
def friendly() -> Iterator[None]:
    try:
        yield
    except (CliError, SettingsError, OverrideError) as exc:
        errors.print(f"[red]error:[/] {exc}", highlight=False)
        raise typer.Exit(2) from None


def settings_and_db() -> tuple[Settings, Database]:
    settings = load_settings()
    database = Database(settings.database_url)
    database.upgrade()
    return settings, database


def with_bot(bot: NpsBot, work: Coroutine[Any, Any, T]) -> T:
    """Run one piece of work with the bot's adapters connected, then disconnect."""

    async def run() -> T:
        await bot.start()
        try:
            return await work
        finally:
            await bot.stop()

    return asyncio.run(run())


def check_platform(platform: str) -> str:
    if platform not in PLATFORMS:
        fail(f"--platform must be slack or telegram, not '{platform}'")
    return platform


def parse_attrs(pairs: list[str]) -> dict[str, str]:
    attributes: dict[str, str] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip() or not value.strip():
            fail(f"--attr takes key=value, not '{pair}'")
        attributes[key.strip()] = value.strip()
    return attributes


def when(moment: datetime | None) -> str:
    return moment.strftime("%Y-%m-%d %H:%M UTC") if moment else "never"


def parse_day(value: str | None, option: str) -> datetime | None:
    if value is None:
        return None
    try:
        return datetime.combine(date.fromisoformat(value), time(), tzinfo=UTC)
    except ValueError:
        fail(f"{option} takes a date like 2026-11-01, not '{value}'")
    return None


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
        from bot.demo import DemoError, run_demo

        try:
            asyncio.run(run_demo(customers=customers, weeks=weeks, seed=seed, console=console))
        except DemoError as exc:
            fail(str(exc))


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Apply the database migrations."""
    with friendly():
        settings = load_settings()
        Database(settings.database_url).upgrade()
        console.print(f"Database at {settings.database_url} is up to date.")


def _workspace_key(platform: str, workspace: str | None) -> str:
    return workspace or ("sandbox" if platform == "telegram" else "default")


@audience_app.command("add")
def audience_add(
    platform: Annotated[str, typer.Option(help="slack or telegram")],
    user: Annotated[str, typer.Option(help="The platform's user id.")],
    attr: Annotated[list[str], typer.Option(help="Segment attribute key=value.")] = [],  # noqa: B006
    workspace: Annotated[str | None, typer.Option(help="Slack team id or Telegram bot id.")] = None,
) -> None:
    """Add one respondent, with segment attributes."""
    with friendly():
        check_platform(platform)
        attributes = parse_attrs(attr)
        _, database = settings_and_db()
        now = datetime.now(UTC)
        with database.session() as session:
            ws = store.get_or_create_workspace(
                session=session,
                platform=platform,
                external_id=_workspace_key(platform, workspace),
                now=now,
            )
            store.upsert_respondent(
                session=session,
                workspace=ws,
                platform_user_id=user,
                now=now,
                attributes=attributes,
                active=True,
            )
        console.print(f"Added {platform} user {user}.")


@audience_app.command("import")
def audience_import(
    path: Annotated[
        Path,
        typer.Argument(
            help="CSV with columns platform,user_id; optional email, name, timezone, "
            "language (en, de, pt-BR, ...); any other column is an attribute."
        ),
    ],
    workspace: Annotated[str | None, typer.Option(help="Slack team id or Telegram bot id.")] = None,
) -> None:
    """Import respondents from CSV; extra columns (plan, region, ...) become segment attributes.

    A `language` column is the person's explicit choice and beats their platform's language;
    one npsbot has no catalogue for is left unset (platform language, then the default).
    """
    with friendly():
        if not path.is_file():
            fail(f"no such file: {path}")
        _, database = settings_and_db()
        now = datetime.now(UTC)
        count = 0
        unspoken: dict[str, int] = {}
        with path.open(newline="", encoding="utf-8-sig") as handle, database.session() as session:
            reader = csv.DictReader(handle)
            missing = {"platform", "user_id"} - set(reader.fieldnames or [])
            if missing:
                fail(f"{path} needs the column(s) {', '.join(sorted(missing))}")
            special = {"platform", "user_id", "email", "name", "timezone", "language"}
            for line, row in enumerate(reader, start=2):
                platform = (row.get("platform") or "").strip().lower()
                user_id = (row.get("user_id") or "").strip()
                if platform not in PLATFORMS or not user_id:
                    fail(f"{path}:{line}: needs platform slack|telegram and a user_id")
                ws = store.get_or_create_workspace(
                    session=session,
                    platform=platform,
                    external_id=_workspace_key(platform, workspace),
                    now=now,
                )
                email = (row.get("email") or "").strip() or None
                requested = (row.get("language") or "").strip()
                language = normalise(requested)
                if requested and language is None:
                    unspoken[requested] = unspoken.get(requested, 0) + 1
                store.upsert_respondent(
                    session=session,
                    workspace=ws,
                    platform_user_id=user_id,
                    now=now,
                    attributes={
                        k: v.strip() for k, v in row.items() if k not in special and v and v.strip()
                    },
                    email=email,
                    person_key=email.lower() if email else None,
                    display_name=(row.get("name") or "").strip() or None,
                    timezone=(row.get("timezone") or "").strip() or None,
                    language=language,
                    active=True,
                )
                count += 1
        console.print(f"Imported {count} respondent(s) from {path}.")
        if unspoken:
            codes = ", ".join(f"{code} ({n})" for code, n in sorted(unspoken.items()))
            console.print(
                f"Languages without a catalogue, left to the platform or the default: {codes}."
            )


def _find_respondent(database: Database, platform: str, user: str) -> int:
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
    return 0


@survey_app.command("send")
def survey_send(
    platform: Annotated[str, typer.Option(help="slack or telegram")],
    user: Annotated[str, typer.Option(help="The platform's user id.")],
    force: Annotated[
        bool, typer.Option(help="Ignore the minimum gaps (never an opt-out).")
    ] = False,
) -> None:
    """Invite one person now."""
    with friendly():
        from bot.app import NpsBot, configured_platforms

        check_platform(platform)
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
    platform: Annotated[str, typer.Option(help="slack or telegram")],
    user: Annotated[str, typer.Option(help="The platform's user id.")],
) -> None:
    """When this person was last asked, when they are next due, and why not sooner."""
    with friendly():
        from scheduling.explain import explain

        check_platform(platform)
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
    chart: Annotated[Path, typer.Option(help="Where to write the trend chart PNG.")] = Path(
        "npsbot-trend.png"
    ),
) -> None:
    """Print the weekly digest (and optionally post it)."""
    with friendly():
        from bot.app import NpsBot
        from bot.digest.terminal import print_digest

        settings, database = settings_and_db()
        bot = NpsBot(settings, db=database)
        try:
            target_week = bot.digests.week_of(week)
        except ValueError as exc:
            fail(str(exc))
        built, png = bot.digests.build(target_week)
        print_digest(built, console)
        chart.write_bytes(png)
        console.print(f"Trend chart written to {chart.resolve()}")
        if post:
            posted = with_bot(bot, bot.digests.post_weekly(week=target_week))
            console.print(f"Posted to {posted} digest target(s).")


@app.command()
def export(
    format: Annotated[str, typer.Option("--format", help="csv or jsonl")] = "csv",
    since: Annotated[str | None, typer.Option(help="First day, YYYY-MM-DD.")] = None,
    until: Annotated[str | None, typer.Option(help="Day after the last, YYYY-MM-DD.")] = None,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="File (default stdout).")
    ] = None,
) -> None:
    """Export every response with its respondent and sentiment."""
    with friendly():
        from bot.export import FIELDS, export_rows

        if format not in ("csv", "jsonl"):
            fail(f"--format must be csv or jsonl, not '{format}'")
        start, end = parse_day(since, "--since"), parse_day(until, "--until")
        _, database = settings_and_db()
        handle = output.open("w", newline="", encoding="utf-8") if output else sys.stdout
        try:
            rows = export_rows(database, since=start, until=end)
            if format == "csv":
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
