"""The short-lived handles an interaction gives the app: `trigger_id` and `response_url`.

A `trigger_id` opens one modal, within 3 seconds of the click or command that carried it
(`expired_trigger_id`, `exchanged_trigger_id`, `invalid_trigger_id` otherwise). A
`response_url` takes at most 5 posts within 30 minutes; after that Slack answers 404
`used_url` or `expired_url`.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass

from channels.sandbox.slack_payloads import new_trigger_id
from channels.sandbox.slack_state import SlackError

__all__ = ["Interactivity"]

TRIGGER_TTL = 3.0
RESPONSE_URL_USES = 5
RESPONSE_URL_TTL = 30 * 60.0


@dataclass(slots=True)
class _Issued:
    at: float
    uses: int = 0


class Interactivity:
    """Issues and checks trigger ids and response URLs against the sandbox's clock."""

    def __init__(self, *, base_url: Callable[[], str], team_id: str, clock: Callable[[], float]):
        self._base_url = base_url
        self._team_id = team_id
        self.clock = clock
        self._triggers: dict[str, _Issued] = {}
        self._urls: dict[str, _Issued] = {}
        self._serial = 0

    def issue_trigger(self, trigger_id: str | None = None) -> str:
        """A trigger id valid from now (a retried payload keeps the time of its first issue)."""
        trigger_id = trigger_id or new_trigger_id()
        self._triggers.setdefault(trigger_id, _Issued(at=self.clock()))
        return trigger_id

    def exchange_trigger(self, trigger_id: object) -> None:
        """Spend a trigger id on a modal, or raise the error Slack gives."""
        issued = self._triggers.get(str(trigger_id)) if trigger_id else None
        if issued is None:
            raise SlackError("invalid_trigger_id")
        if issued.uses:
            raise SlackError("exchanged_trigger_id")
        if self.clock() - issued.at > TRIGGER_TTL:
            raise SlackError("expired_trigger_id")
        issued.uses += 1

    def issue_response_url(self, kind: str = "actions") -> str:
        self._serial += 1
        secret = secrets.token_hex(8)
        url = f"{self._base_url()}hooks/{kind}/{self._team_id}/{self._serial}/{secret}"
        self._urls[url] = _Issued(at=self.clock())
        return url

    def use_response_url(self, url: str) -> str | None:
        """Count one post to `url`; the refusal text Slack answers with, or None if allowed."""
        issued = self._urls.get(url)
        if issued is None:
            return "invalid_url"
        if self.clock() - issued.at > RESPONSE_URL_TTL:
            return "expired_url"
        if issued.uses >= RESPONSE_URL_USES:
            return "used_url"
        issued.uses += 1
        return None
