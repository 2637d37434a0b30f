"""Bot API error answers: the envelope, Telegram's own wording, and injected faults.

Telegram answers every failure as `{"ok": false, "error_code", "description"}`, with
`parameters` (`retry_after`, `migrate_to_chat_id`) where the caller must act on them; PTB
picks its exception by status and by those parameters, so the wording and shape matter.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any

__all__ = ["ApiError", "Faults", "describe"]

JSON = dict[str, Any]
DESCRIPTIONS = {
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden: bot was blocked by the user",
    404: "Not Found",
    409: "Conflict: terminated by other getUpdates request",
    500: "Internal Server Error",
    502: "Bad Gateway",
}


def describe(status: int, parameters: JSON | None = None) -> str:
    """Telegram's description for a status when a fault names none."""
    if status == 429:
        return f"Too Many Requests: retry after {(parameters or {}).get('retry_after', 1)}"
    if status == 400 and parameters and "migrate_to_chat_id" in parameters:
        return "Bad Request: group chat was upgraded to a supergroup chat"
    return DESCRIPTIONS.get(status) or HTTPStatus(status).phrase


class ApiError(Exception):
    """An answer with `ok: false`; handlers raise it and the server turns it into the envelope."""

    def __init__(self, status: int, description: str, *, parameters: JSON | None = None) -> None:
        super().__init__(description)
        self.status = status
        self.body: JSON = {"ok": False, "error_code": status, "description": description}
        if parameters:
            self.body["parameters"] = parameters


@dataclass(slots=True)
class _Fault:
    status: int
    remaining: int
    description: str | None
    parameters: JSON | None


class Faults:
    """Errors queued per method by `fail_next`; a faulted call delivers nothing."""

    def __init__(self) -> None:
        self._queued: dict[str, deque[_Fault]] = {}

    def add(
        self,
        method: str,
        *,
        status: int,
        count: int,
        description: str | None,
        parameters: JSON | None,
    ) -> None:
        fault = _Fault(status, count, description, parameters)
        self._queued.setdefault(method.lower(), deque()).append(fault)

    def check(self, method: str) -> None:
        """Raise the next queued fault of `method`, if any."""
        queued = self._queued.get(method.lower())
        if not queued:
            return
        fault = queued[0]
        fault.remaining -= 1
        if fault.remaining <= 0:
            queued.popleft()
        text = fault.description or describe(fault.status, fault.parameters)
        raise ApiError(fault.status, text, parameters=fault.parameters)
