"""The Telegram adapter's posts to the team's groups: alerts, notes under them, and the
move of a group that became a supergroup."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import TypeVar

from telegram import Message
from telegram.constants import ParseMode
from telegram.error import ChatMigrated
from telegram.ext import ExtBot

from bot.channel import Alert, Handler, MessageRef, ThreadNote
from bot.events import TargetMigrated
from bot.i18n import Catalogue
from channels.telegram import formatting, keyboards
from channels.telegram.errors import platform_errors, tidy_edit
from channels.telegram.fitting import MESSAGE_LIMIT, cut
from channels.telegram.memory import ChatMemory

log = logging.getLogger(__name__)
T = TypeVar("T")


class TeamPosts:
    """Mixed into the adapter, which provides the bot, its memory and the core's handler."""

    platform: str
    handle: Handler
    memory: ChatMemory
    catalogue: Catalogue

    @property
    def _bot(self) -> ExtBot[None]:
        raise NotImplementedError

    async def post_alert(self, *, chat_id: str, alert: Alert) -> MessageRef | None:
        async def post(chat: int | str) -> Message:
            return await self._bot.send_message(
                chat_id=chat,
                text=formatting.alert_html(alert),
                parse_mode=ParseMode.HTML,
                reply_markup=keyboards.alert_keyboard(alert),
            )

        message = await self._to_team(chat_id, "post a detractor alert", post)
        self.memory.respondents.put(alert.response_id, alert.respondent)
        return ref_of(message)

    async def _to_team(
        self, chat_id: str, action: str, send: Callable[[int | str], Awaitable[T]]
    ) -> T:
        """Send to a team's group; when it was upgraded to a supergroup, tell the core (the
        stored target moves) and send again to the new chat."""
        with platform_errors(action, team=self.catalogue.team):
            try:
                return await send(chat_key(chat_id))
            except ChatMigrated as moved:
                new_chat_id = await self._migrated(chat_id, moved)
            return await send(chat_key(new_chat_id))

    async def _migrated(self, chat_id: str, moved: ChatMigrated) -> str:
        """Tell the core a team's group became a supergroup; returns the new chat id."""
        new_chat_id = str(moved.new_chat_id)
        log.info("Telegram group %s is now supergroup %s", chat_id, new_chat_id)
        event = TargetMigrated(
            platform=self.platform,
            workspace=str(self._bot.id),
            old_chat_id=chat_id,
            new_chat_id=new_chat_id,
        )
        await self.handle(event)
        return new_chat_id

    async def post_under_alert(self, *, alert: MessageRef, note: ThreadNote) -> MessageRef | None:
        """As a reply to the alert (plain text: a customer's words need no escaping)."""
        with platform_errors("post under a detractor alert", team=self.catalogue.team):
            message = await self._bot.send_message(
                chat_id=chat_key(alert.chat_id),
                text=cut(note.text, MESSAGE_LIMIT),
                reply_to_message_id=int(alert.message_id),
                reply_markup=keyboards.thread_keyboard(note),
            )
        return ref_of(message)

    async def update_alert(self, *, ref: MessageRef, alert: Alert) -> None:
        """Refresh the alert in place; one posted before its group's upgrade to a supergroup
        stays in the old, read-only group (Telegram keeps it there), so only the target moves."""
        with tidy_edit("update a detractor alert", team=self.catalogue.team):
            try:
                await self._bot.edit_message_text(
                    chat_id=chat_key(ref.chat_id),
                    message_id=int(ref.message_id),
                    text=formatting.alert_html(alert),
                    parse_mode=ParseMode.HTML,
                    reply_markup=keyboards.alert_keyboard(alert),
                )
            except ChatMigrated as moved:
                await self._migrated(ref.chat_id, moved)
        self.memory.respondents.put(alert.response_id, alert.respondent)


def chat_key(chat_id: str) -> int | str:
    """Numeric ids as integers (as Telegram sends them); `@channelname` stays a string."""
    return int(chat_id) if chat_id.lstrip("-").isdigit() else chat_id


def ref_of(message: Message) -> MessageRef:
    return MessageRef(chat_id=str(message.chat_id), message_id=str(message.message_id))
