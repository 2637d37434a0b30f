"""Who and what exists on the sandbox's Telegram: accounts, groups, chats and their messages.

It also knows the rules that depend on that state: the bot may write only to users who
started it and did not block it, only to groups it is still in, and never to a group that was
upgraded to a supergroup (Telegram names the new chat in `migrate_to_chat_id`).
"""

from __future__ import annotations

import copy
import time
from dataclasses import dataclass
from typing import Any

from channels.sandbox.telegram import updates as tg
from channels.sandbox.telegram.checks import inline_markup
from channels.sandbox.telegram.errors import ApiError

__all__ = ["Group", "World"]

JSON = dict[str, Any]
MEMBER_STATUSES = frozenset({"member", "administrator", "creator"})


@dataclass(slots=True)
class Group:
    """A group and the bot's place in it: `bot_status` turns `kicked` when it is removed."""

    chat: JSON
    admins: set[int]
    members: set[int]
    creator: int | None
    bot_status: str = "member"
    migrated_to: int | None = None


class World:
    """The sandbox's state; the HTTP layer and the user actions both read and change it."""

    def __init__(self, *, bot: JSON, require_start: bool, privacy_mode: bool) -> None:
        self.bot = bot
        self.require_start = require_start
        self.privacy_mode = privacy_mode
        self.users: dict[int, JSON] = {}
        self.groups: dict[int, Group] = {}
        self.messages: dict[int, dict[int, JSON]] = {}
        self.started: set[int] = set()
        self.blocked: set[int] = set()
        self.deactivated: set[int] = set()
        self._last_message_id: dict[int, int] = {}

    def account(self, user_id: int) -> JSON:
        if user_id not in self.users:
            self.users[user_id] = tg.user(user_id=user_id, first_name="Ann", language_code="en")
        return self.users[user_id]

    def chat(self, chat_id: object) -> JSON:
        """The chat a Bot API `chat_id` names (an id, a numeric string or `@username`)."""
        if isinstance(chat_id, str) and chat_id.lstrip("-").isdigit():
            chat_id = int(chat_id)
        if isinstance(chat_id, str) and chat_id.startswith("@"):
            found = [u["id"] for u in self.users.values() if u.get("username") == chat_id[1:]]
            chat_id = found[0] if found else None
        if isinstance(chat_id, int) and chat_id in self.groups:
            chat = self.groups[chat_id].chat
        elif isinstance(chat_id, int) and chat_id in self.users:
            chat = tg.private_chat(self.users[chat_id])
        else:
            raise ApiError(400, "Bad Request: chat not found")
        self.messages.setdefault(chat["id"], {})
        return chat

    def reachable_chat(self, chat_id: object) -> JSON:
        """The chat, if the bot may act in it now; else Telegram's 400 or 403."""
        chat = self.chat(chat_id)
        if chat["type"] == "private":
            if chat["id"] in self.deactivated:
                raise ApiError(403, "Forbidden: user is deactivated")
            if chat["id"] in self.blocked:
                raise ApiError(403, "Forbidden: bot was blocked by the user")
            if self.require_start and chat["id"] not in self.started:
                raise ApiError(403, "Forbidden: bot can't initiate conversation with a user")
            return chat
        group = self.groups[chat["id"]]
        if group.migrated_to is not None:
            raise ApiError(
                400,
                "Bad Request: group chat was upgraded to a supergroup chat",
                parameters={"migrate_to_chat_id": group.migrated_to},
            )
        kind = "supergroup" if chat["type"] == "supergroup" else "group"
        if group.bot_status == "kicked":
            raise ApiError(403, f"Forbidden: bot was kicked from the {kind} chat")
        if group.bot_status not in MEMBER_STATUSES:
            raise ApiError(403, f"Forbidden: bot is not a member of the {kind} chat")
        return chat

    def message(self, chat_id: int, message_id: int, what: str) -> JSON:
        msg = self.messages.get(chat_id, {}).get(message_id)
        if msg is None:
            raise LookupError(f"{what} {message_id} not found in chat {chat_id}")
        return msg

    def new_message_id(self, chat_id: int) -> int:
        """Ids grow per chat and are never reused, even after deleteMessage."""
        self.messages.setdefault(chat_id, {})
        self._last_message_id[chat_id] = self._last_message_id.get(chat_id, 0) + 1
        return self._last_message_id[chat_id]

    def store(self, msg: JSON) -> JSON:
        chat_id = msg["chat"]["id"]
        self.messages.setdefault(chat_id, {})[msg["message_id"]] = msg
        self._last_message_id[chat_id] = max(
            self._last_message_id.get(chat_id, 0), msg["message_id"]
        )
        return msg

    def deliver(self, chat: JSON, params: JSON, content: JSON) -> JSON:
        """Store a message from the bot, as sendMessage/sendPhoto answer it."""
        reply = params.get("reply_parameters") or {}
        reply_id = reply.get("message_id") or params.get("reply_to_message_id")
        reply_to = None
        if reply_id is not None:
            reply_to = self.messages[chat["id"]].get(int(reply_id))
            if reply_to is None and not reply.get("allow_sending_without_reply"):
                raise ApiError(400, "Bad Request: message to be replied not found")
        msg = tg.message(
            message_id=self.new_message_id(chat["id"]),
            sender=self.bot,
            chat=chat,
            reply_to=reply_to,
            reply_markup=inline_markup(params.get("reply_markup")),
            extra=self.mentions(content),
        )
        return copy.deepcopy(self.store(msg))

    def mentions(self, content: JSON) -> JSON:
        """`tg://user?id=` links become text_mention entities of known users, as on Telegram;
        links to people the bot cannot see are dropped, their text kept."""
        for key in ("entities", "caption_entities"):
            kept = []
            for entity in content.get(key, []):
                url = str(entity.get("url", ""))
                if entity["type"] == "text_link" and url.startswith("tg://user?id="):
                    user_id = url.removeprefix("tg://user?id=")
                    account = self.users.get(int(user_id)) if user_id.isdigit() else None
                    if account is None:
                        continue
                    entity = {k: v for k, v in entity.items() if k != "url"}
                    entity.update(type="text_mention", user=account)
                kept.append(entity)
            if key in content:
                content = {**content, key: kept} if kept else _without(content, key)
        return content

    def editable(self, params: JSON) -> JSON:
        if params.get("inline_message_id"):
            raise ApiError(400, "Bad Request: inline messages are not supported by the sandbox")
        chat = self.reachable_chat(params.get("chat_id"))
        msg = self.messages[chat["id"]].get(int(params.get("message_id") or 0))
        if msg is None or msg["from"]["id"] != self.bot["id"]:
            raise ApiError(400, "Bad Request: message to edit not found")
        return msg

    def status(self, chat: JSON, user_id: int) -> str:
        """A getChatMember status: the bot's own, or a person's from the group's lists."""
        if chat["type"] == "private":
            if user_id not in (chat["id"], self.bot["id"]):
                raise ApiError(400, "Bad Request: user not found")
            blocked = user_id == self.bot["id"] and chat["id"] in self.blocked
            return "kicked" if blocked else "member"
        group = self.groups[chat["id"]]
        if user_id == self.bot["id"]:
            return group.bot_status
        if user_id == group.creator:
            return "creator"
        if user_id in group.admins:
            return "administrator"
        return "member" if user_id in group.members else "left"

    def addressed(self, msg: JSON) -> bool:
        """Privacy mode lets through commands (bare or for this bot), replies, mentions and
        service messages."""
        if "text" not in msg:
            return True
        text = msg["text"]
        first = text.split(maxsplit=1)[0] if text.strip() else ""
        mention = "@" + self.bot["username"]
        if first.startswith("/"):
            return "@" not in first or first.endswith(mention)
        replied = msg.get("reply_to_message", {}).get("from", {}).get("id") == self.bot["id"]
        return replied or mention in text

    def learn(self, update: JSON) -> None:
        """Register what an external update mentions so the bot's answers find their chat."""
        for kind in ("message", "callback_query", "my_chat_member"):
            part = update.get(kind)
            if not isinstance(part, dict):
                continue
            sender = part.get("from")
            if sender and not sender.get("is_bot") and sender["id"] not in self.users:
                self.users[sender["id"]] = sender
            msg = part.get("message", part) if kind == "callback_query" else part
            chat = msg.get("chat") or {}
            if chat.get("type") in ("group", "supergroup") and chat["id"] not in self.groups:
                members = {sender["id"]} if sender else set()
                self.groups[chat["id"]] = Group(chat, set(), members, None)
            if (
                "message_id" in msg
                and chat
                and msg["message_id"] not in self.messages.get(chat["id"], {})
            ):
                self.store(msg)
            text = str(msg.get("text", ""))
            if chat.get("type") == "private" and text.split(maxsplit=1)[:1] == ["/start"]:
                self.started.add(chat["id"])

    def edit(self, msg: JSON, *, content: JSON, markup: JSON | None) -> JSON:
        """Apply an edit; a missing reply_markup removes the keyboard, as Telegram does."""
        content = self.mentions(content)
        same_text = all(msg.get(key) == content.get(key) for key in ("text", "entities"))
        if same_text and msg.get("reply_markup") == markup:
            raise ApiError(
                400,
                "Bad Request: message is not modified: specified new message content and reply"
                " markup are exactly the same as a current content and reply markup of the"
                " message",
            )
        for key in ("text", "entities", "reply_markup"):
            msg.pop(key, None)
        msg.update(content)
        if markup is not None:
            msg["reply_markup"] = markup
        msg["edit_date"] = int(time.time())
        return copy.deepcopy(msg)


def _without(data: JSON, key: str) -> JSON:
    return {k: v for k, v in data.items() if k != key}
