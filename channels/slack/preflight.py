"""Before serving: Slack accepts the bot token (`auth.test`) and the app token
(`apps.connections.open`), so a rejected token is one line at start-up, not a Socket Mode
reconnect loop or an HTTP bot that starts "fine" and fails on its first send."""

from __future__ import annotations

from collections.abc import Awaitable
from typing import Any

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.preflight import Refused, Unavailable
from bot.settings import SlackSettings

BOT_TOKEN_HINT = (
    "copy the Bot User OAuth Token (xoxb-...) from your Slack app's OAuth & Permissions page"
)
APP_TOKEN_HINT = (
    "create an app-level token with the connections:write scope under Basic Information, "
    "and turn Socket Mode on"
)
TIMEOUT = 10


async def check(settings: SlackSettings) -> None:
    """Raise `Refused` for a token Slack rejects, `Unavailable` when Slack cannot be reached."""
    assert settings.bot_token is not None
    bot = AsyncWebClient(
        token=settings.bot_token.get_secret_value(),
        base_url=settings.api_url,
        timeout=TIMEOUT,
    )
    await _call("SLACK_BOT_TOKEN", BOT_TOKEN_HINT, bot.auth_test())
    if settings.app_token is not None:
        app_token = settings.app_token.get_secret_value()
        apps = AsyncWebClient(base_url=settings.api_url, timeout=TIMEOUT)
        await _call(
            "SLACK_APP_TOKEN", APP_TOKEN_HINT, apps.apps_connections_open(app_token=app_token)
        )


async def _call(setting: str, hint: str, call: Awaitable[Any]) -> None:
    try:
        await call
    except SlackApiError as exc:
        status = exc.response.status_code
        if status == 429 or status >= 500:
            raise Unavailable(f"Slack answered HTTP {status}") from None
        error = exc.response.get("error") or f"HTTP {status}"
        raise Refused(setting, f"Slack rejected it ({error}); {hint}") from None
    except (TimeoutError, aiohttp.ClientError, OSError) as exc:
        raise Unavailable(f"Slack is not reachable ({type(exc).__name__})") from None
