"""Tables of the outreach beyond the survey: signed webhooks to the team's systems and
"you said, we did" announcements to the people who raised an issue."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Column, Field, SQLModel

from bot.columns import _ts


class Webhook(SQLModel, table=True):
    """An endpoint of the team's own systems (CRM, helpdesk, warehouse) that hears events."""

    id: int | None = Field(default=None, primary_key=True)
    url: str = Field(max_length=2000, unique=True)
    secret: str = Field(max_length=100)
    """Signs every POST; the receiver checks `X-Npsbot-Signature` with it."""
    events: list[str] = Field(default_factory=list, sa_column=Column(sa.JSON, nullable=False))
    """The event types it is sent; empty means all of them."""
    created_at: datetime | None = _ts()


class WebhookDelivery(SQLModel, table=True):
    """The outbox: one event for one endpoint, written in the change's own transaction.

    Its body is fixed when written, so every retry sends the same bytes and event id (the
    receiver deduplicates on it). A job in the lane `webhook:<endpoint>:<respondent>` sends
    it; this row keeps what happened for `npsbot webhook log`.
    """

    __table_args__ = (sa.UniqueConstraint("webhook_id", "event_id"),)

    id: int | None = Field(default=None, primary_key=True)
    webhook_id: int = Field(foreign_key="webhook.id", index=True)
    event_id: str = Field(max_length=36)
    type: str = Field(max_length=40)
    respondent_id: int | None = Field(default=None, index=True)
    body: str = Field(sa_column=Column(sa.Text, nullable=False))
    status: str = Field(default="pending", max_length=16)
    """pending, delivered, or dead (given up after a day of failures)."""
    attempts: int = 0
    last_status: int | None = None
    last_error: str | None = Field(default=None, max_length=500)
    created_at: datetime | None = _ts(index=True)
    delivered_at: datetime | None = _ts()


class Announcement(SQLModel, table=True):
    """A "you said, we did" message to the people whose comments mentioned a phrase."""

    id: int | None = Field(default=None, primary_key=True)
    workspace_id: int = Field(foreign_key="workspace.id", index=True)
    phrase: str = Field(max_length=200)
    text: str
    author: str = Field(max_length=200)
    created_at: datetime | None = _ts()


class AnnouncementDelivery(SQLModel, table=True):
    """One announcement to one person: `pending` until their send window, claimed
    (`sending`) before the send so it goes once, then `sent`, `skipped` or `failed`."""

    __table_args__ = (sa.UniqueConstraint("announcement_id", "respondent_id"),)

    id: int | None = Field(default=None, primary_key=True)
    announcement_id: int = Field(foreign_key="announcement.id", index=True)
    workspace_id: int = Field(foreign_key="workspace.id", index=True)
    respondent_id: int = Field(foreign_key="respondent.id", index=True)
    response_id: int | None = Field(default=None, foreign_key="response.id")
    """The answer whose comment matched the phrase: a reply to the announcement opens its
    case (None for deliveries written before 0007_loop: the person's newest answer then)."""
    status: str = Field(default="pending", max_length=16, index=True)
    reason: str | None = Field(default=None, max_length=200)
    due_at: datetime | None = _ts(index=True)
    sent_at: datetime | None = _ts(index=True)
