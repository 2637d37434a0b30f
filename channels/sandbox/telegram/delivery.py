"""Bot API methods that hand updates to the bot: getUpdates and the webhook settings."""

from __future__ import annotations

import asyncio
import copy
import re
from typing import TYPE_CHECKING, Any

from channels.sandbox.telegram.errors import ApiError
from channels.sandbox.telegram.methods import Files, bot_method
from channels.sandbox.telegram.webhook import Webhook

if TYPE_CHECKING:
    from channels.sandbox.telegram.server import TelegramSandbox

JSON = dict[str, Any]
_SECRET = re.compile(r"[A-Za-z0-9_-]{1,256}")


def _refuse_polling_with_webhook(sb: TelegramSandbox) -> None:
    if sb.pusher.hook is not None:
        raise ApiError(
            409,
            "Conflict: can't use getUpdates method while webhook is active;"
            " use deleteWebhook to delete the webhook first",
        )


@bot_method("getUpdates")
async def get_updates(sb: TelegramSandbox, params: JSON, files: Files) -> list[JSON]:
    """Long polling; a newer getUpdates ends an older one with 409, as on Telegram."""
    _refuse_polling_with_webhook(sb)
    queue = sb.queue
    queue.set_allowed(params)
    offset = int(params.get("offset") or 0)
    limit = min(max(int(params.get("limit") or 100), 1), 100)
    loop = asyncio.get_running_loop()
    deadline = loop.time() + float(params.get("timeout") or 0)
    sb.poll_generation += 1
    generation = sb.poll_generation
    queue.notify()
    if offset < 0:
        del queue.entries[: max(len(queue.entries) + offset, 0)]
    else:
        queue.entries = [
            e for e in queue.entries if not (e.handed_out and e.update["update_id"] < offset)
        ]
    while True:
        if generation != sb.poll_generation:
            raise ApiError(
                409,
                "Conflict: terminated by other getUpdates request;"
                " make sure that only one bot instance is running",
            )
        _refuse_polling_with_webhook(sb)
        # Replays and late fixtures below `offset` are still handed out once.
        batch = [e for e in queue.entries if e.update["update_id"] >= offset or not e.handed_out]
        remaining = deadline - loop.time()
        if batch or sb.closing or remaining <= 0:
            break
        await queue.wait_change(remaining)
    batch = sorted(batch[:limit], key=lambda e: e.update["update_id"])
    for entry in batch:
        entry.handed_out = True
    return [copy.deepcopy(entry.update) for entry in batch]


@bot_method("setWebhook")
async def set_webhook(sb: TelegramSandbox, params: JSON, files: Files) -> bool:
    url = str(params.get("url") or "")
    secret = params.get("secret_token") or None
    if secret is not None and not _SECRET.fullmatch(str(secret)):
        raise ApiError(400, "Bad Request: secret token contains unallowed characters")
    connections = int(params.get("max_connections") or 40)
    if not 1 <= connections <= 100:
        raise ApiError(400, "Bad Request: max_connections must be between 1 and 100")
    if url and not url.startswith(("https://", "http://127.0.0.1", "http://localhost")):
        raise ApiError(400, "Bad Request: bad webhook: HTTPS url must be provided for webhook")
    if params.get("drop_pending_updates"):
        sb.queue.entries.clear()
    sb.queue.set_allowed(params)
    sb.pusher.set(Webhook(url, secret, connections) if url else None)
    return True


@bot_method("deleteWebhook")
async def delete_webhook(sb: TelegramSandbox, params: JSON, files: Files) -> bool:
    if params.get("drop_pending_updates"):
        sb.queue.entries.clear()
    sb.pusher.set(None)
    return True


@bot_method("getWebhookInfo")
async def get_webhook_info(sb: TelegramSandbox, params: JSON, files: Files) -> JSON:
    hook = sb.pusher.hook
    info: JSON = {
        "url": "",
        "has_custom_certificate": False,
        "pending_update_count": len(sb.queue.entries),
    }
    if hook is not None:
        info.update(url=hook.url, max_connections=hook.max_connections)
        if hook.last_error_date is not None:
            info["last_error_date"] = hook.last_error_date
            info["last_error_message"] = hook.last_error_message
    if sb.queue.allowed is not None:
        info["allowed_updates"] = sorted(sb.queue.allowed)
    return info
