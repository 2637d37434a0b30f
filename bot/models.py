"""Database tables (SQLModel).

Truth lives here: who may be asked, what was sent, what was answered. Timestamps are stored
as naive UTC and handed back timezone-aware, so SQLite and PostgreSQL behave the same.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from bot.columns import COMMENTED, _json, _ts
from bot.columns import UTCDateTime as UTCDateTime


class InvitationStatus(StrEnum):
    """Life of an invitation: claimed before sending, sent once the platform accepted it."""

    PENDING = "pending"
    CLAIMED = "claimed"
    SENDING = "sending"
    SENT = "sent"
    UNCERTAIN = "uncertain"
    ANSWERED = "answered"
    EXPIRED = "expired"
    SUPPRESSED = "suppressed"
    FAILED = "failed"


class InvitationSource(StrEnum):
    SCHEDULED = "scheduled"
    TRIGGERED = "triggered"
    MANUAL = "manual"
    IMPORTED = "imported"
    """A past answer loaded by `npsbot responses import`: never sent, never followed up."""


class Workspace(SQLModel, table=True):
    """A Slack workspace or a Telegram bot: the scope of policy, audience and digests."""

    __table_args__ = (sa.UniqueConstraint("platform", "external_id"),)

    id: int | None = Field(default=None, primary_key=True)
    platform: str = Field(max_length=16)
    external_id: str = Field(max_length=64)
    name: str = Field(default="", max_length=200)
    paused: bool = False
    anonymous: bool = False
    cadence_days: int = 90
    gap_unanswered_days: int = 30
    gap_answered_days: int = 90
    trigger_cooldown_days: int = 30
    send_days: str = Field(default="0,1,2,3,4", max_length=20)
    window_start: str = Field(default="10:00", max_length=5)
    window_end: str = Field(default="17:00", max_length=5)
    quiet_start: str | None = Field(default=None, max_length=5)
    quiet_end: str | None = Field(default=None, max_length=5)
    daily_cap: int | None = None
    reminder_after_days: int | None = 3
    expiry_days: int = 7
    mover_alerts: bool = True
    """Alert on a person's own drop (`/nps alerts movers on|off|<points>`), not only on
    detractors."""
    mover_points: int = 3
    """How many points below their previous score a person must fall to raise a mover alert."""
    followup_remember: bool = True
    """Whether the follow-up recalls the theme of the person's previous comment."""
    last_digest_at: datetime | None = _ts()
    held_back: dict[str, int] = _json()
    problems: dict[str, str] = _json()
    """What failed for this workspace alone (planning, reminders, a target), for its admins."""
    planned_at: datetime | None = _ts()
    created_at: datetime | None = _ts()


