"""What Telegram can tell about a person: a name, nothing more; a failed look-up changes nothing."""

from __future__ import annotations

import pytest

from bot.app import NpsBot
from bot.channel import ChannelError, Profile
from bot.db import Database
from bot.models import Respondent
from channels.sandbox.telegram import TelegramSandbox
from channels.telegram import TelegramAdapter
from tests.channels.telegram.conftest import JANE, imported_jane


async def test_fetch_profile(adapter: TelegramAdapter) -> None:
    assert await adapter.fetch_profile(user_id=str(JANE)) == Profile(
        user_id=str(JANE), display_name="Jane Doe"
    )
    with pytest.raises(ChannelError, match="Chat not found"):
        await adapter.fetch_profile(user_id="999")


async def test_a_failed_profile_fetch_keeps_the_old_profile(
    bot: NpsBot, sandbox: TelegramSandbox, db: Database
) -> None:
    jane = imported_jane(bot, sandbox)
    sandbox.fail_next("getChat", status=500)
    assert await bot.audience.refresh_stale() == 1
    with db.session() as session:
        kept = session.get(Respondent, jane)
        assert kept is not None
        assert (kept.display_name, kept.profile_refreshed_at) == ("Jane", None)
    await bot.audience.refresh_stale()
    with db.session() as session:
        fresh = session.get(Respondent, jane)
        assert fresh is not None and fresh.display_name == "Jane Doe"
        assert fresh.profile_refreshed_at is not None
