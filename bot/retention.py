"""Retention: what is kept about people and about the bot's own work stops growing.

Comments and conversation texts go after NPSBOT_RETENTION_DAYS (unset keeps them; scores
always stay, so trends keep their history); audit entries after
NPSBOT_AUDIT_RETENTION_DAYS; delivery marks after NPSBOT_PROCESSED_EVENT_DAYS; settled
webhook deliveries after 30 days, or the text retention when shorter.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot import store
from bot.db import Database
from bot.settings import Settings

log = logging.getLogger(__name__)

WEBHOOK_LOG_DAYS = 30
"""Sent and dead webhook deliveries stay this long in `npsbot webhook log` (shorter when
NPSBOT_RETENTION_DAYS is: their bodies hold comments)."""


@dataclass(frozen=True, slots=True)
class Purged:
    texts: int
    audit: int
    events: int
    deliveries: int = 0


def purge(*, db: Database, settings: Settings, now: datetime) -> Purged:
    """One daily pass, each purge in its own transaction."""
    texts = 0
    if settings.retention_days is not None:
        with db.session() as session:
            texts = store.purge_texts(
                session=session, before=now - timedelta(days=settings.retention_days)
            )
    with db.session() as session:
        audit = store.prune_audit(
            session=session, before=now - timedelta(days=settings.audit_retention_days)
        )
    events = forget_events(db=db, settings=settings, now=now)
    log_days = min(WEBHOOK_LOG_DAYS, settings.retention_days or WEBHOOK_LOG_DAYS)
    with db.session() as session:
        deliveries = store.prune_deliveries(session=session, before=now - timedelta(days=log_days))
    purged = Purged(texts=texts, audit=audit, events=events, deliveries=deliveries)
    if texts or audit or events or deliveries:
        log.info(
            "retention: %d answer text(s), %d audit entr(ies), %d delivery mark(s), "
            "%d webhook deliver(ies) purged",
            texts,
            audit,
            events,
            deliveries,
        )
    return purged


def forget_events(*, db: Database, settings: Settings, now: datetime) -> int:
    """Delivery marks older than the replay window (platforms retry within minutes)."""
    with db.session() as session:
        return store.forget_processed(
            session=session, before=now - timedelta(days=settings.processed_event_days)
        )
