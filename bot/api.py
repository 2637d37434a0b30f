"""The HTTP API for other systems: triggers after a transaction.

    POST /api/v1/triggers
    Authorization: Bearer $NPSBOT_API_TOKEN
    {"platform": "slack", "user_id": "U123", "event": "order_delivered",
     "delay_minutes": 60, "attributes": {"plan": "pro"}}

202 with {"status": "scheduled"|"suppressed", ...}; 401 for a wrong token; 422 naming the
field for a bad body; 404 for a workspace that does not exist, 409 when several could be
meant. The OpenAPI document is generated from these models (`bot.openapi`) and served at
`/api/v1/openapi.json`.
"""

from __future__ import annotations

import hmac
from collections.abc import Awaitable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Annotated, Literal, Protocol

from pydantic import BaseModel, ConfigDict, Field, ValidationError
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from bot.clock import Clock
from bot.metrics import Metrics
from bot.openapi import document_for
from bot.settings import Settings
from bot.store import UnknownWorkspace

MAX_BODY = 64 * 1024
TRIGGERS_PATH = "/api/v1/triggers"
OPENAPI_PATH = "/api/v1/openapi.json"
PLATFORM_ID = r"^[A-Za-z0-9_.:@-]+$"
"""Slack ids (U123, T123), Telegram ids (digits, -100...), our own names (`sandbox`)."""
PRINTABLE = r"^[^\x00-\x1f\x7f]*$"

AttributeKey = Annotated[str, Field(min_length=1, max_length=40, pattern=r"^[A-Za-z0-9_. -]+$")]
AttributeValue = Annotated[str, Field(max_length=200, pattern=PRINTABLE)]


class TriggerRequest(BaseModel):
    """The body of `POST /api/v1/triggers`."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    platform: Literal["slack", "telegram"] = Field(description="Where the person is asked.")
    user_id: str = Field(
        min_length=1, max_length=64, pattern=PLATFORM_ID, description="The platform's user id."
    )
    event: str = Field(
        min_length=1,
        max_length=100,
        pattern=r"^[A-Za-z0-9_.:-]+$",
        description="What happened, e.g. order_delivered; shown in /nps status and exports.",
    )
    delay_minutes: int = Field(
        default=0, ge=0, le=60 * 24 * 90, description="Ask this long after the event."
    )
    attributes: dict[AttributeKey, AttributeValue] = Field(
        default_factory=dict,
        max_length=50,
        description="Segment attributes for the answer.",
        json_schema_extra={"additionalProperties": False},  # keys must match the pattern
    )
    workspace: str | None = Field(
        default=None,
        min_length=1,
        max_length=64,
        pattern=PLATFORM_ID,
        description="Slack team id or Telegram bot id; needed when several exist.",
    )


class TriggerAccepted(BaseModel):
    """202: the trigger was recorded, and scheduled unless the fatigue policy refused it."""

    status: Literal["scheduled", "suppressed"]
    invitation_id: int
    due_at: datetime | None = Field(description="When the survey goes out (scheduled only).")
    reason: str | None = Field(description="Why the policy suppressed it (suppressed only).")


class ApiError(BaseModel):
    """Any refusal: 401, 404, 409, 413, 422 (with the field), 503."""

    error: str
    field: str | None = None


@dataclass(frozen=True, slots=True)
class TriggerOutcome:
    status: Literal["scheduled", "suppressed"]
    invitation_id: int
    due_at: datetime | None
    reason: str | None = None


class ScheduleTrigger(Protocol):
    """Records a trigger and, policy permitting, its invitation (the wiring supplies it)."""

    def __call__(
        self,
        *,
        platform: str,
        user_id: str,
        event: str,
        delay: timedelta,
        attributes: dict[str, str],
        now: datetime,
        cap_timezone: str,
        workspace: str | None,
        joins_rotation: bool,
    ) -> Awaitable[TriggerOutcome]: ...


def _error(status: int, message: str, field: str | None = None) -> JSONResponse:
    body = ApiError(error=message, field=field).model_dump(exclude_none=True)
    return JSONResponse(body, status_code=status)


def trigger_routes(
    *,
    schedule: ScheduleTrigger,
    settings: Settings,
    clock: Clock,
    metrics: Metrics | None = None,
) -> list[Route]:
    """The trigger endpoint (503 until NPSBOT_API_TOKEN is set) and its OpenAPI document."""
    metrics = metrics or Metrics()
    document = document_for(
        path=TRIGGERS_PATH, request=TriggerRequest, accepted=TriggerAccepted, error=ApiError
    )

    async def describe(request: Request) -> JSONResponse:
        return JSONResponse(document)

    async def create(request: Request) -> JSONResponse:
        token = settings.api_token.get_secret_value() if settings.api_token else None
        if token is None:
            return _error(503, "the trigger API is disabled: set NPSBOT_API_TOKEN")
        given = request.headers.get("authorization", "")
        if not hmac.compare_digest(given.encode(), f"Bearer {token}".encode()):
            return _error(401, "missing or wrong bearer token")
        raw = await request.body()
        if len(raw) > MAX_BODY:
            return _error(413, "body too large")
        try:
            body = TriggerRequest.model_validate_json(raw)
        except ValidationError as exc:
            first = exc.errors()[0]
            field = ".".join(str(part) for part in first["loc"]) or None
            return _error(422, first["msg"], field)
        try:
            outcome = await schedule(
                platform=body.platform,
                user_id=body.user_id,
                event=body.event,
                delay=timedelta(minutes=body.delay_minutes),
                attributes=body.attributes,
                now=clock.now(),
                cap_timezone=settings.digest_timezone,
                workspace=body.workspace,
                joins_rotation=settings.trigger_joins_rotation,
            )
        except UnknownWorkspace as exc:
            return _error(409 if exc.ambiguous else 404, str(exc), "workspace")
        if outcome.status == "suppressed":
            metrics.invitation("suppressed", outcome.reason or "")
        accepted = TriggerAccepted(
            status=outcome.status,
            invitation_id=outcome.invitation_id,
            due_at=outcome.due_at,
            reason=outcome.reason,
        )
        return JSONResponse(accepted.model_dump(mode="json"), status_code=202)

    return [
        Route(TRIGGERS_PATH, create, methods=["POST"]),
        Route(OPENAPI_PATH, describe, methods=["GET"]),
    ]
