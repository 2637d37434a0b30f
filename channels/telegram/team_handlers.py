"""The team's group: `/nps` admin commands and the buttons and replies of detractor alerts."""

from __future__ import annotations

import logging

from telegram import CallbackQuery, ChatMember, Message, Update
from telegram.constants import ChatType, ParseMode
from telegram.error import TelegramError
from telegram.ext import CallbackQueryHandler, CommandHandler, MessageHandler, filters

from bot.admin_parse import announce_phrase
from bot.channel import Handler
from bot.events import (
    AdminCommand,
    AlertClaimed,
    AlertReplied,
    AlertReplyStarted,
    AnnouncementStarted,
    AnnouncementWritten,
    CaseResolved,
    Event,
    ThreadReplied,
)
from bot.i18n import Words
from channels.telegram import formatting, keyboards
from channels.telegram.build import UpdateHandler
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
MEMBER_STATUSES = ADMIN_STATUSES | {ChatMember.MEMBER}


class TeamHandlers:
    """Turns what teammates do in a group into admin and alert events."""

    def __init__(self, *, handle: Handler, memory: ChatMemory, team: Words) -> None:
        self.handle = handle
        self.memory = memory
        self.team = team

    def handlers(self) -> list[UpdateHandler]:
        replies = filters.ChatType.GROUPS & filters.REPLY & filters.TEXT & ~filters.COMMAND
        return [
            CommandHandler("nps", self._admin),
            CallbackQueryHandler(self._claim, pattern=keyboards.CLAIM),
            CallbackQueryHandler(self._reply_button, pattern=keyboards.REPLY),
            CallbackQueryHandler(self._resolve_button, pattern=keyboards.RESOLVE),
            MessageHandler(replies, self._team_reply),
        ]

    async def _admin(self, update: Update, context: Context) -> None:
        """`/nps ...` (also `/nps@bot ...`); Telegram's own chat admins count as admins."""
        message = message_of(update)
        words = (message.text or "").split(maxsplit=1)
        text = words[1] if len(words) > 1 else ""
        admin = await _chat_admin(message, context)
        if (phrase := announce_phrase(text)) is not None:
            await self._ask_announcement(update, context, phrase, admin=admin)
            return
        event = AdminCommand(
            origin=origin(update, context),
            chat_id=str(message.chat_id),
            text=text,
            platform_admin=admin,
        )
        await say(message, await self.handle(event))

    async def _ask_announcement(
        self, update: Update, context: Context, phrase: str, *, admin: bool
    ) -> None:
        """A forced reply asks the admin for the message, once the core agrees to send it."""
        message, user = message_of(update), user_of(update)
        started = AnnouncementStarted(origin(update, context), phrase=phrase, platform_admin=admin)
        if (refused := await self.handle(started)) is not None:
            await say(message, refused)
            return
        prompt = formatting.announce_prompt_html(
            phrase=phrase, teammate_id=user.id, teammate=user.first_name, team=self.team
        )
        await context.bot.send_message(
            chat_id=message.chat_id,
            text=prompt,
            parse_mode=ParseMode.HTML,
            reply_markup=keyboards.team_reply_prompt(self.team.t("announce.modal_label")),
        )

    async def _claim(self, update: Update, context: Context) -> None:
        query = query_of(update)
        chat_id, member = await _where(query, context)
        event = AlertClaimed(
            origin(update, context),
            response_id=int(matched(context)[0]),
            name=user_of(update).full_name,
            chat_id=chat_id,
            member=member,
        )
        await acknowledge(self.handle, query, event)

    async def _reply_button(self, update: Update, context: Context) -> None:
        """Ask the teammate for their words with a forced reply that names the response,
        once the core agrees they may answer it (else only the toast says why not)."""
        query, user = query_of(update), user_of(update)
        response_id = int(matched(context)[0])
        chat_id, member = await _where(query, context)
        started = AlertReplyStarted(
            origin(update, context), response_id=response_id, chat_id=chat_id, member=member
        )
        if (refused := await self.handle(started)) is not None:
            await answer(query, refused)
            return
        await answer(query, self.team.t("team.write_reply"))
        prompt = formatting.reply_prompt_html(
            response_id=response_id,
            respondent=self.memory.respondents.get(response_id),
            teammate_id=user.id,
            teammate=user.first_name,
            team=self.team,
        )
        await _force_reply(update, context, prompt, self.team.t("team.reply_placeholder"))

    async def _resolve_button(self, update: Update, context: Context) -> None:
        """Resolve at once, then ask the presser (only them) for an optional note."""
        query, user = query_of(update), user_of(update)
        response_id = int(matched(context)[0])
        chat_id, member = await _where(query, context)
        event = CaseResolved(
            origin(update, context),
            response_id,
            name=user.full_name,
            chat_id=chat_id,
            member=member,
        )
        started = AlertReplyStarted(event.origin, response_id, chat_id=chat_id, member=member)
        if (refused := await self.handle(started)) is not None:
            await answer(query, refused)
            return
        await acknowledge(self.handle, query, event)
        prompt = formatting.note_prompt_html(
            response_id=response_id, teammate_id=user.id, teammate=user.first_name, team=self.team
        )
        await _force_reply(update, context, prompt, self.team.t("team.resolve_placeholder"))

    async def _team_reply(self, update: Update, context: Context) -> None:
        """A reply to one of the bot's messages in a team chat: to a reply prompt, it is
        relayed to the respondent; to a note prompt, it notes the resolution; to an alert
        or a relayed message, the core relays it to that case's customer."""
        message, user = message_of(update), user_of(update)
        prompt = message.reply_to_message
        if prompt is None or prompt.from_user is None or prompt.from_user.id != context.bot.id:
            return
        if (phrase := formatting.prompted_announcement(prompt.text)) is not None:
            written = AnnouncementWritten(
                origin(update, context),
                phrase=phrase,
                text=message.text or "",
                name=user_of(update).full_name,
                platform_admin=await _chat_admin(message, context),
            )
            await say(message, await self.handle(written))
            return
        where, text, name = str(message.chat_id), message.text or "", user.full_name
        member = await _is_member(message.chat_id, user.id, context)
        asked = origin(update, context)
        event: Event
        if (response_id := formatting.prompted_response(prompt.text)) is not None:
            event = AlertReplied(asked, response_id, text, name=name, chat_id=where, member=member)
        elif (response_id := formatting.prompted_note(prompt.text)) is not None:
            event = CaseResolved(asked, response_id, text, name=name, chat_id=where, member=member)
        else:
            event = ThreadReplied(asked, where, str(prompt.message_id), text, name, member)
        await say(message, await self.handle(event))


async def _force_reply(update: Update, context: Context, prompt: str, placeholder: str) -> None:
    """Post a prompt (HTML) whose reply box opens only for the teammate it mentions."""
    assert update.effective_chat is not None
    await context.bot.send_message(
        chat_id=update.effective_chat.id,
        text=prompt,
        parse_mode=ParseMode.HTML,
        reply_markup=keyboards.team_reply_prompt(placeholder),
    )


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


async def _where(query: CallbackQuery, context: Context) -> tuple[str | None, bool]:
    """The chat a button was pressed in and whether the presser is a member of it."""
    message = query.message
    if message is None:
        return None, False
    chat_id = message.chat.id
    return str(chat_id), await _is_member(chat_id, query.from_user.id, context)


async def _is_member(chat_id: int, user_id: int, context: Context) -> bool:
    """What getChatMember says: member, administrator or creator (not left, kicked)."""
    try:
        member = await context.bot.get_chat_member(chat_id, user_id)
    except TelegramError as exc:
        log.warning("could not check membership in chat %s: %s", chat_id, exc.message)
        return False
    return member.status in MEMBER_STATUSES