class Respondent(SQLModel, table=True):
    """A person who may be asked, as known on one platform."""

    __table_args__ = (
        sa.UniqueConstraint("workspace_id", "platform_user_id"),
        sa.Index("ix_respondent_profile_refreshed_at_id", "profile_refreshed_at", "id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    workspace_id: int = Field(foreign_key="workspace.id", index=True)
    platform: str = Field(max_length=16)
    platform_user_id: str = Field(max_length=64)
    display_name: str | None = Field(default=None, max_length=200)
    email: str | None = Field(default=None, max_length=320)
    person_key: str | None = Field(default=None, max_length=320, index=True)
    timezone: str | None = Field(default=None, max_length=64)
    locale: str | None = Field(default=None, max_length=35)
    language: str | None = Field(default=None, max_length=8)
    """The language the person chose (`/language`, the CSV import); beats `locale`."""
    attributes: dict[str, str] = _json()
    dm_channel: str | None = Field(default=None, max_length=64)
    active: bool = True
    opted_out: bool = False
    opted_out_at: datetime | None = _ts()
    unreachable: bool = False
    unreachable_reason: str | None = Field(default=None, max_length=200)
    rotation_slot: int = 0
    joined_at: datetime | None = _ts()
    profile_refreshed_at: datetime | None = _ts()


class Invitation(SQLModel, table=True):
    """One NPS question put (or to be put) to one respondent."""

    # By workspace then time, as scoped queries ask (a week's deliveries: the index alone).
    __table_args__ = (sa.Index("ix_invitation_workspace_time", "workspace_id", "sent_at", "id"),)

    id: int | None = Field(default=None, primary_key=True)
    workspace_id: int = Field(foreign_key="workspace.id")
    respondent_id: int = Field(foreign_key="respondent.id", index=True)
    source: str = Field(default=InvitationSource.SCHEDULED, max_length=16)
    event: str | None = Field(default=None, max_length=100)
    status: str = Field(default=InvitationStatus.PENDING, max_length=16, index=True)
    reason: str | None = Field(default=None, max_length=200)
    due_at: datetime | None = _ts(index=True)
    claimed_at: datetime | None = _ts()
    claimed_by: str | None = Field(default=None, max_length=100)
    attempts: int = 0
    last_error: str | None = Field(default=None, max_length=500)
    sent_at: datetime | None = _ts(index=True)
    expires_at: datetime | None = _ts()
    reminded_at: datetime | None = _ts()
    remind_at: datetime | None = _ts()
    chat_ref: str | None = Field(default=None, max_length=64)
    message_ref: str | None = Field(default=None, max_length=64)
    reconcile_at: datetime | None = _ts()
    """An `uncertain` send's next look at the chat's history (`scheduling.reconcile`); None
    until the first, which waits for the send to settle."""
    created_at: datetime | None = _ts()


class Response(SQLModel, table=True):
    """The answer to one invitation: a score, then perhaps a comment."""

    # By workspace and time: weekly counts read the index alone, themes only commented rows.
    __table_args__ = (
        sa.Index("ix_response_workspace_time", "workspace_id", "answered_at", "score", "polarity"),
        sa.Index("ix_response_comment_time", "workspace_id", "answered_at", "id", **COMMENTED),
    )

    id: int | None = Field(default=None, primary_key=True)
    invitation_id: int = Field(foreign_key="invitation.id", unique=True)
    workspace_id: int = Field(foreign_key="workspace.id")
    respondent_id: int = Field(foreign_key="respondent.id", index=True)
    platform: str = Field(max_length=16)
    score: int = Field(ge=0, le=10)
    attributes: dict[str, str] = _json()
    comment: str | None = None
    polarity: float | None = None
    subjectivity: float | None = None
    language: str | None = Field(default=None, max_length=8)
    """The comment's language as detected when it was stored ("und" when unsure)."""
    terms: str | None = None
    """The comment's theme terms, found as it was stored (`scoring.terms.stored_terms`)."""
    previous_score: int | None = None
    """The person's latest score before this invitation, fixed when this one is first
    answered: a re-click within the same invitation is never a move against itself."""
    followup: str = Field(default="awaiting", max_length=16)
    import_key: str | None = Field(default=None, max_length=160, unique=True)
    """`delighted:<Response ID>` for an imported answer: a re-import finds it and skips it."""
    answered_at: datetime | None = _ts(index=True)
    commented_at: datetime | None = _ts(index=True)
    alert_chat: str | None = Field(default=None, max_length=64)
    alert_ref: str | None = Field(default=None, max_length=64)


class CaseState(StrEnum):
    """Life of a detractor alert: posted, someone took it, they wrote back, it is settled."""

    OPEN = "open"
    CLAIMED = "claimed"
    REPLIED = "replied"
    RESOLVED = "resolved"


class Case(SQLModel, table=True):
    """The follow-up of one alerted answer: who took it, when the customer first heard back,
    how it ended; its conversation hangs off it (`CaseMessage`). The table is not named
    `case`, a reserved word in SQL."""

    __tablename__ = "alertcase"
    __table_args__ = (sa.Index("ix_alertcase_state_opened_at", "state", "opened_at"),)

    id: int | None = Field(default=None, primary_key=True)
    response_id: int = Field(foreign_key="response.id", unique=True)
    workspace_id: int = Field(foreign_key="workspace.id", index=True)
    respondent_id: int = Field(foreign_key="respondent.id", index=True)
    state: str = Field(default=CaseState.OPEN, max_length=16)
    opened_at: datetime | None = _ts(nullable=False)
    claimed_by: str | None = Field(default=None, max_length=100)
    claimed_at: datetime | None = _ts()
    first_reply_at: datetime | None = _ts()
    last_reply_at: datetime | None = _ts()
    """The team's latest words to the customer: the conversation window runs from here."""
    reminded_at: datetime | None = _ts()
    resolved_by: str | None = Field(default=None, max_length=100)
    resolved_at: datetime | None = _ts()
    resolution_note: str | None = None
    announcement_id: int | None = Field(default=None, foreign_key="announcement.id")
    """Set when a reply to that "you said, we did" announcement opened the case."""


class CaseMessage(SQLModel, table=True):
    """One turn of a case's conversation: the team's words to the customer, or theirs back.

    `chat_ref`/`message_ref` say where the turn shows in the team's thread, so a reply to it
    there finds its case."""

    __table_args__ = (sa.Index("ix_casemessage_chat_ref_message_ref", "chat_ref", "message_ref"),)

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="alertcase.id", index=True)
    from_team: bool
    author: str | None = Field(default=None, max_length=200)
    text: str | None = None
    at: datetime | None = _ts(nullable=False, index=True)
    chat_ref: str | None = Field(default=None, max_length=64)
    message_ref: str | None = Field(default=None, max_length=64)


class Target(SQLModel, table=True):
    """Where digests or detractor alerts are posted."""

    __table_args__ = (sa.UniqueConstraint("workspace_id", "kind", "chat_id"),)

    id: int | None = Field(default=None, primary_key=True)
    workspace_id: int = Field(foreign_key="workspace.id", index=True)
    kind: str = Field(max_length=16)
    chat_id: str = Field(max_length=64)


class AudienceSource(SQLModel, table=True):
    """A channel whose human members are kept in the audience."""

    __table_args__ = (sa.UniqueConstraint("workspace_id", "chat_id"),)

    id: int | None = Field(default=None, primary_key=True)
    workspace_id: int = Field(foreign_key="workspace.id", index=True)
    chat_id: str = Field(max_length=64)


class AuditEntry(SQLModel, table=True):
    """Who changed what, and when."""

    id: int | None = Field(default=None, primary_key=True)
    workspace_id: int = Field(foreign_key="workspace.id", index=True)
    actor: str = Field(max_length=100)
    action: str = Field(max_length=100)
    detail: str = ""
    at: datetime | None = _ts(index=True)


class ProcessedEvent(SQLModel, table=True):
    """Platform deliveries already handled, so retries and replays are no-ops."""

    key: str = Field(primary_key=True, max_length=200)
    at: datetime | None = _ts(index=True)


class Job(SQLModel, table=True):
    """Work that must happen once, retried with back-off until it does.

    An inbound event to handle, one effect of an answer (edit the message, ask the
    follow-up, post the alert), an outbound webhook delivery: each is its own row, so one
    failing never blocks another. Jobs sharing a `lane` (one person) run one at a time, in
    id order. A job is leased (`locked_by`, `locked_until`) while it runs; a lease left by a
    dead process expires and another worker takes the job.
    """

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=64)
    lane: str | None = Field(default=None, max_length=200, index=True)
    payload: dict[str, Any] = _json()
    attempts: int = 0
    run_after: datetime | None = _ts(nullable=False, index=True)
    locked_by: str | None = Field(default=None, max_length=100)
    locked_until: datetime | None = _ts()
    last_error: str | None = Field(default=None, max_length=500)
    dead: bool = False
    created_at: datetime | None = _ts()


class ForgottenPerson(SQLModel, table=True):
    """Someone who had their data deleted, kept only as a salted hash of platform and user id
    so a later audience import does not quietly add them back."""

    __table_args__ = (sa.UniqueConstraint("workspace_id", "digest"),)

    id: int | None = Field(default=None, primary_key=True)
    workspace_id: int = Field(foreign_key="workspace.id", index=True)
    digest: str = Field(max_length=64)
    salt: str = Field(max_length=32)
    at: datetime | None = _ts()


# Tables kept apart for size, re-exported so that `bot.models` names every table.
from bot.outreach_models import Announcement as Announcement  # noqa: E402
from bot.outreach_models import AnnouncementDelivery as AnnouncementDelivery  # noqa: E402
from bot.outreach_models import Webhook as Webhook  # noqa: E402
from bot.outreach_models import WebhookDelivery as WebhookDelivery  # noqa: E402
from bot.week_models import WeekCount as WeekCount  # noqa: E402
