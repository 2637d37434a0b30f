"""Reading an Update and answering it: the small steps every handler shares."""

from __future__ import annotations

import logging

from telegram import CallbackQuery, Message, Update, User
from telegram.constants import ParseMode
from telegram.error import BadRequest
from telegram.ext import ContextTypes

from bot.channel import Handler
from bot.events import Event, Origin
from channels.telegram.fitting import TOAST_LIMIT, cut
from channels.telegram.formatting import reply_html
from channels.telegram.html_split import split_html

log = logging.getLogger(__name__)

Context = ContextTypes.DEFAULT_TYPE


def origin(update: Update, context: Context) -> Origin:
    """The bot is the workspace; the update id lets the core drop a redelivery."""
    return Origin(
        platform="telegram",
        workspace=str(context.bot.id),
        user_id=str(user_of(update).id),
        delivery_id=str(update.update_id),
    )


def message_of(update: Update) -> Message:
    assert update.effective_message is not None
    return update.effective_message


def user_of(update: Update) -> User:
    assert update.effective_user is not None
    return update.effective_user


def query_of(update: Update) -> CallbackQuery:
    assert update.callback_query is not None
    return update.callback_query


def matched(context: Context) -> tuple[str, ...]:
    """The groups of the callback-data pattern that selected this handler."""
    assert context.match is not None
    return context.match.groups()


async def say(message: Message, text: str | None) -> None:
    """Answer in the chat of `message` (quoting it in groups), if there is anything to say;
    a long answer (an audience list) comes in several messages."""
    for part in split_html(reply_html(text or "")):
        await message.reply_text(part, parse_mode=ParseMode.HTML)


async def answer(query: CallbackQuery, text: str | None) -> None:
    """Answer a button press; an answer Telegram no longer takes (too old) is not an error."""
    try:
        await query.answer(cut(text, TOAST_LIMIT) if text else None)
    except BadRequest as exc:
        log.info("callback query %s not answered: %s", query.id, exc.message)


async def acknowledge(handle: Handler, query: CallbackQuery, event: Event) -> None:
    """Run a button press through the core, then stop the button's spinner with its answer."""
    try:
        reply = await handle(event)
    except Exception:
        await answer(query, None)
        raise
    await answer(query, reply)
