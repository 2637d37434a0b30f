"""The registry of Bot API methods the sandbox serves; names match case-insensitively."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from channels.sandbox.telegram.server import TelegramSandbox

__all__ = ["METHODS", "Files", "bot_method"]

JSON = dict[str, Any]
Files = dict[str, bytes]
Handler = Callable[["TelegramSandbox", JSON, Files], Awaitable[Any]]
METHODS: dict[str, Handler] = {}


def bot_method(name: str) -> Callable[[Handler], Handler]:
    """Serve `name` (e.g. "sendMessage") with the decorated coroutine."""

    def register(handler: Handler) -> Handler:
        METHODS[name.lower()] = handler
        return handler

    return register
