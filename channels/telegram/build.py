"""Building the PTB Application from settings, kept apart from running it.

One Application serves both modes: long polling uses its Updater; webhook mode has none, and
the shared web server feeds its update queue instead.
"""

from __future__ import annotations

from typing import Any

from telegram import BotCommand, Update
from telegram.ext import Application, ApplicationBuilder, BaseHandler

from bot.i18n import Words
from bot.settings import TelegramSettings
from bot.wording import command_menu
from channels.telegram.http import AiohttpRequest
from channels.telegram.limits import PacedRateLimiter
from channels.telegram.ordering import PerChatUpdateProcessor

ALLOWED_UPDATES = (Update.MESSAGE, Update.CALLBACK_QUERY, Update.MY_CHAT_MEMBER)
# Telegram measures its limits on its side, after network jitter has bunched requests up;
# pacing groups and chats 10% under them keeps a 429 the exception at the edge of a window.
# The overall rate is a setting (the dispatcher paces to it as well), taken as given.
MARGIN = 1.1

# PTB's generics left open: nothing here depends on the bot, context or data types they carry.
AnyApplication = Application[Any, Any, Any, Any, Any, Any]
UpdateHandler = BaseHandler[Update, Any, Any]


def commands(words: Words) -> list[BotCommand]:
    """The command menu in one language, for `setMyCommands`."""
    return [BotCommand(name, description) for name, description in command_menu(words)]


CONNECTIONS = 32
"""Connections to the Bot API for calls (getUpdates has its own): enough for the sends in
flight at the usual concurrencies, each kept open. Requests beyond it wait for a connection
(no pool timeout: nothing has been sent while they wait). PTB's httpx pool cost more the
larger it was (httpcore scans every pooled connection per request); aiohttp's does not."""


def build_application(*, settings: TelegramSettings, updater: bool = True) -> AnyApplication:
    """An Application that honours Telegram's flood limits and 429s (nothing is dropped)."""
    if settings.bot_token is None:
        raise ValueError("TELEGRAM_BOT_TOKEN is required to run the Telegram adapter")
    limiter = PacedRateLimiter(
        overall_max_rate=settings.send_rate,
        group_max_rate=20,
        group_time_period=60 * MARGIN,
        chat_interval=MARGIN,
        max_retries=3,
    )
    builder = (
        ApplicationBuilder()
        .token(settings.bot_token.get_secret_value())
        .base_url(settings.api_url)
        .base_file_url(file_url(settings.api_url))
        .rate_limiter(limiter)
        .concurrent_updates(PerChatUpdateProcessor())
        .request(AiohttpRequest(connections=CONNECTIONS))
    )
    if settings.webhook_url or not updater:
        builder = builder.updater(None)
    return builder.build()


def file_url(api_url: str) -> str:
    """`https://api.telegram.org/bot` -> `https://api.telegram.org/file/bot` (also for a
    local Bot API server or the sandbox, which use the same layout)."""
    return api_url.removesuffix("bot") + "file/bot"
