"""The HTTP API for other systems: triggers after a transaction.

    POST /api/v1/triggers
    Authorization: Bearer $NPSBOT_API_TOKEN
    {"platform": "slack", "user_id": "U123", "event": "order_delivered",
     "delay_minutes": 60, "attributes": {"plan": "pro"}}

202 with {"status": "scheduled"|"suppressed", ...}; 401 for a wrong token; 422 naming the
field for a bad body.
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal, Protocol

from pydantic import BaseModel, ConfigDict, Field, ValidationError
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from bot.clock import Clock
from bot.settings import Settings
from bot.store import UnknownWorkspace

MAX_BODY = 64 * 1024


class TriggerRequest(BaseModel):
    """The body of `POST /api/v1/triggers`."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    platform: Literal["slack", "telegram"]
    user_id: str = Field(min_length=1, max_length=64)
    event: str = Field(min_length=1, max_length=100, pattern=r"^[A-Za-z0-9_.:-]+$")
    delay_minutes: int = Field(default=0, ge=0, le=60 * 24 * 90)
    attributes: dict[str, str] = Field(default_factory=dict, max_length=50)
    workspace: str | None = Field(default=None, max_length=64)


@dataclass(frozen=True, slots=True)
class TriggerOutcome:
    status: str
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
    ) -> TriggerOutcome: ...


def _error(status: int, message: str, field: str | None = None) -> JSONResponse:
    body: dict[str, object] = {"error": message}
    if field is not None:
        body["field"] = field
    return JSONResponse(body, status_code=status)


def trigger_routes(*, schedule: ScheduleTrigger, settings: Settings, clock: Clock) -> list[Route]:
    """The trigger endpoint; it answers 503 until NPSBOT_API_TOKEN is configured."""

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
            outcome = schedule(
                platform=body.platform,
                user_id=body.user_id,
                event=body.event,
                delay=timedelta(minutes=body.delay_minutes),
                attributes=body.attributes,
                now=clock.now(),
                cap_timezone=settings.digest_timezone,
                workspace=body.workspace,
            )
        except UnknownWorkspace as exc:
            return _error(422, str(exc), "workspace")
        return JSONResponse(
            {
                "status": outcome.status,
                "invitation_id": outcome.invitation_id,
                "due_at": outcome.due_at.isoformat() if outcome.due_at else None,
                "reason": outcome.reason,
            },
            status_code=202,
        )

    return [Route("/api/v1/triggers", create, methods=["POST"])]
