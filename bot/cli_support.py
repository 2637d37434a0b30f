"""What every `npsbot` command shares: one-line errors, file checks, settings and database.

Kept free of heavy imports (SQLAlchemy, Alembic, matplotlib, the platform SDKs) so that
`npsbot --help` answers at once; each command imports what it needs when it runs.
"""

from __future__ import annotations

import os
from collections.abc import Coroutine, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn, TypeVar

import typer
from rich.console import Console

if TYPE_CHECKING:
    from bot.app import NpsBot
    from bot.db import Database
    from bot.settings import Settings

T = TypeVar("T")
console = Console()
errors = Console(stderr=True)


def say(text: str, *, err: bool = False) -> None:
    """One plain line: no markup, no highlighting, never wrapped (a log or a grep reads it)."""
    (errors if err else console).print(text, markup=False, highlight=False, soft_wrap=True)


class CliError(Exception):
    """A mistake worth one line to the user, not a traceback."""


def fail(message: str) -> NoReturn:
    raise CliError(message)


@contextmanager
def friendly() -> Iterator[None]:
    """Turn our own refusals (and settings errors) into `error: ...` and exit code 2."""
    from bot.i18n import OverrideError
    from bot.settings import SettingsError

    try:
        yield
    except (CliError, SettingsError, OverrideError) as exc:
        errors.print(f"[red]error:[/] {exc}", highlight=False, soft_wrap=True)
        raise typer.Exit(2) from None


def readable_file(path: Path) -> Path:
    if not path.exists():
        fail(f"no such file: {path}")
    if not path.is_file():
        fail(f"{path} is not a regular file")
    if not os.access(path, os.R_OK):
        fail(f"{path} is not readable")
    return path


def writable_file(path: Path, option: str) -> Path:
    """Refuse, before any work, a path that cannot be written."""
    if path.is_dir():
        fail(f"{option}: {path} is a directory; name a file")
    parent = path.parent
    if not parent.is_dir():
        fail(f"{option}: no such directory: {parent}")
    if not os.access(parent, os.W_OK) or (path.exists() and not os.access(path, os.W_OK)):
        fail(f"{option}: {path} is not writable")
    return path


def write_bytes(path: Path, data: bytes, option: str) -> None:
    try:
        path.write_bytes(data)
    except OSError as exc:
        fail(f"{option}: cannot write {path}: {exc.strerror}")


def settings_and_db() -> tuple[Settings, Database]:
    from bot.db import Database
    from bot.settings import load_settings

    settings = load_settings()
    database = Database(settings.database_url)
    database.upgrade()
    return settings, database


def with_bot(bot: NpsBot, work: Coroutine[Any, Any, T]) -> T:
    """Run one piece of work with the bot's adapters connected, then disconnect."""
    import asyncio

    async def run() -> T:
        await bot.start()
        try:
            return await work
        finally:
            await bot.stop()

    return asyncio.run(run())
