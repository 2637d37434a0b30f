"""Slack's error codes, translated into the failures the core understands.

`RecipientUnreachable` makes the dispatcher stop asking a person; `ChannelError` makes it try
again later. Confusing the two either spams the retry queue or silently drops people.
`WorkspaceUnauthorized` is the token's failure, never the person's: after an uninstall every
call fails, and reading it as "unreachable" would write off the whole audience in one pass.
`TargetUnavailable` is a team channel the bot cannot post to, with a hint for the admin in the
team's words (where no team reads it, as in a profile lookup, the hint is Slack's error code).
`RateLimited` is a 429 the client's own retries gave up on: nothing was sent, so the dispatcher
waits and tries again. `DeliveryUncertain` is a timeout: the message may have been posted, so it
is not sent again.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Mapping
from contextlib import asynccontextmanager, contextmanager

import aiohttp
from slack_sdk.errors import SlackApiError, SlackClientError

from bot.channel import (
    ChannelError,
    DeliveryUncertain,
    RateLimited,
    RecipientUnreachable,
    TargetUnavailable,
    WorkspaceUnauthorized,
)
from bot.i18n import Words

TOKEN_ERRORS = frozenset(
    {"invalid_auth", "not_authed", "account_inactive", "token_revoked", "token_expired"}
)
"""The token (or the workspace or app behind it) is no longer valid, for every call."""

UNREACHABLE = frozenset(
    {
        "user_not_found",
        "users_not_found",
        "user_disabled",
        "cannot_dm_bot",
        "messages_tab_disabled",
        "restricted_action",
    }
)
"""Errors that will not pass by waiting: the person cannot be written to."""

CHANNEL_GONE = frozenset(
    {"channel_not_found", "not_in_channel", "is_archived", "channel_is_archived"}
)
"""The conversation cannot be written to: in a DM that is the person's; in a team channel the
admins'."""

DEFAULT_RETRY_AFTER = 1.0
"""Seconds to wait after a 429 whose Retry-After header is missing or unreadable."""


def invite_hint(words: Words, *, chat_id: str | None, bot_name: str) -> str:
    where = f"<#{chat_id}>" if chat_id else words.t("hint.slack_the_channel")
    return words.t("hint.slack_invite", bot=bot_name, where=where)


def archived_hint(words: Words) -> str:
    return words.t("hint.slack_archived")


def _hint(error: str, *, chat_id: str | None, bot_name: str, words: Words | None) -> str:
    if words is None:
        return error
    if error in ("is_archived", "channel_is_archived"):
        return archived_hint(words)
    return invite_hint(words, chat_id=chat_id, bot_name=bot_name)


def translate(
    exc: SlackApiError,
    *,
    dm: bool,
    chat_id: str | None = None,
    bot_name: str = "npsbot",
    words: Words | None = None,
) -> ChannelError:
    """The core's exception for a failed Web API call (after the client's own retries)."""
    error = str(exc.response.get("error") or f"HTTP {exc.response.status_code}")
    if exc.response.status_code == 429:
        return RateLimited(f"Slack: {error}", retry_after=retry_after(exc.response.headers))
    if error in TOKEN_ERRORS:
        return WorkspaceUnauthorized(f"Slack: {error}")
    if error in UNREACHABLE or (dm and error in CHANNEL_GONE):
        return RecipientUnreachable(f"Slack: {error}")
    if error in CHANNEL_GONE:
        hint = _hint(error, chat_id=chat_id, bot_name=bot_name, words=words)
        return TargetUnavailable(f"Slack: {error}", hint=hint)
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
def slack_errors(
    *, dm: bool, chat_id: str | None = None, bot_name: str = "npsbot", words: Words | None = None
) -> Iterator[None]:
    """Raise only `ChannelError`s out of the Slack calls inside; `dm` says a person is addressed,
    `chat_id` names the team channel otherwise, whose hints are in `words`."""
    try:
        yield
    except SlackApiError as exc:
        raise translate(exc, dm=dm, chat_id=chat_id, bot_name=bot_name, words=words) from exc
    except aiohttp.ConnectionTimeoutError as exc:  # no connection, so nothing was sent
        raise ChannelError(f"Slack could not be reached: {exc}") from exc
    except (TimeoutError, aiohttp.ServerTimeoutError) as exc:
        raise DeliveryUncertain(f"Slack did not answer in time: {exc!r}") from exc
    except (SlackClientError, aiohttp.ClientError) as exc:
        raise ChannelError(f"Slack could not be reached: {exc}") from exc


@asynccontextmanager
async def named_errors(
    bot_name: Callable[[], Awaitable[str]], chat_id: str, *, dm: bool, words: Words
) -> AsyncIterator[None]:
    """`slack_errors`, with the bot's real @-name in a team channel's invite hint.

    The name costs an auth.test, so it is asked for only once a post has failed.
    """
    try:
        with slack_errors(dm=dm, chat_id=chat_id):
            yield
    except TargetUnavailable as exc:
        cause = exc.__cause__
        if not isinstance(cause, SlackApiError):
            raise
        try:
            name = await bot_name()
        except ChannelError:
            raise exc from cause
        raise translate(cause, dm=dm, chat_id=chat_id, bot_name=name, words=words) from cause
