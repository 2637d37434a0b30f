"""The PostgreSQL database a bench runs in, made when it is missing."""

from __future__ import annotations

import sqlalchemy as sa


def created(url: str) -> None:
    """CREATE DATABASE for `url` unless it exists; raises `OperationalError` when the server
    cannot be reached."""
    parsed = sa.engine.make_url(url)
    server = sa.create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with server.connect() as connection:
            exists = connection.execute(
                sa.text("SELECT 1 FROM pg_database WHERE datname = :name"),
                {"name": parsed.database},
            ).first()
            if exists is None:
                connection.execute(sa.text(f'CREATE DATABASE "{parsed.database}"'))
    finally:
        server.dispose()
