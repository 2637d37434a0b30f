"""Inbound deliveries already handled, so a retried or replayed event acts once.

The mark is written in the transaction of the work it guards: if storing the answer fails,
the mark goes with it, and the platform's retry is handled instead of dropped.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col

from bot.models import ProcessedEvent

_MARKS = {
    dialect is postgresql: dialect.insert(ProcessedEvent)
    .on_conflict_do_nothing()
    .returning(col(ProcessedEvent.key))
    for dialect in (postgresql, sqlite)
}
"""The statement of each dialect (keyed by "is PostgreSQL"), built once."""


def mark_processed(*, session: Session, key: str, now: datetime) -> bool:
    """Remember a delivery; False when it was seen before (a retry or a replay).

    One `INSERT ... ON CONFLICT DO NOTHING`: no read first, no SAVEPOINT, and two replicas
    racing on the same retry cannot both win.
    """
    statement = _MARKS[session.get_bind().dialect.name == "postgresql"]
    return session.connection().execute(statement, {"key": key, "at": now}).first() is not None


def forget_processed(*, session: Session, before: datetime) -> int:
    result = session.exec(sa.delete(ProcessedEvent).where(col(ProcessedEvent.at) < before))
    return result.rowcount or 0
