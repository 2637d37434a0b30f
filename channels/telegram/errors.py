"""Telegram's errors in the core's words: whose problem it is, and whether it may pass.

PTB maps HTTP statuses to exceptions: 401 -> InvalidToken (the token is dead: the whole
workspace pauses, nobody is marked unreachable), 403 -> Forbidden (blocked, deactivated, never
started; or, on a team post, removed from the group), 400 -> BadRequest, 429 -> RetryAfter
(AIORateLimiter has already waited and retried by the time one escapes, except on an
invitation, whose 429 comes at once: `limits.NO_WAIT`), other failures ->
NetworkError / TimedOut. A 400 with `migrate_to_chat_id` is ChatMigrated, which the adapter
follows itself (`adapter._to_team`).
A RetryAfter becomes `RateLimited` (nothing was sent: wait, then send). A TimedOut becomes
`DeliveryUncertain` (the message may have been sent: do not send it again), unless it timed
out before the request left (no free connection, no connection made).
"""

from __future__ import annotations

import logging
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

import aiohttp
import httpx
from telegram.error import (
    BadRequest,
    Forbidden,
    InvalidToken,
    RetryAfter,
    TelegramError,
    TimedOut,
)

from bot.channel import (
    ChannelError,
    DeliveryUncertain,
    RateLimited,
    RecipientUnreachable,
    TargetUnavailable,
    WorkspaceUnauthorized,
)
from bot.i18n import Words

NOT_SENT = (httpx.PoolTimeout, httpx.ConnectTimeout, aiohttp.ConnectionTimeoutError)
"""Timeouts before the request left: no free connection, no connection made (httpx for
getUpdates, aiohttp for every other call, `channels.telegram.http`)."""

log = logging.getLogger(__name__)

GONE = ("chat not found", "user not found", "peer_id_invalid")


@contextmanager
def platform_errors(action: str, *, team: Words | None = None) -> Iterator[None]:
    """Re-raise Telegram errors from `action` in the core's terms.

    `team` (the team's words) says the chat is a team's group (an alert or digest target),
    where a 403 or a vanished chat means the target is unusable, not that a respondent is
    unreachable; the hint to fix it is in those words.
    """
    try:
        yield
    except InvalidToken as exc:
        raise WorkspaceUnauthorized(f"Telegram rejected the bot token: {exc.message}") from exc
    except Forbidden as exc:
        if team is not None:
            raise TargetUnavailable(exc.message, hint=team.t("hint.telegram_add_back")) from exc
        raise RecipientUnreachable(exc.message) from exc
    except BadRequest as exc:
        if _gone(exc) and team is not None:
            raise TargetUnavailable(exc.message, hint=team.t("hint.telegram_add_back")) from exc
        if _gone(exc):
            raise RecipientUnreachable(exc.message) from exc
        raise ChannelError(f"Telegram refused to {action}: {exc.message}") from exc
    except RetryAfter as exc:
        raise RateLimited(exc.message, retry_after=retry_seconds(exc)) from exc
    except TimedOut as exc:
        if isinstance(exc.__cause__, NOT_SENT):
            raise ChannelError(f"Telegram could not {action}: {exc.message}") from exc
        raise DeliveryUncertain(f"Telegram did not answer in time to {action}") from exc
    except TelegramError as exc:
        raise ChannelError(f"Telegram could not {action}: {exc.message}") from exc


@contextmanager
def tidy_edit(action: str, *, team: Words | None = None) -> Iterator[None]:
    """For edits that only tidy up a message already acted on (the answer is stored).

    A refused edit (not modified after a repeated click, message deleted or too old) is
    logged, not raised, so it never stops what follows; other errors map as above.
    """
    with platform_errors(action, team=team):
        try:
            yield
        except BadRequest as exc:
            if _gone(exc):
                raise
            log.info("could not %s: %s", action, exc.message)


def _gone(exc: BadRequest) -> bool:
    """A 400 that means the chat itself is gone, not that this one request was wrong."""
    return any(reason in exc.message.lower() for reason in GONE)


def retry_seconds(exc: RetryAfter) -> float:
    """`retry_after` in seconds: an int in PTB 21, a timedelta (or an int, with a warning) in 22."""
    with warnings.catch_warnings():  # PTB 22 warns that `retry_after` becomes a timedelta
        warnings.simplefilter("ignore")
        value: int | float | timedelta = exc.retry_after
    return value.total_seconds() if isinstance(value, timedelta) else float(value)
