"""Column types shared by the tables: timestamps stored as naive UTC and handed back
timezone-aware (so SQLite and PostgreSQL behave the same), and JSON documents."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Column, Field


class UTCDateTime(sa.types.TypeDecorator[datetime]):
    """A timestamp column that always reads back as aware UTC."""

    impl = sa.DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: sa.Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetimes are ambiguous; pass an aware UTC datetime")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: sa.Dialect) -> datetime | None:
        return value.replace(tzinfo=UTC) if value is not None else None


def _ts(*, nullable: bool = True, index: bool = False) -> Any:
    return Field(default=None, sa_column=Column(UTCDateTime(), nullable=nullable, index=index))


def _json() -> Any:
    return Field(default_factory=dict, sa_column=Column(sa.JSON, nullable=False))


COMMENTED: dict[str, Any] = {
    f"{dialect}_where": sa.text("comment IS NOT NULL") for dialect in ("postgresql", "sqlite")
}
"""A partial index's condition, on both databases: the answers that have a comment."""
