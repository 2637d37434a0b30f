"""Before serving: Telegram accepts the bot token (`getMe`). PTB would otherwise fail inside
`Application.initialize` with a traceback that quotes the token."""

from __future__ import annotations

from telegram import Bot
from telegram.error import InvalidToken, NetworkError, RetryAfter, TelegramError

from bot.preflight import Refused, Unavailable
from bot.settings import TelegramSettings

HINT = "get the bot's token from @BotFather (/token) and set it exactly"


async def check(settings: TelegramSettings) -> None:
    """Raise `Refused` for a token Telegram rejects, `Unavailable` when it cannot be reached."""
    assert settings.bot_token is not None
    bot = Bot(settings.bot_token.get_secret_value(), base_url=settings.api_url)
    try:
        await bot.initialize()  # calls getMe
    except InvalidToken:
        raise Refused(
            "TELEGRAM_BOT_TOKEN", f"Telegram rejected it (Unauthorized); {HINT}"
        ) from None
    except (NetworkError, RetryAfter) as exc:
        raise Unavailable(f"Telegram is not reachable ({type(exc).__name__})") from None
    except TelegramError as exc:
        raise Refused(
            "TELEGRAM_BOT_TOKEN", f"Telegram refused getMe ({exc.message}); {HINT}"
        ) from None
    finally:
        await bot.shutdown()
