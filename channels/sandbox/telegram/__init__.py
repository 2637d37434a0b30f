"""A local Telegram Bot API that refuses what Telegram refuses; see `server.py`."""

from channels.sandbox.telegram.errors import ApiError
from channels.sandbox.telegram.flood import FloodLimits
from channels.sandbox.telegram.server import (
    RecordedCall,
    SandboxDocument,
    SandboxPhoto,
    TelegramSandbox,
)
from channels.sandbox.telegram.webhook import WebhookAttempt

__all__ = [
    "ApiError",
    "FloodLimits",
    "RecordedCall",
    "SandboxDocument",
    "SandboxPhoto",
    "TelegramSandbox",
    "WebhookAttempt",
]
