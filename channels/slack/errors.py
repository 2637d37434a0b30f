"""Slack's error codes, translated into the two failures the core understands.

`RecipientUnreachable` makes the dispatcher stop asking a person; `ChannelError` makes it try
again later. Confusing the two either spams the retry queue or silently drops people.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import aiohttp
from slack_sdk.errors import SlackApiError, SlackClientError

from channels.base import ChannelError, RecipientUnreachable

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


def translate(exc: SlackApiError, *, dm: bool) -> ChannelError:
    """The core's exception for a failed Web API call (after the client's own retries)."""
    error = str(exc.response.get("error") or f"HTTP {exc.response.status_code}")
    if error in UNREACHABLE or (dm and error in UNREACHABLE_IN_DM):
        return RecipientUnreachable(f"Slack: {error}")
    return ChannelError(f"Slack: {error}")


@contextmanager
def slack_errors(*, dm: bool) -> Iterator[None]:
    """Raise only `ChannelError`s out of the Slack calls inside; `dm` says a person is addressed."""
    try:
        yield
    except SlackApiError as exc:
        raise translate(exc, dm=dm) from exc
    except (SlackClientError, aiohttp.ClientError, TimeoutError) as exc:
        raise ChannelError(f"Slack could not be reached: {exc}") from exc
