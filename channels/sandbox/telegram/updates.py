"""Builders for the JSON objects Telegram sends a bot, shaped like the real ones.

The sandbox answers API calls and feeds updates with these, so PTB parses exactly what it would
get from Telegram. Shapes follow `platform-payloads/telegram_payloads/*.json`; PTB requires some
fields that the docs call optional in practice (ChatFullInfo, ChatMemberAdministrator).
"""

from __future__ import annotations

import time
from typing import Any

__all__ = [
    "callback_query_update",
    "chat_full_info",
    "chat_member",
    "command_entities",
    "group_chat",
    "message",
    "my_chat_member_update",
    "private_chat",
    "user",
]

JSON = dict[str, Any]

_ADMIN_RIGHTS = (
    "can_manage_chat",
    "can_delete_messages",
    "can_manage_video_chats",
    "can_restrict_members",
    "can_promote_members",
    "can_change_info",
    "can_invite_users",
    "can_post_stories",
    "can_edit_stories",
    "can_delete_stories",
    "can_pin_messages",
)


def _drop_none(data: JSON) -> JSON:
    """Telegram omits absent fields rather than sending null."""
    return {key: value for key, value in data.items() if value is not None}


def user(
    *,
    user_id: int,
    first_name: str,
    last_name: str | None = None,
    username: str | None = None,
    language_code: str | None = None,
    is_bot: bool = False,
) -> JSON:
    """Return a User object."""
    return _drop_none(
        {
            "id": user_id,
            "is_bot": is_bot,
            "first_name": first_name,
            "last_name": last_name,
            "username": username,
            "language_code": language_code,
        }
    )


def private_chat(account: JSON) -> JSON:
    """Return the private Chat with a user; its id is the user's id."""
    fields = ("id", "first_name", "last_name", "username")
    return {**{key: account[key] for key in fields if key in account}, "type": "private"}


def group_chat(*, chat_id: int, title: str) -> JSON:
    """Return a group Chat; `-100…` ids are supergroups, as on Telegram."""
    kind = "supergroup" if str(chat_id).startswith("-100") else "group"
    return {"id": chat_id, "title": title, "type": kind}


def chat_full_info(chat: JSON) -> JSON:
    """Return getChat's ChatFullInfo; PTB 22 refuses it without the colour and gift fields."""
    gifts = dict.fromkeys(
        (
            "unlimited_gifts",
            "limited_gifts",
            "unique_gifts",
            "premium_subscription",
            "gifts_from_channels",
        ),
        True,
    )
    return {**chat, "accent_color_id": 0, "max_reaction_count": 11, "accepted_gift_types": gifts}


def _utf16_len(text: str) -> int:
    """Entity offsets and lengths count UTF-16 code units."""
    return len(text.encode("utf-16-le")) // 2


def command_entities(text: str) -> list[JSON]:
    """Return the bot_command entity Telegram adds when a message starts with `/command`."""
    if not text.startswith("/") or len(text) < 2 or text[1].isspace():
        return []
    return [{"offset": 0, "length": _utf16_len(text.split()[0]), "type": "bot_command"}]


def message(
    *,
    message_id: int,
    sender: JSON,
    chat: JSON,
    text: str | None = None,
    reply_to: JSON | None = None,
    reply_markup: JSON | None = None,
    extra: JSON | None = None,
) -> JSON:
    """Return a Message; a quoted `reply_to` loses its own reply, as Telegram nests only once."""
    quoted = (
        None if reply_to is None else {k: v for k, v in reply_to.items() if k != "reply_to_message"}
    )
    entities = command_entities(text) if text is not None and not sender.get("is_bot") else []
    return _drop_none(
        {
            "message_id": message_id,
            "from": sender,
            "chat": chat,
            "date": int(time.time()),
            "reply_to_message": quoted,
            "text": text,
            "entities": entities or None,
            "reply_markup": reply_markup,
            **(extra or {}),
        }
    )


def callback_query_update(
    *, update_id: int, query_id: str, sender: JSON, message: JSON, data: str
) -> JSON:
    """Return an Update for an inline keyboard press on `message`."""
    query = {
        "id": query_id,
        "from": sender,
        "message": message,
        "chat_instance": str(-(abs(hash(message["chat"]["id"])) % 10**19)),
        "data": data,
    }
    return {"update_id": update_id, "callback_query": query}


def my_chat_member_update(
    *, update_id: int, chat: JSON, sender: JSON, bot: JSON, old_status: str, new_status: str
) -> JSON:
    """Return the Update a user's block (member -> kicked) or unblock produces."""
    new_member: JSON = {"user": bot, "status": new_status}
    old_member: JSON = {"user": bot, "status": old_status}
    for member in (new_member, old_member):
        if member["status"] == "kicked":
            member["until_date"] = 0
    change = {
        "chat": chat,
        "from": sender,
        "date": int(time.time()),
        "old_chat_member": old_member,
        "new_chat_member": new_member,
    }
    return {"update_id": update_id, "my_chat_member": change}


def chat_member(*, account: JSON, status: str) -> JSON:
    """Return a ChatMember with every field PTB's subclass for `status` requires."""
    if status == "creator":
        return {"user": account, "status": status, "is_anonymous": False}
    if status == "administrator":
        rights = dict.fromkeys(_ADMIN_RIGHTS, True)
        return {
            "user": account,
            "status": status,
            "can_be_edited": False,
            "is_anonymous": False,
            **rights,
        }
    if status == "kicked":
        return {"user": account, "status": status, "until_date": 0}
    return {"user": account, "status": status}
