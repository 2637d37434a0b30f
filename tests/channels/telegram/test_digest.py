"""The weekly digest: the chart with a short caption, then the text in message-sized parts."""

from __future__ import annotations

from dataclasses import replace

from channels.sandbox.telegram import TelegramSandbox
from channels.telegram import TelegramAdapter
from channels.telegram.html_split import CAPTION_LIMIT, MESSAGE_LIMIT
from tests.channels.telegram.conftest import GROUP
from tests.digest_sample import sample_digest

PNG = b"\x89PNG\r\n\x1a\nfake-chart"


async def test_post_digest_sends_photo_then_parts(
    adapter: TelegramAdapter, sandbox: TelegramSandbox
) -> None:
    digest = sample_digest()
    long_digest = replace(digest, segments=digest.segments * 60)
    await adapter.post_digest(chat_id=str(GROUP), digest=long_digest, chart_png=PNG)
    [photo] = sandbox.photos
    assert (photo.chat_id, photo.data) == (GROUP, PNG)
    assert photo.caption is not None and 0 < len(photo.caption) <= CAPTION_LIMIT
    title = "Acme NPS, week 2026-W48 (from 2026-11-23)"
    assert photo.caption.startswith(title)
    [posted] = [m for m in sandbox.sent_messages(GROUP) if "photo" in m]
    assert posted["caption_entities"][0] == {"offset": 0, "length": len(title), "type": "bold"}
    parts = [m["text"] for m in sandbox.sent_messages(GROUP) if "text" in m]
    assert len(parts) >= 3
    assert all(len(part) <= MESSAGE_LIMIT for part in parts)
    assert parts[0].startswith("No clear change from last week")
    assert sum(part.count("plan: pro") for part in parts) == 60
    assert all(call.params["parse_mode"] == "HTML" for call in sandbox.calls_to("sendMessage"))
