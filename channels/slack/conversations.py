"""What the bot can see of a conversation: may it post there, and did a question arrive?

`find_question` settles an uncertain send (the post may have reached Slack, but no answer came
back). Every invitation carries its id twice: message metadata (`question_metadata`) and the
block ids of its buttons. The person's DM is read with `conversations.history` from just
before the attempt, newest first, with `include_all_metadata` (metadata is left out without
it), in pages of 15: the most `limit` allows an app outside the Slack Marketplace, which may
also make only one call a minute (internal and Marketplace apps have Tier 3, ~50 a minute).
The DM of one person holds a handful of the bot's messages, so one page usually answers.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.channel import HistoryUnavailable, MessageRef, Recipient, TargetUnavailable
from bot.i18n import Words
from channels.slack.blocks import carries_invitation
from channels.slack.errors import archived_hint, invite_hint, slack_errors, translate

HISTORY_PAGE = 15
MAX_PAGES = 20
"""Past this many pages since the attempt the search stops: the row stays uncertain."""


async def find_question(
    client: AsyncWebClient,
    *,
    recipient: Recipient,
    invitation_id: int,
    since: datetime,
    until: datetime,
) -> MessageRef | None:
    """The question's message in the person's DM between `since` and `until`, or None.

    A history the bot cannot read (`missing_scope` without im:history, a DM it cannot open)
    raises `HistoryUnavailable` naming Slack's error; a 429 raises `RateLimited`.
    """
    with slack_errors(dm=False), _history_errors():
        channel = recipient.chat_id or await _open_dm(client, recipient.user_id)
        cursor: str | None = None
        for _ in range(MAX_PAGES):
            page = await client.conversations_history(
                channel=channel,
                oldest=_ts(since),
                latest=_ts(until),
                inclusive=True,
                limit=HISTORY_PAGE,
                include_all_metadata=True,
                cursor=cursor,
            )
            for message in page.get("messages") or []:
                if message.get("bot_id") and carries_invitation(message, invitation_id):
                    return MessageRef(chat_id=channel, message_id=str(message["ts"]))
            cursor = (page.get("response_metadata") or {}).get("next_cursor") or None
            if not page.get("has_more") or cursor is None:
                return None
    raise HistoryUnavailable(
        f"Slack: more than {MAX_PAGES * HISTORY_PAGE} messages in the DM since the attempt"
    )


def dm_of(recipient: Recipient) -> str:
    """Where to write to the person: their DM if known, else their user id.

    chat.postMessage to a user id posts in the bot's DM with them and answers with its
    channel id, so no conversations.open (Tier 3, about 50 a minute) paces a first pass
    over new respondents; the DM id is kept from the answer.
    """
    return recipient.chat_id or recipient.user_id


async def check_can_post(
    client: AsyncWebClient, *, chat_id: str, bot_name: str, words: Words
) -> None:
    """Join a public channel the bot is not in; a private one needs a person's /invite.

    A private channel the bot was not invited to does not exist for it, so
    conversations.info answers `channel_not_found`, which becomes the invite hint.
    """
    with slack_errors(dm=False, chat_id=chat_id, bot_name=bot_name, words=words):
        channel = (await client.conversations_info(channel=chat_id))["channel"]
        if channel.get("is_archived"):
            raise TargetUnavailable(f"Slack: {chat_id} is archived", hint=archived_hint(words))
        if channel.get("is_member") or channel.get("is_im"):
            return
        if channel.get("is_private"):
            raise TargetUnavailable(
                f"Slack: not in private channel {chat_id}",
                hint=invite_hint(words, chat_id=chat_id, bot_name=bot_name),
            )
        await client.conversations_join(channel=chat_id)


async def _open_dm(client: AsyncWebClient, user_id: str) -> str:
    """The DM's id (conversations.open, Tier 3) when the first post's answer never came."""
    opened: dict[str, Any] = (await client.conversations_open(users=user_id))["channel"]
    return str(opened["id"])


def _ts(moment: datetime) -> str:
    return f"{moment.timestamp():.6f}"


@contextmanager
def _history_errors() -> Iterator[None]:
    """Slack's refusals of a history read become `HistoryUnavailable` (a 429 stays
    `RateLimited`) before `slack_errors` would call them the person's."""
    try:
        yield
    except SlackApiError as exc:
        if exc.response.status_code == 429:
            raise translate(exc, dm=False) from exc
        error = str(exc.response.get("error") or f"HTTP {exc.response.status_code}")
        needed = exc.response.get("needed")
        detail = f" (needs the {needed} scope)" if needed else ""
        raise HistoryUnavailable(f"Slack: {error}{detail}") from exc
