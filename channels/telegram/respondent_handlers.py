"""The respondent's private chat: subscribing, the survey buttons, comments."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.error import BadRequest
from telegram.ext import (
    CallbackQueryHandler,
    CommandHandler,
    MessageHandler,
    filters,
)

from bot.audience import parse_deep_link
from bot.channel import Handler
from bot.events import (
    CommentSubmitted,
    ExportRequested,
    FollowupSkipped,
    ForgetRequested,
    HelpRequested,
    LanguageSet,
    OptOutRequested,
    RemindLater,
    ScoreSubmitted,
    Subscribed,
    TimezoneSet,
)
from bot.i18n import Catalogue
from channels.telegram import keyboards
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


class RespondentHandlers:
    """Turns what a respondent does into survey and audience events."""

    def __init__(self, *, handle: Handler, memory: ChatMemory, catalogue: Catalogue) -> None:
        self.handle = handle
        self.memory = memory
        self.catalogue = catalogue

    def handlers(self) -> list[UpdateHandler]:
        private = filters.ChatType.PRIVATE
        return [
            CommandHandler("start", self._start, filters=private),
            CommandHandler("stop", self._stop, filters=private),
            CommandHandler("help", self._help),
            CommandHandler("timezone", self._timezone, filters=private),
            CommandHandler("language", self._language, filters=private),
            CommandHandler("skip", self._skip, filters=private),
            CommandHandler("forget", self._forget, filters=private),
            CommandHandler("mydata", self._mydata, filters=private),
            CallbackQueryHandler(self._forget_confirmed, pattern=keyboards.FORGET),
            CallbackQueryHandler(self._score, pattern=keyboards.SCORE),
            CallbackQueryHandler(self._opt_out, pattern=keyboards.OPT_OUT),
            CallbackQueryHandler(self._later, pattern=keyboards.LATER),
            MessageHandler(private & filters.TEXT & ~filters.COMMAND, self._comment),
        ]

    async def _start(self, update: Update, context: Context) -> None:
        """Consent, with deep-link segments (`t.me/bot?start=plan-pro`) as attributes."""
        message, user = message_of(update), user_of(update)
        event = Subscribed(
            origin=origin(update, context),
            chat_id=str(message.chat_id),
            attributes=parse_deep_link(context.args[0] if context.args else ""),
            name=user.first_name,
            locale=user.language_code,
        )
        await say(message, await self.handle(event))

    async def _stop(self, update: Update, context: Context) -> None:
        """The core confirms the opt-out itself (send_text), so only its return is shown."""
        await say(message_of(update), await self.handle(OptOutRequested(origin(update, context))))

    async def _help(self, update: Update, context: Context) -> None:
        """Worded by the core, in the language the person chose or their Telegram's."""
        event = HelpRequested(origin(update, context), locale=user_of(update).language_code)
        await say(message_of(update), await self.handle(event))

    async def _timezone(self, update: Update, context: Context) -> None:
        event = TimezoneSet(
            origin(update, context),
            timezone=context.args[0] if context.args else "",
            locale=user_of(update).language_code,
        )
        await say(message_of(update), await self.handle(event))

    async def _language(self, update: Update, context: Context) -> None:
        """`/language fr`: from now on every message to this person is in French."""
        event = LanguageSet(
            origin(update, context),
            language=context.args[0] if context.args else "",
            locale=user_of(update).language_code,
        )
        await say(message_of(update), await self.handle(event))

    async def _forget(self, update: Update, context: Context) -> None:
        """ "Delete my data" asks first, with one button that confirms."""
        message, locale = message_of(update), user_of(update).language_code
        question = await self.handle(ForgetRequested(origin(update, context), locale=locale))
        label = self.catalogue.for_person(explicit=None, platform=locale).t("privacy.forget_button")
        if question:
            await message.reply_text(question, reply_markup=keyboards.forget_keyboard(label))

    async def _forget_confirmed(self, update: Update, context: Context) -> None:
        """Only ever the presser's own data; the question is replaced by the outcome."""
        query = query_of(update)
        event = ForgetRequested(
            origin(update, context), confirmed=True, locale=user_of(update).language_code
        )
        done = await self.handle(event)
        await answer(query, done)
        if done:
            try:
                await query.edit_message_text(done, reply_markup=None)
            except BadRequest as exc:
                log.info("could not replace the confirmation: %s", exc.message)

    async def _mydata(self, update: Update, context: Context) -> None:
        """The core sends the JSON file itself; only a problem comes back as text."""
        event = ExportRequested(origin(update, context), locale=user_of(update).language_code)
        await say(message_of(update), await self.handle(event))

    async def _skip(self, update: Update, context: Context) -> None:
        """Skips the follow-up this chat was last asked; after a restart, the newest one."""
        message = message_of(update)
        invitation_id = self.memory.followups.pop(str(message.chat_id))
        event = FollowupSkipped(origin(update, context), invitation_id=invitation_id)
        await say(message, await self.handle(event))

    async def _comment(self, update: Update, context: Context) -> None:
        """Any text in the private chat: the core attaches it to an answer awaiting one."""
        message = message_of(update)
        event = CommentSubmitted(origin(update, context), text=message.text or "")
        await say(message, await self.handle(event))

    async def _score(self, update: Update, context: Context) -> None:
        invitation_id, score = (int(group) for group in matched(context))
        query = query_of(update)
        shown = query.message
        event = ScoreSubmitted(
            origin(update, context),
            invitation_id=invitation_id,
            score=score,
            shown_chat=str(shown.chat.id) if shown else None,
            shown_message=str(shown.message_id) if shown else None,
        )
        await acknowledge(self.handle, query, event)

    async def _opt_out(self, update: Update, context: Context) -> None:
        """After "Don't ask me again" the old buttons go, so no score can follow the opt-out."""
        query = query_of(update)
        event = OptOutRequested(origin(update, context), invitation_id=int(matched(context)[0]))
        await acknowledge(self.handle, query, event)
        try:
            await query.edit_message_reply_markup(reply_markup=None)
        except BadRequest as exc:
            log.info("could not remove the survey buttons: %s", exc.message)

    async def _later(self, update: Update, context: Context) -> None:
        event = RemindLater(origin(update, context), invitation_id=int(matched(context)[0]))
        await acknowledge(self.handle, query_of(update), event)
