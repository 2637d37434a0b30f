"""Outbound webhooks: the registered endpoints and their outbox of deliveries."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Session, col, select

from bot.models import Job, Webhook, WebhookDelivery
from bot.store.rows import columns_of, detached, table_of

_WEBHOOK = columns_of(Webhook)
_ALL_WEBHOOKS = sa.select(*_WEBHOOK).order_by(table_of(Webhook).c.id)


def add_webhook(
    *, session: Session, url: str, secret: str, events: list[str], now: datetime
) -> Webhook | None:
    """Register an endpoint; None when the URL is registered already."""
    if find_webhook(session=session, url=url) is not None:
        return None
    webhook = Webhook(url=url, secret=secret, events=sorted(events), created_at=now)
    session.add(webhook)
    session.flush()
    return webhook


def find_webhook(*, session: Session, url: str) -> Webhook | None:
    return session.exec(select(Webhook).where(col(Webhook.url) == url)).first()


def list_webhooks(*, session: Session) -> Sequence[Webhook]:
    return session.exec(select(Webhook).order_by(col(Webhook.id))).all()


def remove_webhook(*, session: Session, webhook: Webhook) -> None:
    """Forget an endpoint with its outbox and the jobs still meant to send to it."""
    webhook_id = webhook.id or 0
    session.exec(sa.delete(Job).where(col(Job.lane).startswith(f"webhook:{webhook_id}:")))
    session.exec(sa.delete(WebhookDelivery).where(col(WebhookDelivery.webhook_id) == webhook_id))
    session.delete(webhook)


def subscribed_webhooks(*, session: Session, event_type: str) -> list[Webhook]:
    """The endpoints that hear this type (an empty list of events means every type). Asked
    on every answer, mostly of an empty table: read in Core, in no session."""
    rows = session.connection().execute(_ALL_WEBHOOKS)
    return [
        webhook
        for webhook in (detached(Webhook, _WEBHOOK, row) for row in rows)
        if not webhook.events or event_type in webhook.events
    ]


def add_delivery(
    *,
    session: Session,
    webhook_id: int,
    event_id: str,
    event_type: str,
    respondent_id: int | None,
    body: str,
    now: datetime,
) -> WebhookDelivery:
    delivery = WebhookDelivery(
        webhook_id=webhook_id,
        event_id=event_id,
        type=event_type,
        respondent_id=respondent_id,
        body=body,
        created_at=now,
    )
    session.add(delivery)
    session.flush()
    return delivery


def pending_delivery(
    *, session: Session, delivery_id: int
) -> tuple[WebhookDelivery, Webhook] | None:
    """The delivery still to send and its endpoint; None once it was sent (a job run again
    after a crash) or the endpoint was removed."""
    delivery = session.get(WebhookDelivery, delivery_id)
    if delivery is None or delivery.status != "pending":
        return None
    webhook = session.get(Webhook, delivery.webhook_id)
    return None if webhook is None else (delivery, webhook)


def record_attempt(
    *,
    session: Session,
    delivery_id: int,
    status: int | None,
    error: str | None,
    now: datetime,
) -> None:
    """One POST's outcome: delivered on a 2xx, else the status or error for the log."""
    values: dict[str, object] = {
        "attempts": WebhookDelivery.attempts + 1,
        "last_status": status,
        "last_error": error[:500] if error else None,
    }
    if error is None:
        values |= {"status": "delivered", "delivered_at": now}
    session.exec(
        sa.update(WebhookDelivery).where(col(WebhookDelivery.id) == delivery_id).values(**values)
    )


def give_up_delivery(*, session: Session, delivery_id: int) -> None:
    """Retries ran out: the delivery is dead and shows so in the log."""
    session.exec(
        sa.update(WebhookDelivery)
        .where(col(WebhookDelivery.id) == delivery_id, col(WebhookDelivery.status) == "pending")
        .values(status="dead")
    )


def delivery_log(
    *, session: Session, webhook_id: int | None = None, limit: int = 50
) -> list[tuple[WebhookDelivery, str]]:
    """The newest deliveries with their endpoint's URL, newest first."""
    query = select(WebhookDelivery, Webhook.url).join(
        Webhook, col(Webhook.id) == col(WebhookDelivery.webhook_id)
    )
    if webhook_id is not None:
        query = query.where(col(WebhookDelivery.webhook_id) == webhook_id)
    rows = session.exec(query.order_by(col(WebhookDelivery.id).desc()).limit(limit)).all()
    return [(delivery, url) for delivery, url in rows]


def prune_deliveries(*, session: Session, before: datetime) -> int:
    """Settled deliveries (sent or dead) older than `before` leave the outbox."""
    result = session.exec(
        sa.delete(WebhookDelivery).where(
            col(WebhookDelivery.status) != "pending", col(WebhookDelivery.created_at) < before
        )
    )
    return result.rowcount or 0


def forget_deliveries(*, session: Session, respondent_id: int) -> int:
    """A forgotten person's events leave the outbox, sent or not: they carry their words."""
    session.exec(
        sa.delete(Job).where(
            col(Job.lane).startswith("webhook:"), col(Job.lane).endswith(f":{respondent_id}")
        )
    )
    result = session.exec(
        sa.delete(WebhookDelivery).where(col(WebhookDelivery.respondent_id) == respondent_id)
    )
    return result.rowcount or 0
