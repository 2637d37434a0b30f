"""The webhook endpoint on the shared web server: Telegram pushes updates here.

Only Telegram knows the secret given to setWebhook; a request without it is refused before its
body is read. Accepted updates go onto the Application's queue and are answered at once,
since Telegram waits for the answer before it pushes the next update.
"""

from __future__ import annotations

import hmac
import logging

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route
from telegram import Update

from channels.telegram.build import AnyApplication
from channels.telegram.durable import DurableUpdates

log = logging.getLogger(__name__)

PATH = "/telegram/webhook"
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


def webhook_route(
    *,
    application: AnyApplication,
    secret: str,
    durable: DurableUpdates | None = None,
) -> Route:
    """POST /telegram/webhook: 403 without the secret, 400 for a body that is no update,
    503 while the bot is not running (Telegram retries), else 200 (even for an update PTB
    cannot read, which is logged and dropped)."""
    expected = secret.encode()

    async def receive(request: Request) -> Response:
        given = request.headers.get(SECRET_HEADER, "").encode()
        if not hmac.compare_digest(given, expected):
            return PlainTextResponse("wrong secret token", status_code=403)
        try:
            payload = await request.json()
        except ValueError:
            return PlainTextResponse("malformed JSON", status_code=400)
        if not isinstance(payload, dict) or not isinstance(payload.get("update_id"), int):
            return PlainTextResponse("not a Telegram update", status_code=400)
        if not application.running:
            return PlainTextResponse("not running", status_code=503)
        if durable is not None:
            # 200 only once the update is recorded (database or spool): Telegram redelivers
            # anything else, so a crash right after the answer loses nothing.
            try:
                await durable.record(payload)
            except Exception:
                log.exception("update %s could not be recorded", payload["update_id"])
                return PlainTextResponse("not recorded", status_code=503)
            return Response(status_code=200)
        try:
            update = Update.de_json(payload, application.bot)
        except (ValueError, TypeError, KeyError):
            # Telegram would push it again and again, holding up every later update.
            log.exception("update %s could not be read and is dropped", payload["update_id"])
            return Response(status_code=200)
        await application.update_queue.put(update)
        return Response(status_code=200)

    return Route(PATH, receive, methods=["POST"])
