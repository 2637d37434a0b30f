"""`conversations.history`, answering and refusing as Slack does for a bot token.

What a bot may read: a conversation it is a member of, with the `*:history` scope of its
kind (`im:history` for a DM); otherwise `channel_not_found` (a private conversation it is not
in does not exist for it), `not_in_channel` (a public one it has not joined) or
`missing_scope` with `needed` and `provided`. Messages come newest first, only top-level ones
(thread replies live in `conversations.replies`), strictly between `oldest` and `latest`
unless `inclusive`; `limit` (default 100, at most 999) pages them with `has_more` and
`response_metadata.next_cursor`. Message metadata is shown only with `include_all_metadata`.
The method is Tier 3 (`slack_rates`), so a burst past ~50 a minute is answered 429.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from typing import Any

from channels.sandbox.slack_conversations import cursor_page, truthy
from channels.sandbox.slack_records import Json, PostedMessage
from channels.sandbox.slack_state import Conversation, SandboxState, SlackError

__all__ = ["HistoryMethods"]

DEFAULT_LIMIT = 100
MAX_LIMIT = 999


def history_scope(conversation: Conversation) -> str:
    """The scope a bot token needs to read this kind of conversation."""
    if conversation.is_im:
        return "im:history"
    return "groups:history" if conversation.is_private else "channels:history"


def _ts(value: Any, *, error: str, default: float) -> float:
    if value in (None, ""):
        return default
    try:
        return float(str(value))
    except ValueError:
        raise SlackError(error) from None


def _limit(value: Any) -> int:
    if value in (None, ""):
        return DEFAULT_LIMIT
    try:
        limit = int(str(value))
    except ValueError:
        raise SlackError("invalid_limit") from None
    return max(1, min(limit, MAX_LIMIT))


class HistoryMethods:
    """Reading back what was posted in a conversation."""

    def __init__(self, state: SandboxState) -> None:
        self.state = state

    @property
    def methods(self) -> dict[str, Callable[[Json], Awaitable[Json]]]:
        return {"conversations.history": self.conversations_history}

    async def conversations_history(self, params: Json) -> Json:
        if not params.get("channel"):
            raise SlackError("invalid_arguments")
        conversation = self.state.visible(params.get("channel"))
        self.state.require_scope(history_scope(conversation))
        if self.state.bot not in conversation.members:
            raise SlackError("not_in_channel")
        oldest = _ts(params.get("oldest"), error="invalid_ts_oldest", default=0.0)
        latest = _ts(params.get("latest"), error="invalid_ts_latest", default=time.time())
        inclusive = truthy(params.get("inclusive"))
        limit = _limit(params.get("limit"))

        def within(message: PostedMessage) -> bool:
            ts = float(message.ts)
            if inclusive:
                return oldest <= ts <= latest
            return oldest < ts < latest

        found = [
            message
            for message in self.state.messages
            if message.channel == conversation.id
            and message.thread_ts in (None, message.ts)
            and within(message)
        ]
        found.sort(key=lambda message: float(message.ts), reverse=True)
        page, cursor = cursor_page(found, {**params, "limit": limit}, default=DEFAULT_LIMIT)
        metadata = truthy(params.get("include_all_metadata"))
        body: Json = {
            "messages": [self.state.message_json(m, metadata=metadata) for m in page],
            "has_more": bool(cursor),
            "pin_count": 0,
            "channel_actions_ts": None,
            "channel_actions_count": 0,
        }
        if cursor:
            body["response_metadata"] = {"next_cursor": cursor}
        return body
