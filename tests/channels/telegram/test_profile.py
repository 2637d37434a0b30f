"""What Telegram can tell about a person: a name, nothing more."""

from __future__ import annotations

from bot.channel import Profile
from channels.telegram import TelegramAdapter
from tests.channels.telegram.conftest import JANE


async def test_fetch_profile(adapter: TelegramAdapter) -> None:
    assert await adapter.fetch_profile(user_id=str(JANE)) == Profile(
        user_id=str(JANE), display_name="Jane Doe"
    )
    assert await adapter.fetch_profile(user_id="999") is None
