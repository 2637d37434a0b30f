"""Engine, sessions and schema upgrades.

Data access is synchronous on purpose: every statement is a short transaction, SQLite has no
real async driver, and one code path serves the bot, the CLI and the benchmarks.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from sqlmodel import Session

MIGRATIONS = Path(__file__).parent / "migrations"
DatabaseError = sa.exc.SQLAlchemyError
"""What a failed statement raises, for callers outside the data layer."""


def url_parts(url: str) -> tuple[str, str | None]:
    """(dialect+driver, database) of a URL, e.g. ("postgresql+psycopg", "npsbot").

    Raises ValueError when `url` is not a database URL at all.
    """
    try:
        parsed = sa.engine.make_url(url)
    except sa.exc.ArgumentError:
        raise ValueError("not a database URL") from None
    return parsed.drivername, parsed.database


def driver_message(error: BaseException) -> str:
    """The driver's own first line for a failed statement or connection (no SQL, no values)."""
    origin = getattr(error, "orig", None) or error
    text = str(origin).strip()
    return text.splitlines()[0][:200] if text else type(origin).__name__


def _sqlite_pragmas(dbapi_connection: object, _record: object) -> None:
    cursor = dbapi_connection.cursor()  # type: ignore[attr-defined]
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def make_engine(url: str) -> sa.Engine:
    """Create an engine; SQLite files get WAL so `npsbot run` and the CLI can share them."""
    if url.startswith("sqlite"):
        engine = sa.create_engine(url, connect_args={"check_same_thread": False, "timeout": 10})
        sa.event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return sa.create_engine(url, pool_pre_ping=True, pool_size=5, max_overflow=5)


class Database:
    """The one engine of a process, and the sessions made from it."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.engine = make_engine(url)

    @property
    def is_postgres(self) -> bool:
        return self.engine.dialect.name == "postgresql"

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A session that commits on success and rolls back on error."""
        with Session(self.engine, expire_on_commit=False) as session:
            try:
                yield session
                session.commit()
            except BaseException:
                session.rollback()
                raise

    def has_table(self, name: str) -> bool:
        """Whether the schema has this table yet (a file from before the first migration)."""
        with self.engine.connect() as connection:
            return sa.inspect(connection).has_table(name)

    def ping(self) -> None:
        """One round trip (`SELECT 1`); raises `DatabaseError` when the database is not there."""
        with self.engine.connect() as connection:
            connection.execute(sa.text("SELECT 1"))

    def on_error(self, report: Callable[[str], None]) -> None:
        """Call `report` with the class name of every driver error this engine meets."""

        def listener(context: sa.engine.ExceptionContext) -> None:
            report(type(context.original_exception).__name__)

        sa.event.listen(self.engine, "handle_error", listener)

    def upgrade(self) -> None:
        """Bring the schema to the newest migration."""
        upgrade(self.engine)

    def dispose(self) -> None:
        self.engine.dispose()


def alembic_config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def upgrade(engine: sa.Engine) -> None:
    """Run Alembic on an existing engine (shares its connection, so SQLite memory works)."""
    config = alembic_config(engine.url.render_as_string(hide_password=False))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")
