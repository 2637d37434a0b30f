"""Inbound deliveries already handled, so a retried or replayed event acts once."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Session, col

from bot.models import ProcessedEvent


def mark_processed(*, session: Session, key: str, now: datetime) -> bool:
    """Remember a delivery; False when it was seen before (a retry or a replay)."""
    if session.get(ProcessedEvent, key) is not None:
        return False
    try:
        with session.begin_nested():
            session.add(ProcessedEvent(key=key, at=now))
            session.flush()
    except sa.exc.IntegrityError:
        return False
    return True


def forget_processed(*, session: Session, before: datetime) -> int:
    result = session.execute(sa.delete(ProcessedEvent).where(col(ProcessedEvent.at) < before))
    return result.rowcount or 0
