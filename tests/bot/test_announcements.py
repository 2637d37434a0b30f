"""Announcement deliveries in the database: claimed once across replicas, counted once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot import store
from bot.db import Database

pytestmark = pytest.mark.database  # claims between replicas

NOW = datetime(2026, 11, 24, 11, 0, tzinfo=UTC)


def test_a_delivery_is_claimed_by_one_replica_and_counts_as_told(db: Database) -> None:
    with db.session() as session:
        workspace = store.get_or_create_workspace(
            session=session, platform="slack", external_id="T1", now=NOW
        )
        jane = store.upsert_respondent(
            session=session, workspace=workspace, platform_user_id="U1", now=NOW
        )
        store.create_announcement(
            session=session,
            workspace_id=workspace.id or 0,
            phrase="slow checkout",
            text="Fixed.",
            author="ada",
            respondent_ids=[jane.id or 0],
            now=NOW,
        )
    with db.session() as session:
        ((delivery, _),) = store.due_deliveries(session=session, workspace_id=1, now=NOW)
    with db.session() as first, db.session() as second:
        taken = store.claim_delivery(session=first, delivery_id=delivery.id or 0, now=NOW)
        first.commit()
        again = store.claim_delivery(session=second, delivery_id=delivery.id or 0, now=NOW)
    assert taken is not None and again is None
    with db.session() as session:
        # cut off by a crash before it was settled: told, for 30 days from the attempt
        assert store.told_since(session=session, workspace_id=1, since=NOW - timedelta(days=30))
        assert not store.told_since(session=session, workspace_id=1, since=NOW + timedelta(1))
        store.settle_delivery(session=session, delivery_id=delivery.id or 0, status="sent", now=NOW)
    with db.session() as session:
        span = store.Span(NOW - timedelta(days=1), NOW + timedelta(days=1), [1])
        assert store.told_count(session=session, span=span) == 1
        assert store.due_deliveries(session=session, workspace_id=1, now=NOW) == []
