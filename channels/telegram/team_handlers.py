"""The team's group: `/nps` admin commands and the buttons and replies of detractor alerts."""

from __future__ import annotations

import logging

from telegram import ChatMember, Message, Update
from telegram.constants import ChatType, ParseMode
from telegram.error import TelegramError
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler, MessageHandler, filters

from bot.channel import Handler
from bot.events import AdminCommand, AlertClaimed, AlertReplied
from bot.i18n import Words
from channels.telegram import formatting, keyboards
from channels.telegram.memory import ChatMemory
from channels.telegram.updates import (
    Context,
    acknowledge,
    answer,
    matched,
    message_of,
    origin,
    query_of,
    say,
    user_of,
)

log = logging.getLogger(__name__)

ADMIN_STATUSES = frozenset({ChatMember.OWNER, ChatMember.ADMINISTRATOR})


class TeamHandlers:
    """Turns what teammates do in a group into admin and alert events."""

    def __init__(self, *, handle: Handler, memory: ChatMemory, team: Words) -> None:
        self.handle = handle
        self.memory = memory
        self.team = team

    def handlers(self) -> list[BaseHandler]:  # type: ignore[type-arg]
        replies = filters.ChatType.GROUPS & filters.REPLY & filters.TEXT & ~filters.COMMAND
        return [
            CommandHandler("nps", self._admin),
            CallbackQueryHandler(self._claim, pattern=keyboards.CLAIM),
            CallbackQueryHandler(self._reply_button, pattern=keyboards.REPLY),
            MessageHandler(replies, self._team_reply),
        ]

    async def _admin(self, update: Update, context: Context) -> None:
        """`/nps ...` (also `/nps@bot ...`); Telegram's own chat admins count as admins."""
        message = message_of(update)
        words = (message.text or "").split(maxsplit=1)
        event = AdminCommand(
            origin=origin(update, context),
            chat_id=str(message.chat_id),
            text=words[1] if len(words) > 1 else "",
            platform_admin=await _chat_admin(message, context),
        )
        await say(message, await self.handle(event))

    async def _claim(self, update: Update, context: Context) -> None:
        event = AlertClaimed(
            origin(update, context),
            response_id=int(matched(context)[0]),
            name=user_of(update).full_name,
        )
        await acknowledge(self.handle, query_of(update), event)

    async def _reply_button(self, update: Update, context: Context) -> None:
        """Ask the teammate for their words with a forced reply that names the response."""
        query, user = query_of(update), user_of(update)
        response_id = int(matched(context)[0])
        await answer(query, self.team.t("team.write_reply"))
        prompt = formatting.reply_prompt_html(
            response_id=response_id,
            respondent=self.memory.respondents.get(response_id),
            teammate_id=user.id,
            teammate=user.first_name,
            team=self.team,
        )
        assert update.effective_chat is not None
        await context.bot.send_message(
            chat_id=update.effective_chat.id,
            text=prompt,
            parse_mode=ParseMode.HTML,
            reply_markup=keyboards.team_reply_prompt(self.team.t("team.reply_placeholder")),
        )

    async def _team_reply(self, update: Update, context: Context) -> None:
        """A reply to one of our reply prompts is relayed to the respondent by the core."""
        message = message_of(update)
        prompt = message.reply_to_message
        if prompt is None or prompt.from_user is None or prompt.from_user.id != context.bot.id:
            return
        response_id = formatting.prompted_response(prompt.text)
        if response_id is None:
            return
        event = AlertReplied(
            origin(update, context),
            response_id=response_id,
            text=message.text or "",
            name=user_of(update).full_name,
        )
        await say(message, await self.handle(event))


async def _chat_admin(message: Message, context: Context) -> bool:
    """Creator or administrator of this group (anonymous admins post as the group itself)."""
    chat = message.chat
    if chat.type == ChatType.PRIVATE:
        return False
    if message.sender_chat is not None and message.sender_chat.id == chat.id:
        return True
    if message.from_user is None:
        return False
    try:
        member = await context.bot.get_chat_member(chat.id, message.from_user.id)
    except TelegramError as exc:
        log.warning("could not check admin status in chat %s: %s", chat.id, exc.message)
        return False
    return member.status in ADMIN_STATUSES
