"""Signed delivery of Slack's requests to a bot's HTTP endpoint (Events API, interactivity).

Bolt verifies `X-Slack-Signature` and rejects stale timestamps with 401, so the sandbox must sign
exactly as Slack does; callers can override the secret or timestamp to test forgery and replay.
Slack waits 3 seconds for an answer. An event that gets none, or a non-2xx one, is delivered
again with `X-Slack-Retry-Num` and `X-Slack-Retry-Reason`, up to 3 retries (Slack spaces them
over minutes; the sandbox sends them at once). A click or command that gets no answer in time
is not retried: the person sees an error, recorded as an unacknowledged `Delivery`.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from typing import TYPE_CHECKING, Any, Self
from urllib.parse import urlencode

import aiohttp

from channels.sandbox.slack_home import app_home_opened_event, home_action_payload
from channels.sandbox.slack_payloads import (
    block_action_payload,
    event_envelope,
    slash_command_payload,
    view_submission_payload,
)
from channels.sandbox.slack_records import Delivery
from channels.sandbox.slack_socket import MAX_RETRIES

if TYPE_CHECKING:
    from channels.sandbox.slack import SlackSandbox

__all__ = ["NOT_ANSWERED", "SlackRequestSigner", "sign_request"]

_Json = dict[str, Any]
NOT_ANSWERED = 0
"""The status reported for an attempt the app did not answer within the ack window."""


def sign_request(*, signing_secret: str, timestamp: int | str, body: bytes) -> str:
    """Return `X-Slack-Signature` for a body, computed exactly as Slack does."""
    base = b"v0:" + str(timestamp).encode() + b":" + body
    return "v0=" + hmac.new(signing_secret.encode(), base, hashlib.sha256).hexdigest()


class SlackRequestSigner:
    """Delivers requests to a bot's HTTP endpoint signed exactly as Slack signs them.

    `signing_secret` and `timestamp` can be overridden per call to test forgery and replay.
    """

    def __init__(self, *, signing_secret: str, sandbox: SlackSandbox) -> None:
        self.signing_secret = signing_secret
        self.sandbox = sandbox
        self._session: aiohttp.ClientSession | None = None

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    async def post(
        self,
        url: str,
        body: bytes,
        *,
        content_type: str,
        headers: dict[str, str] | None = None,
        timestamp: int | None = None,
        signing_secret: str | None = None,
    ) -> tuple[int, str]:
        """POST a raw body with Slack's signature headers; return (status, body text)."""
        ts = int(time.time()) if timestamp is None else timestamp
        secret = self.signing_secret if signing_secret is None else signing_secret
        signed = {
            "Content-Type": content_type,
            "X-Slack-Request-Timestamp": str(ts),
            "X-Slack-Signature": sign_request(signing_secret=secret, timestamp=ts, body=body),
            **(headers or {}),
        }
        if self._session is None:
            self._session = aiohttp.ClientSession()
        window = aiohttp.ClientTimeout(total=self.sandbox.ack_seconds)
        try:
            async with self._session.post(url, data=body, headers=signed, timeout=window) as answer:
                return answer.status, await answer.text()
        except TimeoutError:
            return NOT_ANSWERED, ""

    async def _deliver(
        self, kind: str, url: str, body: bytes, *, content_type: str, retries: bool, **signing: Any
    ) -> tuple[int, str]:
        """Deliver once, and again as Slack retries a failed event; record how it went."""
        delivery = Delivery(kind=kind, transport="http")
        self.sandbox.http_deliveries.append(delivery)
        headers: dict[str, str] = {}
        while True:
            status, text = await self.post(
                url, body, content_type=content_type, headers=headers, **signing
            )
            delivery.attempts += 1
            delivery.statuses.append(status)
            if 200 <= status < 300:
                delivery.acked = True
                return status, text
            if not retries or delivery.attempts > MAX_RETRIES:
                return status, text
            reason = "http_timeout" if status == NOT_ANSWERED else "http_error"
            headers = {"X-Slack-Retry-Num": str(delivery.attempts), "X-Slack-Retry-Reason": reason}

    async def deliver_event(
        self,
        url: str,
        event: _Json,
        *,
        event_id: str | None = None,
        retry_num: int | None = None,
        retry_reason: str = "http_timeout",
        timestamp: int | None = None,
        signing_secret: str | None = None,
    ) -> tuple[int, str]:
        """POST an Events API envelope, retried as Slack retries it.

        `retry_num` replays one given retry of Slack's (with its headers) and nothing more.
        """
        envelope = event_envelope(event, event_id=event_id, workspace=self.sandbox.workspace)
        body = json.dumps(envelope).encode()
        if retry_num is not None:
            headers = {"X-Slack-Retry-Num": str(retry_num), "X-Slack-Retry-Reason": retry_reason}
            return await self.post(
                url,
                body,
                content_type="application/json",
                headers=headers,
                timestamp=timestamp,
                signing_secret=signing_secret,
            )
        return await self._deliver(
            "events_api",
            url,
            body,
            content_type="application/json",
            retries=True,
            timestamp=timestamp,
            signing_secret=signing_secret,
        )

    async def _post_payload(
        self, url: str, payload: _Json, *, timestamp: int | None, signing_secret: str | None
    ) -> tuple[int, str]:
        """Interactivity payloads travel as a form body `payload=<urlencoded JSON>`."""
        return await self._deliver(
            "interactive",
            url,
            urlencode({"payload": json.dumps(payload)}).encode(),
            content_type="application/x-www-form-urlencoded",
            retries=False,
            timestamp=timestamp,
            signing_secret=signing_secret,
        )

    async def deliver_block_action(
        self,
        url: str,
        *,
        user_id: str,
        action_id: str,
        value: str,
        channel_id: str,
        message_ts: str,
        block_id: str = "nps",
        trigger_id: str | None = None,
        timestamp: int | None = None,
        signing_secret: str | None = None,
    ) -> tuple[int, str]:
        payload = block_action_payload(
            user_id=user_id,
            action_id=action_id,
            value=value,
            channel_id=channel_id,
            message_ts=message_ts,
            block_id=block_id,
            trigger_id=self.sandbox.issue_trigger_id(trigger_id),
            response_url=self.sandbox.response_url("actions"),
            workspace=self.sandbox.workspace,
        )
        return await self._post_payload(
            url, payload, timestamp=timestamp, signing_secret=signing_secret
        )

    async def deliver_home_opened(
        self, url: str, *, user_id: str, tab: str = "home", **signing: Any
    ) -> tuple[int, str]:
        """The person opens the App Home; the event carries their published view, if any."""
        view = self.sandbox.views.get(f"VHOME{user_id}")
        event = app_home_opened_event(user_id=user_id, tab=tab, view=view)
        return await self.deliver_event(url, event, **signing)

    async def deliver_home_action(
        self, url: str, *, user_id: str, action_id: str, value: str | None = None
    ) -> tuple[int, str]:
        """The person presses a button of the Home view published for them."""
        payload = home_action_payload(
            user_id=user_id,
            action_id=action_id,
            view=self.sandbox.views[f"VHOME{user_id}"],
            value=value,
            trigger_id=self.sandbox.issue_trigger_id(),
            workspace=self.sandbox.workspace,
        )
        return await self._post_payload(url, payload, timestamp=None, signing_secret=None)

    async def deliver_view_submission(
        self,
        url: str,
        *,
        user_id: str,
        callback_id: str,
        private_metadata: str,
        values: dict[str, dict[str, Any]],
        timestamp: int | None = None,
        signing_secret: str | None = None,
    ) -> tuple[int, str]:
        payload = view_submission_payload(
            user_id=user_id,
            callback_id=callback_id,
            private_metadata=private_metadata,
            values=values,
            trigger_id=self.sandbox.issue_trigger_id(),
            workspace=self.sandbox.workspace,
        )
        return await self._post_payload(
            url, payload, timestamp=timestamp, signing_secret=signing_secret
        )

    async def deliver_slash_command(
        self,
        url: str,
        *,
        user_id: str,
        text: str,
        command: str = "/nps",
        channel_id: str = "C0GENERAL",
        user_name: str | None = None,
        timestamp: int | None = None,
        signing_secret: str | None = None,
    ) -> tuple[int, str]:
        """Slash commands are plain form fields, with no `payload=` wrapper."""
        fields = slash_command_payload(
            user_id=user_id,
            text=text,
            command=command,
            channel_id=channel_id,
            user_name=user_name,
            response_url=self.sandbox.response_url("commands"),
            trigger_id=self.sandbox.issue_trigger_id(),
            workspace=self.sandbox.workspace,
        )
        return await self._deliver(
            "slash_commands",
            url,
            urlencode(fields).encode(),
            content_type="application/x-www-form-urlencoded",
            retries=False,
            timestamp=timestamp,
            signing_secret=signing_secret,
        )
