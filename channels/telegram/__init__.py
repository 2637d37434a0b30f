"""Telegram: surveys in private chats, admin commands and alerts in the team's groups."""

from channels.telegram.adapter import TelegramAdapter

__all__ = ["TelegramAdapter"]
