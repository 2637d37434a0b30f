"""Reading a Bot API request: query string, JSON, form or multipart, as Telegram accepts."""

from __future__ import annotations

import contextlib
import json
from typing import Any

from aiohttp import web

JSON = dict[str, Any]
# Form and multipart bodies carry every value as a string; these are JSON-encoded on the wire.
_JSON_PARAMS = frozenset(
    {
        *("chat_id", "message_id", "user_id", "offset", "limit", "timeout", "max_connections"),
        *("cache_time", "show_alert", "drop_pending_updates", "disable_notification"),
        *("protect_content", "reply_to_message_id", "reply_markup", "reply_parameters"),
        *("allowed_updates", "commands", "scope", "entities", "caption_entities", "has_spoiler"),
        *("link_preview_options", "message_thread_id", "show_caption_above_media"),
    }
)


async def read_params(request: web.Request) -> tuple[JSON, dict[str, bytes]]:
    """Merge query, JSON, form and multipart parameters, decoding JSON-encoded values."""
    raw: JSON = dict(request.query)
    files: dict[str, bytes] = {}
    if request.content_type == "application/json" and request.can_read_body:
        body = await request.json()
        raw.update(body if isinstance(body, dict) else {})
    elif request.can_read_body:
        for key, value in (await request.post()).items():
            if isinstance(value, web.FileField):
                files[key] = value.file.read()
                raw[f"_{key}_filename"] = value.filename
            else:
                raw[key] = value
    return {key: _decode(key, value) for key, value in raw.items()}, files


def _decode(key: str, value: Any) -> Any:
    if isinstance(value, str) and key in _JSON_PARAMS:
        with contextlib.suppress(ValueError):
            return json.loads(value)
    return value
