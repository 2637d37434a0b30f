"""Telegram updates in, platform-neutral events out.

Each PTB handler reads one kind of update, builds the event, hands it to the core and shows the
core's answer where the person acted. Decisions (permissions, idempotency, what to say about an
outcome) belong to the core; this module only knows Telegram.
"""

from __future__ import annotations

import logging

from telegram import CallbackQuery, ChatMember, Message, Update, User
from telegram.constants import ChatType, ParseMode
from telegram.error import BadRequest, TelegramError
from telegram.ext import (
    Application,
    ApplicationHandlerStop,
    CallbackQueryHandler,
    ChatMemberHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    TypeHandler,
    filters,
)

from bot.audience import parse_deep_link
from bot.events import (
    AdminCommand,
    AlertClaimed,
    AlertReplied,
    CommentSubmitted,
    Event,
    FollowupSkipped,
    OptOutRequested,
    Origin,
    RemindLater,
    ScoreSubmitted,
    Subscribed,
    TimezoneSet,
    Unreachable,
)
from channels.base import Handler
from channels.telegram import formatting, keyboards
from channels.telegram.memory import ChatMemory, Recent

log = logging.getLogger(__name__)

Context = ContextTypes.DEFAULT_TYPE
ADMIN_STATUSES = frozenset({ChatMember.OWNER, ChatMember.ADMINISTRATOR})
TOAST_LIMIT = 200


