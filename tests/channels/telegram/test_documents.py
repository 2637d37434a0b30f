"""sendDocument, as the data export uses it: the sandbox delivers an upload with its name
and refuses what Telegram refuses (empty file, long caption, blocked or never-started user)."""

from __future__ import annotations

import pytest

from bot.channel import ChannelError, Recipient, RecipientUnreachable
from channels.sandbox.telegram import TelegramSandbox
from channels.telegram import TelegramAdapter
from tests.channels.telegram.conftest import JANE, MEMBER

JANE_DM = Recipient(user_id=str(JANE), chat_id=str(JANE))


async def test_a_file_arrives_with_its_name_and_caption(
    adapter: TelegramAdapter, sandbox: TelegramSandbox
) -> None:
    sandbox.started.add(JANE)
    await adapter.send_file(recipient=JANE_DM, filename="my.json", data=b"{}", caption="Yours")
    (document,) = sandbox.documents
    assert (document.chat_id, document.file_name, document.data, document.caption) == (
        JANE,
        "my.json",
        b"{}",
        "Yours",
    )
    assert sandbox.sent_messages(JANE)[-1]["document"]["file_name"] == "my.json"


@pytest.mark.parametrize(
    ("data", "caption", "refusal"),
    [
        (b"", "Yours", "(?i)file must be non-empty"),
        (b"{}", "x" * 1025, "(?i)message caption is too long"),
    ],
)
async def test_refused_like_telegram(
    adapter: TelegramAdapter, sandbox: TelegramSandbox, data: bytes, caption: str, refusal: str
) -> None:
    sandbox.started.add(JANE)
    with pytest.raises(ChannelError, match=refusal):
        await adapter.send_file(recipient=JANE_DM, filename="my.json", data=data, caption=caption)
    assert sandbox.documents == []


async def test_blocked_or_never_started_is_unreachable(
    adapter: TelegramAdapter, sandbox: TelegramSandbox
) -> None:
    sandbox.started.add(JANE)
    sandbox.block(JANE)
    never = Recipient(user_id=str(MEMBER), chat_id=str(MEMBER))
    for recipient in (JANE_DM, never):
        with pytest.raises(RecipientUnreachable):
            await adapter.send_file(recipient=recipient, filename="a.json", data=b"1", caption="")
    assert sandbox.documents == []
