"""`npsbot audience ...`: add one person, or import a CSV with a line-by-line report."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from bot.cli_support import errors, fail, friendly, readable_file, say, settings_and_db
from bot.events import Platform

if TYPE_CHECKING:
    from bot.audience_csv import ParsedFile
    from bot.audience_import import ImportReport

audience_app = typer.Typer(help="Who is surveyed.", no_args_is_help=True)
PlatformOption = Annotated[
    Platform, typer.Option(case_sensitive=False, help="The chat platform.", show_default=False)
]
WorkspaceOption = Annotated[
    str | None,
    typer.Option(help="Slack team id or Telegram bot id (default: the only one known)."),
]
SHOWN_CHANGES = 50


def parse_attrs(pairs: list[str]) -> dict[str, str]:
    attributes: dict[str, str] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip() or not value.strip():
            fail(f"--attr takes key=value, not '{pair}'")
        attributes[key.strip().lower()] = value.strip()
    return attributes


@audience_app.command("add")
def audience_add(
    platform: PlatformOption,
    user: Annotated[str, typer.Option(help="The platform's user id.")],
    attr: Annotated[list[str], typer.Option(help="Segment attribute key=value.")] = [],  # noqa: B006
    workspace: WorkspaceOption = None,
) -> None:
    """Add one respondent, with segment attributes."""
    with friendly():
        from pydantic import ValidationError

        from bot import store
        from bot.audience_csv import AudienceRow, reason
        from bot.audience_import import AudienceError, resolve_workspace

        try:
            row = AudienceRow(platform=platform, user_id=user, attributes=parse_attrs(attr))
        except ValidationError as exc:
            fail(reason(exc))
        _, database = settings_and_db()
        now = datetime.now(UTC)
        with database.session() as session:
            try:
                ws = resolve_workspace(session=session, platform=platform, name=workspace, now=now)
            except AudienceError as exc:
                fail(str(exc))
            assert ws is not None
            store.upsert_respondent(
                session=session,
                workspace=ws,
                platform_user_id=row.user_id,
                now=now,
                attributes=row.attributes,
                active=True,
            )
        say(f"Added {platform} user {user}.")


def _describe(fields: dict[str, tuple[object, object]]) -> str:
    return ", ".join(
        f"{name}={after}" if before is None else f"{name} {before} -> {after}"
        for name, (before, after) in fields.items()
    )


def _report_rows(path: Path, parsed: ParsedFile) -> None:
    for bad in parsed.rejected:
        say(f"{path}:{bad.line}: rejected: {bad.reason}", err=True)
    for dup in parsed.duplicates:
        say(
            f"{path}:{dup.line}: {dup.key[0]} {dup.key[1]} appears again on line "
            f"{dup.later_line}; the later row wins",
            err=True,
        )


def _report_languages(parsed: ParsedFile) -> None:
    unspoken = Counter(
        code for _, row in parsed.rows.values() if (code := row.unsupported_language)
    )
    if unspoken:
        codes = ", ".join(f"{code} ({n})" for code, n in sorted(unspoken.items()))
        say(f"Languages without a catalogue, left to the platform or the default: {codes}.")


def _show_changes(report: ImportReport) -> None:
    for change in report.changes[:SHOWN_CHANGES]:
        verb = "add" if change.added else "update"
        detail = _describe(change.fields)
        line = f"  line {change.line}: {verb} {change.key[0]} {change.key[1]}"
        say(f"{line}: {detail}" if detail else line)
    if len(report.changes) > SHOWN_CHANGES:
        say(f"  ... and {len(report.changes) - SHOWN_CHANGES} more")


@audience_app.command("import")
def audience_import(
    path: Annotated[
        Path,
        typer.Argument(
            help="CSV with columns platform,user_id[,email,name,timezone,language]; "
            "any other column is a segment attribute."
        ),
    ],
    workspace: WorkspaceOption = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Show what would change; write nothing.")
    ] = False,
    include_forgotten: Annotated[
        bool,
        typer.Option("--include-forgotten", help="Also re-add people who had their data deleted."),
    ] = False,
) -> None:
    """Import respondents from CSV: every bad row named by line, exit 1 if any was rejected."""
    with friendly():
        from rich.progress import Progress

        from bot.audience_csv import CsvFileError, parse
        from bot.audience_import import AudienceError, apply_import

        readable_file(path)
        try:
            parsed = parse(path.read_bytes(), name=str(path))
        except CsvFileError as exc:
            fail(str(exc))
        except OSError as exc:
            fail(f"cannot read {path}: {exc.strerror}")
        _report_rows(path, parsed)
        _report_languages(parsed)
        _, database = settings_and_db()
        with Progress(console=errors, transient=True) as progress:
            task = progress.add_task("Importing", total=len(parsed.rows))
            try:
                report = apply_import(
                    db=database,
                    parsed=parsed,
                    now=datetime.now(UTC),
                    workspace=workspace,
                    dry_run=dry_run,
                    progress=lambda done: progress.advance(task, done),
                    include_forgotten=include_forgotten,
                )
            except AudienceError as exc:
                fail(str(exc))
        if dry_run:
            say("Dry run: nothing was written. It would:")
            _show_changes(report)
        counts = (
            f"{report.added} to add, {report.updated} to update"
            if dry_run
            else f"{report.added} added, {report.updated} updated"
        )
        superseded = f" ({len(parsed.duplicates)} duplicate row(s) superseded)"
        forgotten = (
            f", {report.forgotten} left out: they had their data deleted "
            "(--include-forgotten adds them)"
        )
        say(
            f"{path} ({parsed.encoding}, {parsed.lines} rows): {counts}, "
            f"{report.unchanged} unchanged, {len(parsed.rejected)} rejected"
            f"{superseded if parsed.duplicates else ''}"
            f"{forgotten if report.forgotten else ''}."
        )
        if parsed.rejected:
            raise typer.Exit(1)
