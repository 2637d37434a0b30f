"""What people do on the sandbox's Telegram, each turned into the update Telegram would send.

Users write and press buttons, block and unblock the bot; group admins remove the bot or
upgrade a group to a supergroup (which gives it a new `-100…` id).
"""

from __future__ import annotations

import copy
from typing import Any

from channels.sandbox.telegram import updates as tg
from channels.sandbox.telegram.queue import UpdateQueue
from channels.sandbox.telegram.world import Group, World

JSON = dict[str, Any]


class People:
    """User actions; each returns the update it produced (queued if the bot would get it)."""

    world: World
    queue: UpdateQueue
    open_queries: set[str]
    _next_update_id: int
    _next_query_id: int

    def new_update_id(self) -> int:
        self._next_update_id += 1
        return self._next_update_id - 1

    def add_user(
        self,
        user_id: int,
        *,
        first_name: str = "Ann",
        last_name: str | None = None,
        username: str | None = None,
        language_code: str | None = "en",
        started: bool = False,
    ) -> JSON:
        """Register a Telegram account; `started=True` skips the `/start` a send otherwise needs."""
        self.world.users[user_id] = tg.user(
            user_id=user_id,
            first_name=first_name,
            last_name=last_name,
            username=username,
            language_code=language_code,
        )
        if started:
            self.world.started.add(user_id)
        return self.world.users[user_id]

    def add_group(
        self,
        chat_id: int,
        *,
        title: str,
        admins: list[int],
        members: list[int],
        creator: int | None = None,
    ) -> JSON:
        """Register a group (negative id) with the bot in it; statuses come from these lists."""
        if chat_id >= 0:
            raise ValueError("group chat ids are negative on Telegram")
        for user_id in {*admins, *members, *([creator] if creator else [])}:
            self.world.account(user_id)
        chat = tg.group_chat(chat_id=chat_id, title=title)
        self.world.groups[chat_id] = Group(chat, set(admins), set(members), creator)
        return chat

    def block(self, user_id: int) -> JSON:
        """The user blocks the bot: later sends answer 403 and a my_chat_member update arrives."""
        self.world.blocked.add(user_id)
        chat = tg.private_chat(self.world.account(user_id))
        return self._member_change(chat, by=user_id, old="member", new="kicked")

    def unblock(self, user_id: int) -> JSON:
        """The user unblocks the bot (kicked -> member)."""
        self.world.blocked.discard(user_id)
        chat = tg.private_chat(self.world.account(user_id))
        return self._member_change(chat, by=user_id, old="kicked", new="member")

    def remove_bot(self, chat_id: int, *, by: int) -> JSON:
        """A group admin removes the bot: sends there answer 403 "bot was kicked"."""
        group = self.world.groups[chat_id]
        old, group.bot_status = group.bot_status, "kicked"
        return self._member_change(group.chat, by=by, old=old, new="kicked")

    def add_bot(self, chat_id: int, *, by: int) -> JSON:
        """A group admin adds the bot (back): it may post there again."""
        group = self.world.groups[chat_id]
        old, group.bot_status = group.bot_status, "member"
        return self._member_change(group.chat, by=by, old=old, new="member")

    def upgrade_group(
        self, chat_id: int, *, by: int, new_chat_id: int | None = None, announce: bool = True
    ) -> int:
        """A group becomes a supergroup with a new id; returns that id.

        Telegram posts a service message with `migrate_to_chat_id` in the old chat and one
        with `migrate_from_chat_id` in the new one; sends to the old id answer 400 with
        `parameters.migrate_to_chat_id` from now on. `announce=False` is a bot that missed
        those messages (offline for longer than Telegram keeps updates).
        """
        old = self.world.groups[chat_id]
        if old.chat["type"] != "group":
            raise ValueError(f"chat {chat_id} is already a supergroup")
        new_id = new_chat_id or int(f"-100{abs(chat_id)}")
        self.add_group(
            new_id,
            title=old.chat["title"],
            admins=sorted(old.admins),
            members=sorted(old.members),
            creator=old.creator,
        )
        self.world.groups[new_id].bot_status = old.bot_status
        old.migrated_to = new_id
        sender = self.world.account(by)
        for chat, field, value in (
            (old.chat, "migrate_to_chat_id", new_id),
            (self.world.groups[new_id].chat, "migrate_from_chat_id", chat_id),
        ):
            msg = tg.message(
                message_id=self.world.new_message_id(chat["id"]),
                sender=sender,
                chat=chat,
                extra={field: value},
            )
            self.world.store(msg)
            if announce:
                self.queue.push({"update_id": self.new_update_id(), "message": msg})
        return new_id

    def send_text(
        self,
        user_id: int,
        text: str,
        *,
        reply_to_message_id: int | None = None,
        chat_id: int | None = None,
    ) -> JSON:
        """The user sends `text` (to the bot's private chat unless `chat_id` names a group).

        A blocked user unblocks first, as the app's "Restart" button does. In groups with
        `privacy_mode`, text that is neither a command for this bot nor a reply to it is not
        delivered, as on Telegram; the built update is returned either way.
        """
        world = self.world
        sender = world.account(user_id)
        if chat_id is not None and chat_id not in world.groups:
            raise LookupError(f"group {chat_id} is not registered; call add_group first")
        chat = world.chat(user_id if chat_id is None else chat_id)
        if chat["type"] == "private" and user_id in world.blocked:
            self.unblock(user_id)
        reply_to = None
        if reply_to_message_id is not None:
            reply_to = world.message(chat["id"], reply_to_message_id, "message to reply")
        msg = tg.message(
            message_id=world.new_message_id(chat["id"]),
            sender=sender,
            chat=chat,
            text=text,
            reply_to=reply_to,
        )
        world.store(msg)
        if chat["type"] == "private" and text.split(maxsplit=1)[:1] == ["/start"]:
            world.started.add(user_id)
        update = {"update_id": self.new_update_id(), "message": msg}
        if chat["type"] == "private" or not world.privacy_mode or world.addressed(msg):
            self.queue.push(update)
        return update

    def press_button(
        self, user_id: int, *, message_id: int, data: str, chat_id: int | None = None
    ) -> JSON:
        """The user presses an inline button of a bot message; `data` must be on the keyboard."""
        sender = self.world.account(user_id)
        target = self.world.message(user_id if chat_id is None else chat_id, message_id, "message")
        buttons = target.get("reply_markup", {}).get("inline_keyboard", [])
        offered = [button.get("callback_data") for row in buttons for button in row]
        if data not in offered:
            raise ValueError(f"message {message_id} offers no button with data {data!r}: {offered}")
        self._next_query_id += 1
        query_id = str(self._next_query_id)
        self.open_queries.add(query_id)
        update = tg.callback_query_update(
            update_id=self.new_update_id(),
            query_id=query_id,
            sender=sender,
            message=copy.deepcopy(target),
            data=data,
        )
        return self.queue.push(update)

    def enqueue_raw(self, update: JSON) -> JSON:
        """Queue a given update as is (a fixture, or a replay keeping its `update_id`).

        Its users, chats, `/start` and callback query id are learnt so the bot can answer it.
        """
        update = copy.deepcopy(update)
        update.setdefault("update_id", self.new_update_id())
        self._next_update_id = max(self._next_update_id, update["update_id"] + 1)
        self.world.learn(update)
        query = update.get("callback_query")
        if isinstance(query, dict):
            self.open_queries.add(str(query["id"]))
        return self.queue.push(update)

    def _member_change(self, chat: JSON, *, by: int, old: str, new: str) -> JSON:
        return self.queue.push(
            tg.my_chat_member_update(
                update_id=self.new_update_id(),
                chat=chat,
                sender=self.world.account(by),
                bot=self.world.bot,
                old_status=old,
                new_status=new,
            )
        )