class UpdateHandlers:
    """The PTB handlers of the adapter, sharing the core's entry point and the chat memory."""

    def __init__(self, *, handle: Handler, memory: ChatMemory, company: str) -> None:
        self.handle = handle
        self.memory = memory
        self.company = company
        self._seen: Recent[int, bool] = Recent(size=4096)

    def register(self, application: Application) -> None:  # type: ignore[type-arg]
        private, groups = filters.ChatType.PRIVATE, filters.ChatType.GROUPS
        text = filters.TEXT & ~filters.COMMAND
        application.add_handler(TypeHandler(Update, self._once), group=-1)
        application.add_handlers(
            [
                CommandHandler("start", self._start, filters=private),
                CommandHandler("stop", self._stop, filters=private),
                CommandHandler("help", self._help),
                CommandHandler("timezone", self._timezone, filters=private),
                CommandHandler("skip", self._skip, filters=private),
                CommandHandler("nps", self._admin),
                CallbackQueryHandler(self._score, pattern=keyboards.SCORE),
                CallbackQueryHandler(self._opt_out, pattern=keyboards.OPT_OUT),
                CallbackQueryHandler(self._later, pattern=keyboards.LATER),
                CallbackQueryHandler(self._claim, pattern=keyboards.CLAIM),
                CallbackQueryHandler(self._reply_button, pattern=keyboards.REPLY),
                MessageHandler(private & text, self._comment),
                MessageHandler(groups & filters.REPLY & text, self._team_reply),
                ChatMemberHandler(self._membership, ChatMemberHandler.MY_CHAT_MEMBER),
            ]
        )
        application.add_error_handler(self._log_error)

    async def _once(self, update: Update, context: Context) -> None:
        """Drop a redelivered update (webhook retry, replay) before any handler sees it.

        The core also deduplicates answers by delivery id, which survives restarts; this
        catches the rest (a repeated /start or /nps) within one process.
        """
        if update.update_id in self._seen:
            raise ApplicationHandlerStop
        self._seen.put(update.update_id, True)

    # -- private chat: subscribing and the survey --------------------------------------------

    async def _start(self, update: Update, context: Context) -> None:
        message, user = _message(update), _user(update)
        event = Subscribed(
            origin=_origin(update, context),
            chat_id=str(message.chat_id),
            attributes=parse_deep_link(context.args[0] if context.args else ""),
            name=user.first_name,
            locale=user.language_code,
        )
        await _say(message, await self.handle(event))

    async def _stop(self, update: Update, context: Context) -> None:
        """The core confirms the opt-out itself (send_text), so only its return is shown."""
        await _say(_message(update), await self.handle(OptOutRequested(_origin(update, context))))

    async def _help(self, update: Update, context: Context) -> None:
        await _say(_message(update), formatting.help_text(self.company))

    async def _timezone(self, update: Update, context: Context) -> None:
        message = _message(update)
        if not context.args:
            await _say(message, formatting.TIMEZONE_USAGE)
            return
        event = TimezoneSet(_origin(update, context), timezone=context.args[0])
        await _say(message, await self.handle(event))

    async def _skip(self, update: Update, context: Context) -> None:
        message = _message(update)
        invitation_id = self.memory.followups.pop(str(message.chat_id))
        if invitation_id is None:
            await _say(message, formatting.NOTHING_TO_SKIP)
            return
        event = FollowupSkipped(_origin(update, context), invitation_id=invitation_id)
        await _say(message, await self.handle(event))

    async def _comment(self, update: Update, context: Context) -> None:
        """Any text in the private chat: the core attaches it to an answer awaiting one."""
        message = _message(update)
        event = CommentSubmitted(_origin(update, context), text=message.text or "")
        await _say(message, await self.handle(event))

    async def _score(self, update: Update, context: Context) -> None:
        invitation_id, score = (int(group) for group in _match(context))
        event = ScoreSubmitted(_origin(update, context), invitation_id=invitation_id, score=score)
        await self._acknowledge(_query(update), event)

    async def _opt_out(self, update: Update, context: Context) -> None:
        """After "Don't ask me again" the old buttons go, so no score can follow the opt-out."""
        query = _query(update)
        [invitation_id] = _match(context)
        event = OptOutRequested(_origin(update, context), invitation_id=int(invitation_id))
        await self._acknowledge(query, event)
        try:
            await query.edit_message_reply_markup(reply_markup=None)
        except BadRequest as exc:
            log.info("could not remove the survey buttons: %s", exc.message)

    async def _later(self, update: Update, context: Context) -> None:
        [invitation_id] = _match(context)
        event = RemindLater(_origin(update, context), invitation_id=int(invitation_id))
        await self._acknowledge(_query(update), event)

    # -- the team's group: admin commands and alerts -----------------------------------------

    async def _admin(self, update: Update, context: Context) -> None:
        """`/nps ...` (also `/nps@bot ...`); Telegram's own chat admins count as admins."""
        message = _message(update)
        words = (message.text or "").split(maxsplit=1)
        event = AdminCommand(
            origin=_origin(update, context),
            chat_id=str(message.chat_id),
            text=words[1] if len(words) > 1 else "",
            platform_admin=await _chat_admin(message, context),
        )
        await _say(message, await self.handle(event))

    async def _claim(self, update: Update, context: Context) -> None:
        [response_id] = _match(context)
        event = AlertClaimed(
            _origin(update, context), response_id=int(response_id), name=_user(update).full_name
        )
        await self._acknowledge(_query(update), event)

    async def _reply_button(self, update: Update, context: Context) -> None:
        """Ask the teammate for their words with a forced reply that names the response."""
        query, user = _query(update), _user(update)
        response_id = int(_match(context)[0])
        await _answer(query, "Write your reply to the message below.")
        prompt = formatting.reply_prompt_html(
            response_id=response_id,
            respondent=self.memory.respondents.get(response_id),
            teammate_id=user.id,
            teammate=user.first_name,
        )
        await context.bot.send_message(
            chat_id=_chat_id(update),
            text=prompt,
            parse_mode=ParseMode.HTML,
            reply_markup=keyboards.team_reply_prompt(),
        )

    async def _team_reply(self, update: Update, context: Context) -> None:
        """A reply to one of our reply prompts is relayed to the respondent by the core."""
        message = _message(update)
        prompt = message.reply_to_message
        if prompt is None or prompt.from_user is None or prompt.from_user.id != context.bot.id:
            return
        response_id = formatting.prompted_response(prompt.text)
        if response_id is None:
            return
        event = AlertReplied(
            _origin(update, context),
            response_id=response_id,
            text=message.text or "",
            name=_user(update).full_name,
        )
        await _say(message, await self.handle(event))

    async def _membership(self, update: Update, context: Context) -> None:
        """Blocking the bot shows up as its own membership turning `kicked` in the private
        chat; sends would fail from now on, so the core stops trying."""
        change = update.my_chat_member
        if change is None or change.chat.type != ChatType.PRIVATE:
            return
        if change.new_chat_member.status == ChatMember.BANNED:
            await self.handle(Unreachable(_origin(update, context), reason="blocked the bot"))

    async def _acknowledge(self, query: CallbackQuery, event: Event) -> None:
        """Run the press through the core, then stop the button's spinner with its answer."""
        try:
            reply = await self.handle(event)
        except Exception:
            await _answer(query, None)
            raise
        await _answer(query, reply)

    async def _log_error(self, update: object, context: Context) -> None:
        update_id = update.update_id if isinstance(update, Update) else None
        log.error("Telegram update %s failed", update_id, exc_info=context.error)


def _origin(update: Update, context: Context) -> Origin:
    return Origin(
        platform="telegram",
        workspace=str(context.bot.id),
        user_id=str(_user(update).id),
        delivery_id=str(update.update_id),
    )


def _message(update: Update) -> Message:
    assert update.effective_message is not None
    return update.effective_message


def _user(update: Update) -> User:
    assert update.effective_user is not None
    return update.effective_user


def _query(update: Update) -> CallbackQuery:
    assert update.callback_query is not None
    return update.callback_query


def _chat_id(update: Update) -> int:
    assert update.effective_chat is not None
    return update.effective_chat.id


def _match(context: Context) -> tuple[str, ...]:
    assert context.match is not None
    return context.match.groups()


async def _say(message: Message, text: str | None) -> None:
    if text:
        await message.reply_text(text)


async def _answer(query: CallbackQuery, text: str | None) -> None:
    """Answer a button press; an answer Telegram no longer takes (too old) is not an error."""
    try:
        await query.answer(text[:TOAST_LIMIT] if text else None)
    except BadRequest as exc:
        log.info("callback query %s not answered: %s", query.id, exc.message)


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
