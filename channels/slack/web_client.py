"""The one Web API client every Slack call goes through, with the retries Slack expects.

slack_sdk retries only dropped connections by default; a 429 would surface as an error and
the invitation would be retried minutes later by the dispatcher. With these handlers a 429
waits out `Retry-After` and a 5xx is tried again shortly, so a burst is delayed, not lost.
Retrying a 5xx cannot double a send the core would not double anyway: the dispatcher puts a
failed send back in the queue for another attempt.

Invitations are the exception (`no_429_wait`): their row is `sending` while the call is on the
wire, and a crash during a back-off there would leave the person `uncertain` with nothing sent.
Their 429 reaches the dispatcher at once, which puts the row back in the queue until then.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from slack_sdk.http_retry.async_handler import AsyncRetryHandler
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncConnectionErrorRetryHandler,
    AsyncRateLimitErrorRetryHandler,
    AsyncServerErrorRetryHandler,
)
from slack_sdk.web.async_client import AsyncWebClient

RATE_LIMIT_RETRIES = 3
SERVER_ERROR_RETRIES = 1
CONNECTION_RETRIES = 2
_NO_429_WAIT: ContextVar[bool] = ContextVar("no_429_wait", default=False)


@contextmanager
def no_429_wait() -> Iterator[None]:
    """Calls made inside raise their 429 at once instead of waiting it out (for claimed sends)."""
    token = _NO_429_WAIT.set(True)
    try:
        yield
    finally:
        _NO_429_WAIT.reset(token)


class RateLimitRetry(AsyncRateLimitErrorRetryHandler):
    """slack_sdk's 429 handler, skipped inside `no_429_wait`."""

    async def _can_retry_async(self, **kwargs: Any) -> bool:
        return not _NO_429_WAIT.get() and await super()._can_retry_async(**kwargs)


class Count429(AsyncRetryHandler):
    """Never retries; tells `on_429` the Web API method of each 429 (for `/metrics`)."""

    def __init__(self, on_429: Callable[[str], None]) -> None:
        super().__init__(max_retry_count=0)
        self.on_429 = on_429

    async def can_retry_async(self, *, request: Any, response: Any = None, **_: Any) -> bool:
        if response is not None and response.status_code == 429:
            self.on_429(request.url.rsplit("/", 1)[-1].split("?")[0])
        return False


def configure(
    client: AsyncWebClient,
    *,
    base_url: str,
    wait_out_429: bool = True,
    on_429: Callable[[str], None] | None = None,
) -> None:
    """Point a client at `base_url` (Slack, or the sandbox) and make it honour `Retry-After`.

    Bolt copies these retry handlers into the client it hands each listener, so calls made
    inside listeners are retried the same way. `wait_out_429=False` is for optional lookups
    that should rather be skipped than hold up a send.
    """
    handlers: list[AsyncRetryHandler] = [Count429(on_429)] if on_429 else []
    handlers.append(AsyncConnectionErrorRetryHandler(max_retry_count=CONNECTION_RETRIES))
    if wait_out_429:
        handlers += [
            RateLimitRetry(max_retry_count=RATE_LIMIT_RETRIES),
            AsyncServerErrorRetryHandler(max_retry_count=SERVER_ERROR_RETRIES),
        ]
    client.base_url = base_url
    client.retry_handlers = handlers


def build_web_client(
    *,
    token: str,
    base_url: str,
    wait_out_429: bool = True,
    on_429: Callable[[str], None] | None = None,
) -> AsyncWebClient:
    """A client of its own, configured as above."""
    client = AsyncWebClient(token=token)
    configure(client, base_url=base_url, wait_out_429=wait_out_429, on_429=on_429)
    return client
