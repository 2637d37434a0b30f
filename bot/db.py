"""Engine, sessions and schema upgrades, and the one way off the event loop.

Queries are synchronous SQLModel code: SQLite has no real async driver and one code path
serves the bot, the CLI and the benchmarks. Async code reaches them only through
`await db.run(fn, ...)`, which runs a whole transaction on a small bounded thread pool, so a
slow query or a locked SQLite file never stalls the loop that answers Slack and Telegram.
SQLite lock waits are bounded (`busy_timeout`) well below Slack's 3-second deadline.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Concatenate, ParamSpec, TypeVar

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from sqlalchemy.engine.interfaces import DBAPIConnection
from sqlmodel import Session

MIGRATIONS = Path(__file__).parent / "migrations"
BUSY_TIMEOUT_MS = 1000
"""How long a SQLite writer waits for the file lock before giving up (then one retry)."""
CONNECT_TIMEOUT_S = 2
"""How long a PostgreSQL connection attempt may take before the caller hears it failed."""
WORKERS = 4

log = logging.getLogger(__name__)
P = ParamSpec("P")
T = TypeVar("T")

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


def _sqlite_pragmas(dbapi_connection: DBAPIConnection, _record: object) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def make_engine(url: str) -> sa.Engine:
    """Create an engine; SQLite files get WAL so `npsbot run` and the CLI can share them."""
    if url.startswith("sqlite"):
        engine = sa.create_engine(
            url, connect_args={"check_same_thread": False, "timeout": BUSY_TIMEOUT_MS / 1000}
        )
        sa.event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return sa.create_engine(
        url,
        pool_pre_ping=True,
        pool_size=WORKERS + 1,
        max_overflow=5,
        connect_args={"connect_timeout": CONNECT_TIMEOUT_S},
    )


def is_unavailable(exc: BaseException) -> bool:
    """The database could not be reached or is locked (a passing fault), not a bad query."""
    return isinstance(exc, sa.exc.OperationalError | sa.exc.InterfaceError) or (
        isinstance(exc, sa.exc.DBAPIError) and exc.connection_invalidated
    )


def _locked(exc: BaseException) -> bool:
    return isinstance(exc, sa.exc.OperationalError) and "database is locked" in str(exc)


class Database:
    """The one engine of a process, and the sessions made from it."""

    def __init__(self, url: str, *, workers: int = WORKERS) -> None:
        self.url = url
        self.engine = make_engine(url)
        # SQLite has one writer at a time: more threads would only queue on its file lock,
        # where waiting is not fair and a busy writer can starve past `busy_timeout`.
        self._workers = 1 if self.engine.dialect.name == "sqlite" else workers
        self._pool: ThreadPoolExecutor | None = None
        self._pool_lock = threading.Lock()

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

    async def run(
        self, fn: Callable[Concatenate[Session, P], T], *args: P.args, **kwargs: P.kwargs
    ) -> T:
        """Run `fn(session, ...)` as one transaction on a database worker thread.

        A transaction that found a SQLite file locked, or lost a race to insert a unique
        row, is rolled back whole, so it is tried once more; anything else (PostgreSQL
        unreachable included) raises to the caller.
        """
        call = functools.partial(self._transaction, fn, *args, **kwargs)
        return await asyncio.get_running_loop().run_in_executor(self._executor(), call)

    async def call(self, fn: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
        """Run `fn(...)` on a database worker: for work that manages its own transactions
        (bulk planning, the dispatch journal's core connection)."""
        call = functools.partial(fn, *args, **kwargs)
        return await asyncio.get_running_loop().run_in_executor(self._executor(), call)

    def _transaction(self, fn: Callable[..., T], *args: object, **kwargs: object) -> T:
        try:
            with self.session() as session:
                return fn(session, *args, **kwargs)
        except sa.exc.IntegrityError:
            # A concurrent writer inserted the same unique row first (two clicks creating
            # one workspace); the retry, rolled back whole, now finds it.
            log.info("transaction met a concurrent insert; trying it once more")
        except sa.exc.OperationalError as exc:
            if not _locked(exc):
                raise
            log.info("SQLite file locked; trying the transaction once more")
        with self.session() as session:
            return fn(session, *args, **kwargs)

    def _executor(self) -> ThreadPoolExecutor:
        with self._pool_lock:
            if self._pool is None:
                self._pool = ThreadPoolExecutor(self._workers, thread_name_prefix="db")
            return self._pool

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
        pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(wait=True)
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
