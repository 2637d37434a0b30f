"""Slack's error codes, translated into the failures the core understands.

`RecipientUnreachable` makes the dispatcher stop asking a person; `ChannelError` makes it try
again later. Confusing the two either spams the retry queue or silently drops people.
`RateLimited` is a 429 the client's own retries gave up on: nothing was sent, so the dispatcher
waits and tries again. `DeliveryUncertain` is a timeout: the message may have been posted, so it
is not sent again.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager

import aiohttp
from slack_sdk.errors import SlackApiError, SlackClientError

from bot.channel import ChannelError, DeliveryUncertain, RateLimited, RecipientUnreachable

UNREACHABLE = frozenset(
    {
        "user_not_found",
        "users_not_found",
        "account_inactive",
        "user_disabled",
        "cannot_dm_bot",
        "messages_tab_disabled",
        "not_in_channel",
        "is_archived",
        "channel_is_archived",
        "restricted_action",
    }
)
"""Errors that will not pass by waiting: the person or channel cannot be written to."""

UNREACHABLE_IN_DM = frozenset({"channel_not_found"})
"""A DM that cannot be found belongs to a user who is gone; a team channel may be a typo."""

DEFAULT_RETRY_AFTER = 1.0
"""Seconds to wait after a 429 whose Retry-After header is missing or unreadable."""


def translate(exc: SlackApiError, *, dm: bool) -> ChannelError:
    """The core's exception for a failed Web API call (after the client's own retries)."""
    error = str(exc.response.get("error") or f"HTTP {exc.response.status_code}")
    if exc.response.status_code == 429:
        return RateLimited(f"Slack: {error}", retry_after=retry_after(exc.response.headers))
    if error in UNREACHABLE or (dm and error in UNREACHABLE_IN_DM):
        return RecipientUnreachable(f"Slack: {error}")
    return ChannelError(f"Slack: {error}")


def retry_after(headers: Mapping[str, object] | None) -> float:
    """Seconds from a 429's Retry-After header (any case, a value or a list of them)."""
    for name, value in (headers or {}).items():
        if str(name).lower() != "retry-after":
            continue
        value = value[0] if isinstance(value, list | tuple) and value else value
        try:
            return max(0.0, float(str(value)))
        except ValueError:
            break
    return DEFAULT_RETRY_AFTER


@contextmanager
def slack_errors(*, dm: bool) -> Iterator[None]:
    """Raise only `ChannelError`s out of the Slack calls inside; `dm` says a person is addressed."""
    try:
        yield
    except SlackApiError as exc:
        raise translate(exc, dm=dm) from exc
    except aiohttp.ConnectionTimeoutError as exc:  # no connection, so nothing was sent
        raise ChannelError(f"Slack could not be reached: {exc}") from exc
    except (TimeoutError, aiohttp.ServerTimeoutError) as exc:
        raise DeliveryUncertain(f"Slack did not answer in time: {exc!r}") from exc
    except (SlackClientError, aiohttp.ClientError) as exc:
        raise ChannelError(f"Slack could not be reached: {exc}") from exc
