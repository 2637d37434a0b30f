"""What start-up checks before it serves: the port, the database, each platform's tokens.

Each check either passes, raises `Refused` (a mistake only the operator can fix: one line
naming the setting and what to do) or raises `Unavailable` (the network or the database is
not there yet: worth retrying). Platform checks live beside their adapters
(`channels/<platform>/preflight.py`) and are loaded by name, so `bot/` imports no SDK.
"""

from __future__ import annotations

import errno
import importlib
import socket
from collections.abc import Awaitable, Callable

from alembic.util import CommandError

from bot.db import Database, DatabaseError, driver_message, url_parts
from bot.settings import Settings

DATABASE = "NPSBOT_DATABASE_URL"
URL_HINT = "use sqlite:///path/to/npsbot.db or postgresql+psycopg://user:password@host:5432/db"
DRIVERS = ("sqlite", "sqlite+pysqlite", "postgresql+psycopg")
PLATFORM_CHECKS = {
    "slack": "channels.slack.preflight:check",
    "telegram": "channels.telegram.preflight:check",
}
PERMANENT_DATABASE_ERRORS = (
    "password authentication failed",
    "does not exist",
    "no password supplied",
    "unable to open database file",
    "permission denied",
    "readonly database",
    "file is not a database",
    "invalid dsn",
    "invalid connection option",
)


class Refused(Exception):
    """A setting start-up cannot work with; `str()` is the one line shown to the operator."""

    def __init__(self, setting: str, message: str) -> None:
        super().__init__(f"{setting}: {message}")
        self.setting = setting


class Unavailable(Exception):
    """Something start-up needs is not reachable yet (network down, database starting)."""


def bind(settings: Settings) -> socket.socket:
    """Bind the HTTP port now, before any slow step, and hand the socket to the server."""
    host, port = settings.http_host, settings.http_port
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except socket.gaierror:
        raise Refused("NPSBOT_HTTP_HOST", f"'{host}' is not an address of this machine") from None
    family, kind, proto, _, address = infos[0]
    sock = socket.socket(family, kind, proto)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind(address)
    except OSError as exc:
        sock.close()
        if exc.errno == errno.EADDRINUSE:
            raise Refused(
                "NPSBOT_HTTP_PORT",
                f"{host}:{port} is already in use; stop what holds it or choose another port",
            ) from None
        if exc.errno == errno.EACCES:
            raise Refused(
                "NPSBOT_HTTP_PORT", f"port {port} needs privileges; choose one above 1023"
            ) from None
        raise Refused(
            "NPSBOT_HTTP_HOST", f"cannot listen on {host}:{port} ({exc.strerror})"
        ) from None
    sock.set_inheritable(True)
    return sock


def open_database(url: str) -> Database:
    """The engine for a URL npsbot can use, or one line saying how to write it."""
    try:
        driver, database = url_parts(url)
    except ValueError:
        raise Refused(DATABASE, f"not a database URL; {URL_HINT}") from None
    if driver not in DRIVERS:
        raise Refused(DATABASE, f"'{driver}://' is not supported; {URL_HINT}")
    if driver.startswith("sqlite") and not database:
        raise Refused(DATABASE, f"names no database file; {URL_HINT}")
    return Database(url)


def migrate(db: Database) -> None:
    """Reach the database and bring its schema to the newest migration."""
    try:
        db.ping()
        db.upgrade()
    except DatabaseError as exc:
        reason = driver_message(exc)
        if any(word in reason.lower() for word in PERMANENT_DATABASE_ERRORS):
            raise Refused(DATABASE, f"{reason}; check the URL, the user and the database") from None
        raise Unavailable(f"the database is not reachable ({reason})") from None
    except CommandError as exc:
        raise Refused(
            DATABASE,
            f"the schema is not one this npsbot knows ({driver_message(exc)}); "
            "run the npsbot version that migrated it, or restore a backup",
        ) from None


def platform_checks(platforms: list[str]) -> list[Callable[..., Awaitable[None]]]:
    """Each configured platform's credential check (auth.test, apps.connections.open, getMe)."""
    checks = []
    for name in platforms:
        module_name, _, function = PLATFORM_CHECKS[name].partition(":")
        checks.append(getattr(importlib.import_module(module_name), function))
    return checks
