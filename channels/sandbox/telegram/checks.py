"""What the Bot API checks in a message before it sends anything.

Text is parsed first (HTML parse mode) and measured after: at most 4,096 UTF-16 units of
message text, 1,024 of caption. Inline keyboards: at most 8 buttons a row and 100 in all,
each with a text and exactly one action, `callback_data` of 1-64 bytes.
"""

from __future__ import annotations

from typing import Any

from channels.sandbox.telegram.errors import ApiError
from channels.sandbox.telegram.html import HtmlError, parse_html, utf16_len

__all__ = ["MAX_CAPTION", "MAX_TEXT", "caption", "inline_markup", "message_text"]

JSON = dict[str, Any]
MAX_TEXT = 4096
MAX_CAPTION = 1024
MAX_ROW = 8
MAX_BUTTONS = 100
_ACTIONS = frozenset(
    {
        *("url", "callback_data", "web_app", "login_url", "switch_inline_query"),
        *("switch_inline_query_current_chat", "switch_inline_query_chosen_chat"),
        *("copy_text", "callback_game", "pay"),
    }
)


def _parsed(value: str, params: JSON, entities_key: str) -> tuple[str, list[JSON]]:
    mode = str(params.get("parse_mode") or "")
    if mode.lower() == "html":
        try:
            return parse_html(value)
        except HtmlError as exc:
            raise ApiError(400, f"Bad Request: can't parse entities: {exc}") from exc
    if mode:
        # MarkdownV2 and Markdown exist on Telegram but npsbot never sends them.
        raise ApiError(400, f"Bad Request: unsupported parse_mode {mode!r} in the sandbox")
    return value, list(params.get(entities_key) or [])


def message_text(params: JSON, *, empty: str, too_long: str) -> JSON:
    """The `text` (and `entities`) a sendMessage or editMessageText would store."""
    text, entities = _parsed(str(params.get("text") or ""), params, "entities")
    if not text.strip():
        raise ApiError(400, empty)
    if utf16_len(text) > MAX_TEXT:
        raise ApiError(400, too_long)
    return {"text": text, **({"entities": entities} if entities else {})}


def caption(params: JSON) -> JSON:
    """The `caption` (and `caption_entities`) of a media message; none is fine."""
    if params.get("caption") is None:
        return {}
    text, entities = _parsed(str(params["caption"]), params, "caption_entities")
    if utf16_len(text) > MAX_CAPTION:
        raise ApiError(400, "Bad Request: message caption is too long")
    if not text:
        return {}
    return {"caption": text, **({"caption_entities": entities} if entities else {})}


def inline_markup(markup: object) -> JSON | None:
    """Validate an inline keyboard; other keyboards are accepted but not echoed back."""
    if not isinstance(markup, dict) or "inline_keyboard" not in markup:
        return None
    rows = markup["inline_keyboard"]
    if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
        raise ApiError(400, "Bad Request: can't parse inline keyboard: rows must be arrays")
    buttons = [button for row in rows for button in row]
    if any(len(row) > MAX_ROW for row in rows) or len(buttons) > MAX_BUTTONS:
        raise ApiError(400, "Bad Request: reply markup is too long")
    for button in buttons:
        if not isinstance(button, dict) or not str(button.get("text") or "").strip():
            raise ApiError(400, "Bad Request: can't parse inline keyboard button: text is empty")
        actions = _ACTIONS.intersection(button)
        if not actions:
            raise ApiError(
                400,
                "Bad Request: can't parse inline keyboard button:"
                " Text buttons are unallowed in the inline keyboard",
            )
        data = button.get("callback_data")
        if data is not None and not 1 <= len(str(data).encode()) <= 64:
            raise ApiError(400, "Bad Request: BUTTON_DATA_INVALID")
    return markup
