"""`npsbot responses import`: past answers from Delighted, Qualtrics or a plain CSV."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated
from zoneinfo import ZoneInfo

import typer

from bot.cli_support import errors, fail, friendly, readable_file, say, settings_and_db
from bot.events import Platform

responses_app = typer.Typer(help="Answers already given.", no_args_is_help=True)


@responses_app.command("import")
def responses_import(
    path: Annotated[Path, typer.Argument(help="The export, as CSV (UTF-8 or UTF-16).")],
    format: Annotated[
        str,
        typer.Option(
            "--format",
            help="delighted (Response ID, Score, Comment, Created At, Email, Name, properties), "
            "qualtrics (3 header rows; ResponseId, RecordedDate, the question with a "
            "<Q>_NPS_GROUP column) or csv (score, answered_at, comment, user_id, email, "
            "name, response_id; other columns become attributes).",
        ),
    ],
    platform: Annotated[
        Platform,
        typer.Option(case_sensitive=False, help="The workspace's platform the people belong to."),
    ],
    workspace: Annotated[
        str | None,
        typer.Option(help="Slack team id or Telegram bot id (default: the only one known)."),
    ] = None,
    timezone: Annotated[
        str, typer.Option(help="Time zone of dates written without one (IANA name).")
    ] = "UTC",
) -> None:
    """Import past answers: every bad row named by line, exit 1 if any was rejected.

    Re-importing the same export adds nothing twice (each answer keeps its source's id).
    Imported answers count in the digest's score, trend and themes, never in response rates,
    and raise no alert.
    """
    with friendly():
        from rich.progress import Progress

        from bot.audience import valid_timezone
        from bot.audience_csv import CsvFileError
        from bot.audience_import import AudienceError, resolve_workspace
        from bot.history_csv import FORMATS, parse_history
        from bot.history_import import apply_history

        if format not in FORMATS:
            fail(f"--format is one of {', '.join(FORMATS)}, not '{format}'")
        if not valid_timezone(timezone):
            fail(f"--timezone '{timezone}' is not an IANA time zone (like Europe/Berlin)")
        readable_file(path)
        try:
            parsed = parse_history(
                path.read_bytes(), name=str(path), fmt=format, zone=ZoneInfo(timezone)
            )
        except CsvFileError as exc:
            fail(str(exc))
        except OSError as exc:
            fail(f"cannot read {path}: {exc.strerror}")
        for bad in parsed.rejected:
            say(f"{path}:{bad.line}: rejected: {bad.reason}", err=True)
        _, database = settings_and_db()
        now = datetime.now(UTC)
        with database.session() as session:
            try:
                target = resolve_workspace(
                    session=session, platform=platform.value, name=workspace, now=now
                )
            except AudienceError as exc:
                fail(str(exc))
        assert target is not None
        with Progress(console=errors, transient=True) as progress:
            task = progress.add_task("Importing", total=len(parsed.rows))
            report = apply_history(
                db=database,
                parsed=parsed,
                workspace=target,
                now=now,
                progress=lambda done: progress.advance(task, done),
            )
        forgotten = f", {report.forgotten} left out (they had their data deleted)"
        say(
            f"{path} ({format}, {parsed.encoding}, {parsed.records} answers): "
            f"{report.imported} imported, {report.already} skipped as imported before, "
            f"{len(parsed.rejected)} rejected{forgotten if report.forgotten else ''}; "
            f"{report.people_added} new people in {platform.value} workspace "
            f"{target.external_id}."
        )
        if parsed.rejected:
            raise typer.Exit(1)
