"""`npsbot privacy forget|export`: an admin exercises a person's rights for them, audited."""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer

from bot.cli_audience import PlatformOption
from bot.cli_support import fail, friendly, say, settings_and_db, writable_file, write_bytes

privacy_app = typer.Typer(help="A person's data: erase it or export it.", no_args_is_help=True)
UserOption = Annotated[str, typer.Option("--user", help="The platform's user id.")]


@privacy_app.command("forget")
def privacy_forget(platform: PlatformOption, user: UserOption) -> None:
    """Erase the person's identity, comments and conversations; anonymous scores stay."""
    with friendly():
        from bot.privacy import forget_person

        _, database = settings_and_db()
        forgotten = forget_person(
            db=database,
            platform=platform.value,
            user_id=user,
            actor="cli",
            now=datetime.now(UTC),
        )
        if not forgotten.people:
            fail(f"no {platform.value} user {user} is known")
        say(f"Erased {platform.value} user {user} from {forgotten.people} workspace(s).")


@privacy_app.command("export")
def privacy_export(
    platform: PlatformOption,
    user: UserOption,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="JSON file (default stdout).")
    ] = None,
) -> None:
    """Everything stored about the person, as one JSON document."""
    with friendly():
        from bot import store
        from bot.privacy import export_bytes, export_person

        if output is not None:
            writable_file(output, "--output")
        _, database = settings_and_db()
        document = export_person(db=database, platform=platform.value, user_id=user)
        if document is None:
            fail(f"no {platform.value} user {user} is known")
        with database.session() as session:
            for respondent in store.respondents_of_user(
                session=session, platform=platform.value, platform_user_id=user
            ):
                store.audit(
                    session=session,
                    workspace_id=respondent.workspace_id,
                    actor="cli",
                    action="privacy export",
                    detail=f"{platform.value}:{user}",
                    now=datetime.now(UTC),
                )
        data = export_bytes(document)
        if output is None:
            sys.stdout.write(data.decode("utf-8") + "\n")
        else:
            write_bytes(output, data, "--output")
