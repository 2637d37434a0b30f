"""Bot API methods about the bot itself and the chats it is in."""

from __future__ import annotations

import copy
import json
import re
from typing import TYPE_CHECKING, Any

from channels.sandbox.telegram import updates as tg
from channels.sandbox.telegram.errors import ApiError
from channels.sandbox.telegram.methods import Files, bot_method

if TYPE_CHECKING:
    from channels.sandbox.telegram.server import TelegramSandbox

JSON = dict[str, Any]
_COMMAND = re.compile(r"^[a-z0-9_]{1,32}$")


@bot_method("getMe")
async def get_me(sb: TelegramSandbox, params: JSON, files: Files) -> JSON:
    return {
        **sb.bot,
        "can_join_groups": True,
        "can_read_all_group_messages": not sb.world.privacy_mode,
        "supports_inline_queries": False,
        "can_connect_to_business": False,
        "has_main_web_app": False,
    }


@bot_method("getChat")
async def get_chat(sb: TelegramSandbox, params: JSON, files: Files) -> JSON:
    chat = sb.world.chat(params.get("chat_id"))
    if chat["type"] != "private":
        sb.world.reachable_chat(chat["id"])  # a migrated or lost group answers as for a send
    return tg.chat_full_info(chat)


@bot_method("getChatMember")
async def get_chat_member(sb: TelegramSandbox, params: JSON, files: Files) -> JSON:
    chat = sb.world.chat(params.get("chat_id"))
    user_id = int(params.get("user_id") or 0)
    account = sb.bot if user_id == sb.bot["id"] else sb.world.users.get(user_id)
    if account is None:
        raise ApiError(400, "Bad Request: user not found")
    return tg.chat_member(account=account, status=sb.world.status(chat, user_id))


@bot_method("setMyCommands")
async def set_my_commands(sb: TelegramSandbox, params: JSON, files: Files) -> bool:
    commands = params.get("commands") or []
    for command in commands:
        if not _COMMAND.match(str(command.get("command", ""))):
            raise ApiError(400, "Bad Request: BOT_COMMAND_INVALID")
        if not 1 <= len(str(command.get("description", ""))) <= 256:
            raise ApiError(400, "Bad Request: command description is too long")
    sb.commands[_commands_key(params)] = [
        {"command": c["command"], "description": c.get("description", "")} for c in commands
    ]
    return True


@bot_method("getMyCommands")
async def get_my_commands(sb: TelegramSandbox, params: JSON, files: Files) -> list[JSON]:
    return copy.deepcopy(sb.commands.get(_commands_key(params), []))


@bot_method("deleteMyCommands")
async def delete_my_commands(sb: TelegramSandbox, params: JSON, files: Files) -> bool:
    sb.commands.pop(_commands_key(params), None)
    return True


def _commands_key(params: JSON) -> tuple[str, str]:
    scope = params.get("scope") or {"type": "default"}
    return json.dumps(scope, sort_keys=True), str(params.get("language_code") or "")
