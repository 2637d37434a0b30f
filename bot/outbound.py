"""Events for the team's own systems, written to the outbox in the change's transaction.

`emit` is called inside the transaction that makes the change (an answer stored, an opt-out,
a case claimed), so an event exists exactly when its change does: a crash after the commit
loses none, a rolled-back change sends none. Each subscribed endpoint gets its own delivery
row and a job in the lane of that endpoint and respondent, so one person's events reach an
endpoint in the order they happened. Names and ids are masked as the alerts mask them.
"""

from __future__ import annotations

import json
import uuid
from datetime import datetime
from typing import Any

from sqlmodel import Session

from bot import store
from bot.export import pseudonym
from bot.models import Job, Respondent, Response, Workspace
from scoring.nps import category

DELIVER = "webhook.deliver"
EVENTS = (
    "response.created",
    "response.updated",
    "respondent.opted_out",
    "case.claimed",
    "case.replied",
    "case.resolved",
    "case.message",
)
"""What an endpoint may subscribe to; `npsbot webhook test` also sends a `ping`."""
PING = "ping"


def lane(webhook_id: int, respondent_id: int | None) -> str:
    """One endpoint's events about one person, in order."""
    return f"webhook:{webhook_id}:{respondent_id or 0}"


def emit(
    session: Session,
    *,
    type: str,
    respondent_id: int,
    data: dict[str, Any],
    now: datetime,
    anonymous: bool,
) -> list[Job]:
    """Queue one event for every endpoint that hears `type`, in the caller's transaction.

    `data` is the event's own part; the respondent block is added here, masked when
    `anonymous` (NPSBOT_ANONYMOUS) or the workspace's own switch is on, or the person was
    forgotten. Returns the delivery jobs (none when no endpoint listens).
    """
    if type not in EVENTS:
        raise ValueError(f"unknown webhook event {type!r}")
    webhooks = store.subscribed_webhooks(session=session, event_type=type)
    if not webhooks:
        return []
    body = event_body(
        event_type=type,
        data={**data, "respondent": _respondent(session, respondent_id, anonymous)},
        now=now,
    )
    jobs = []
    for webhook in webhooks:
        delivery = store.add_delivery(
            session=session,
            webhook_id=webhook.id or 0,
            event_id=body["id"],
            event_type=type,
            respondent_id=respondent_id,
            body=encode(body),
            now=now,
        )
        jobs.append(
            store.enqueue(
                session=session,
                kind=DELIVER,
                payload={"delivery_id": delivery.id},
                now=now,
                lane=lane(webhook.id or 0, respondent_id),
            )
        )
    return jobs


def event_body(*, event_type: str, data: dict[str, Any], now: datetime) -> dict[str, Any]:
    """The JSON every POST carries: a fresh event id (receivers deduplicate on it)."""
    return {
        "id": str(uuid.uuid4()),
        "type": event_type,
        "created_at": now.isoformat(),
        "data": data,
    }


def encode(body: dict[str, Any]) -> str:
    """The exact text that is signed and sent, written once so retries send the same bytes."""
    return json.dumps(body, ensure_ascii=False, separators=(",", ":"))


def response_data(response: Response, **extra: Any) -> dict[str, Any]:
    """A response as events show it."""
    return {
        "response_id": response.id,
        "score": response.score,
        "category": category(response.score),
        "comment": response.comment,
        "attributes": dict(response.attributes),
        "answered_at": _iso(response.answered_at),
        "commented_at": _iso(response.commented_at),
        **extra,
    }


def opted_out(session: Session, *, respondent: Respondent, now: datetime, anonymous: bool) -> None:
    """The person asked not to be surveyed again (call before storing it, once per opt-out)."""
    emit(
        session,
        type="respondent.opted_out",
        respondent_id=respondent.id or 0,
        data={"opted_out_at": now.isoformat()},
        now=now,
        anonymous=anonymous,
    )


def _respondent(session: Session, respondent_id: int, anonymous: bool) -> dict[str, Any]:
    """Who, as far as anonymity allows: a stable pseudonym and no name when it is on."""
    respondent = session.get(Respondent, respondent_id)
    assert respondent is not None
    workspace = session.get(Workspace, respondent.workspace_id)
    assert workspace is not None
    masked = anonymous or workspace.anonymous or store.is_forgotten(respondent)
    return {
        "platform": respondent.platform,
        "workspace": workspace.external_id,
        "id": (
            pseudonym(workspace.external_id, respondent_id)
            if masked
            else respondent.platform_user_id
        ),
        "name": None if masked else respondent.display_name,
    }


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None
