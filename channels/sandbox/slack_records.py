"""What the Slack sandbox records, for tests to assert on: calls, messages, files, deliveries."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

__all__ = ["Delivery", "PostedMessage", "RecordedCall", "ResponseUrlPost", "UploadedFile"]

Json = dict[str, Any]


@dataclass(slots=True)
class RecordedCall:
    """One Web API call as the sandbox saw it; `status`/`error` tell refusals from successes."""

    method: str
    params: Json
    at: float
    status: int = 200
    error: str | None = None
    messages: list[str] = field(default_factory=list)
    """`response_metadata.messages` of a refusal, e.g. which block broke a Block Kit limit."""


@dataclass(slots=True)
class PostedMessage:
    """A message the bot posted, kept at its latest version after `chat.update`."""

    channel: str
    ts: str
    text: str | None
    blocks: list[Json] | None
    thread_ts: str | None = None
    user: str | None = None  # recipient of an ephemeral message
    edits: int = 0
    metadata: Json | None = None
    """Message metadata posted with it; `conversations.history` shows it on request only."""


@dataclass(slots=True)
class UploadedFile:
    """A file sent through the files_upload_v2 three-step flow."""

    file_id: str
    filename: str
    data: bytes = b""
    title: str | None = None
    channel: str | None = None
    initial_comment: str | None = None
    thread_ts: str | None = None


@dataclass(slots=True)
class ResponseUrlPost:
    """A body the bot posted to a `response_url` (bolt's `respond`), accepted or refused."""

    url: str
    body: Json
    at: float
    status: int = 200


@dataclass(slots=True)
class Delivery:
    """One request Slack made of the app (an event, a click, a command) and how it went.

    `attempts` counts the first try and Slack's retries; `acked` is False when no attempt was
    acknowledged within the 3-second window, which Slack shows the person as a failure.
    """

    kind: str
    transport: str
    attempts: int = 0
    acked: bool = False
    statuses: list[int] = field(default_factory=list)
