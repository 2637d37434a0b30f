"""Bot API methods that send, edit and remove messages, and answer button presses."""

from __future__ import annotations

import copy
from typing import TYPE_CHECKING, Any

from channels.sandbox.telegram import checks
from channels.sandbox.telegram.errors import ApiError
from channels.sandbox.telegram.methods import Files, bot_method

if TYPE_CHECKING:
    from channels.sandbox.telegram.server import TelegramSandbox

JSON = dict[str, Any]


@bot_method("sendMessage")
async def send_message(sb: TelegramSandbox, params: JSON, files: Files) -> JSON:
    chat = sb.world.reachable_chat(params.get("chat_id"))
    content = checks.message_text(
        params,
        empty="Bad Request: message text is empty",
        too_long="Bad Request: message is too long",
    )
    return sb.world.deliver(chat, params, content)


@bot_method("sendPhoto")
async def send_photo(sb: TelegramSandbox, params: JSON, files: Files) -> JSON:
    chat = sb.world.reachable_chat(params.get("chat_id"))
    caption = checks.caption(params)
    data = _photo_bytes(params.get("photo"), files, sb.files)
    file_id = str(params.get("photo"))  # a resent file keeps its file_id, as on Telegram
    if file_id not in sb.files:
        file_id = f"AgACAgIAAxkDAAI{len(sb.files) + 1:06d}"
        sb.files[file_id] = (data, f"photos/file_{len(sb.files)}.jpg")
    size = {"file_id": file_id, "file_unique_id": file_id[-10:], "width": 320, "height": 320}
    content = {"photo": [{**size, "file_size": len(data)}], **caption}
    msg = sb.world.deliver(chat, params, content)
    sb.record_photo(msg, file_id, data)
    return msg


MAX_UPLOAD = 50 * 1024 * 1024
"""Bots upload documents of up to 50 MB."""


@bot_method("sendDocument")
async def send_document(sb: TelegramSandbox, params: JSON, files: Files) -> JSON:
    """Uploads only (what npsbot sends): a missing, empty or oversized file is refused."""
    from channels.sandbox.telegram.server import SandboxDocument

    chat = sb.world.reachable_chat(params.get("chat_id"))
    caption = checks.caption(params)
    if "document" not in files:
        raise ApiError(400, "Bad Request: there is no document in the request")
    data = files["document"]
    if not data:
        raise ApiError(400, "Bad Request: file must be non-empty")
    if len(data) > MAX_UPLOAD:
        raise ApiError(413, "Request Entity Too Large")
    name = str(params.get("_document_filename") or "document")
    file_id = f"BQACAgIAAxkDAAI{len(sb.files) + 1:06d}"
    sb.files[file_id] = (data, f"documents/{name}")
    mime = "application/json" if name.endswith(".json") else "application/octet-stream"
    document = {
        "file_id": file_id,
        "file_unique_id": file_id[-10:],
        "file_name": name,
        "mime_type": mime,
        "file_size": len(data),
    }
    msg = sb.world.deliver(chat, params, {"document": document, **caption})
    sb.documents.append(
        SandboxDocument(msg["chat"]["id"], msg["message_id"], name, data, msg.get("caption"))
    )
    return msg


@bot_method("getFile")
async def get_file(sb: TelegramSandbox, params: JSON, files: Files) -> JSON:
    file_id = str(params.get("file_id"))
    if file_id not in sb.files:
        raise ApiError(400, "Bad Request: invalid file_id")
    data, path = sb.files[file_id]
    return {
        "file_id": file_id,
        "file_unique_id": file_id[-10:],
        "file_size": len(data),
        "file_path": path,
    }


@bot_method("editMessageText")
async def edit_message_text(sb: TelegramSandbox, params: JSON, files: Files) -> JSON:
    msg = sb.world.editable(params)
    content = checks.message_text(
        params,
        empty="Bad Request: text must be non-empty",
        too_long="Bad Request: MESSAGE_TOO_LONG",
    )
    return sb.world.edit(
        msg, content=content, markup=checks.inline_markup(params.get("reply_markup"))
    )


@bot_method("editMessageReplyMarkup")
async def edit_message_reply_markup(sb: TelegramSandbox, params: JSON, files: Files) -> JSON:
    msg = sb.world.editable(params)
    content: JSON = {key: copy.deepcopy(msg[key]) for key in ("text", "entities") if key in msg}
    return sb.world.edit(
        msg, content=content, markup=checks.inline_markup(params.get("reply_markup"))
    )


@bot_method("deleteMessage")
async def delete_message(sb: TelegramSandbox, params: JSON, files: Files) -> bool:
    chat = sb.world.chat(params.get("chat_id"))
    if sb.world.messages[chat["id"]].pop(int(params.get("message_id") or 0), None) is None:
        raise ApiError(400, "Bad Request: message to delete not found")
    return True


@bot_method("answerCallbackQuery")
async def answer_callback_query(sb: TelegramSandbox, params: JSON, files: Files) -> bool:
    query_id = str(params.get("callback_query_id"))
    if query_id not in sb.open_queries:
        raise ApiError(
            400, "Bad Request: query is too old and response timeout expired or query ID is invalid"
        )
    if len(str(params.get("text") or "")) > 200:
        raise ApiError(400, "Bad Request: MESSAGE_TOO_LONG")
    sb.open_queries.discard(query_id)
    return True


def _photo_bytes(photo: object, files: Files, known: dict[str, tuple[bytes, str]]) -> bytes:
    """Resolve sendPhoto's `photo`: an upload, `attach://name`, a known file_id or a URL."""
    if "photo" in files:
        return files["photo"]
    if isinstance(photo, str) and photo.startswith("attach://") and photo[9:] in files:
        return files[photo[9:]]
    if isinstance(photo, str) and photo in known:
        return known[photo][0]
    if isinstance(photo, str) and photo.startswith(("http://", "https://")):
        return b""
    raise ApiError(400, "Bad Request: wrong file identifier/HTTP URL specified")
