"""Delivering the outbox: one signed POST per try, retried with back-off for a day.

Each delivery is a job of the shared runner, so leases, restarts and the order of one lane
(one endpoint, one person) come from there: the next event for a person waits until the
one before it was delivered or given up. Webhook jobs have their own retry policy (first
retry within 30 s, doubling up to an hour, dead after 24 h) and their own concurrency limit,
so a slow receiver never holds up the survey. Redirects are not followed: a receiver cannot
bounce the bot to an address of its choosing.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import aiohttp
from sqlmodel import Session

from bot import store
from bot.clock import Clock
from bot.db import Database
from bot.job_retry import Retry
from bot.jobs import JobRunner
from bot.outbound import DELIVER

log = logging.getLogger(__name__)

TIMEOUT = 10.0
GIVE_UP_AFTER = timedelta(hours=24)
RETRY_CAP = 3600.0
CONCURRENCY = 8


def signature(secret: str, timestamp: str, body: str) -> str:
    """`v1=` and the hex HMAC-SHA256 of "{timestamp}.{body}" under the endpoint's secret."""
    mac = hmac.new(secret.encode(), f"{timestamp}.{body}".encode(), hashlib.sha256)
    return f"v1={mac.hexdigest()}"


@dataclass(frozen=True, slots=True)
class Attempt:
    """One POST: the HTTP status when there was one, and what went wrong when it did."""

    status: int | None
    error: str | None

    @property
    def ok(self) -> bool:
        return self.error is None


async def post(
    http: aiohttp.ClientSession,
    *,
    url: str,
    secret: str,
    event_type: str,
    body: str,
    now: datetime,
) -> Attempt:
    """Send one signed event; any non-2xx, timeout or connection error is a failed try."""
    timestamp = str(int(now.timestamp()))
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "npsbot-webhooks",
        "X-Npsbot-Event": event_type,
        "X-Npsbot-Timestamp": timestamp,
        "X-Npsbot-Signature": signature(secret, timestamp, body),
    }
    try:
        async with http.post(
            url,
            data=body.encode(),
            headers=headers,
            allow_redirects=False,
            timeout=aiohttp.ClientTimeout(total=TIMEOUT),
        ) as answer:
            await answer.read()
            if 200 <= answer.status < 300:
                return Attempt(answer.status, None)
            return Attempt(answer.status, f"HTTP {answer.status}")
    except TimeoutError:
        return Attempt(None, f"no answer within {TIMEOUT:.0f} s")
    except aiohttp.ClientError as exc:
        return Attempt(None, f"{type(exc).__name__}: {exc}"[:300])


class DeliveryFailed(Exception):
    """The receiver did not take the event; the job is tried again later."""


class WebhookSender:
    """Sends the outbox's deliveries as jobs of `jobs`."""

    def __init__(
        self, *, db: Database, jobs: JobRunner, clock: Clock, retry_seconds: float
    ) -> None:
        self.db = db
        self.clock = clock
        self._http: aiohttp.ClientSession | None = None
        jobs.register(
            DELIVER,
            self._deliver,
            retry=Retry(base=retry_seconds, cap=RETRY_CAP, give_up_after=GIVE_UP_AFTER),
            concurrency=CONCURRENCY,
            give_up=_give_up,
        )

    def _session(self) -> aiohttp.ClientSession:
        if self._http is None or self._http.closed:
            self._http = aiohttp.ClientSession()
        return self._http

    async def close(self) -> None:
        if self._http is not None:
            await self._http.close()
            self._http = None

    async def _deliver(self, payload: dict[str, Any], context: Any) -> None:
        delivery_id = int(payload["delivery_id"])
        found = await self.db.run(
            lambda session: store.pending_delivery(session=session, delivery_id=delivery_id)
        )
        if found is None:
            return  # sent before a crash, or the endpoint was removed
        delivery, webhook = found
        attempt = await post(
            self._session(),
            url=webhook.url,
            secret=webhook.secret,
            event_type=delivery.type,
            body=delivery.body,
            now=self.clock.now(),
        )
        await self.db.run(
            lambda session: store.record_attempt(
                session=session,
                delivery_id=delivery_id,
                status=attempt.status,
                error=attempt.error,
                now=self.clock.now(),
            )
        )
        if not attempt.ok:
            raise DeliveryFailed(f"{delivery.type} to {webhook.url}: {attempt.error}")
        log.debug("webhook %s delivered to %s", delivery.type, webhook.url)


def _give_up(session: Session, payload: dict[str, Any], error: str) -> None:
    store.give_up_delivery(session=session, delivery_id=int(payload["delivery_id"]))
