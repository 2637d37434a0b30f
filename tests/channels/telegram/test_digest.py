"""The weekly digest: the chart with a short caption, then the text in message-sized parts."""

from __future__ import annotations

from channels.sandbox.telegram import TelegramSandbox
from channels.telegram import TelegramAdapter
from channels.telegram.html_split import CAPTION_LIMIT, MESSAGE_LIMIT
from tests.channels.telegram.conftest import GROUP

PNG = b"\x89PNG\r\n\x1a\nfake-chart"


class FakeDigest:
    """Stands in for the digest model until it lands; the placeholder renders str()."""

    def __str__(self) -> str:
        return "\n".join(f"Team {n} <ops>: NPS {n} & rising" for n in range(400))


async def test_post_digest_sends_photo_then_parts(
    adapter: TelegramAdapter, sandbox: TelegramSandbox
) -> None:
    await adapter.post_digest(chat_id=str(GROUP), digest=FakeDigest(), chart_png=PNG)  # type: ignore[arg-type]
    [photo] = sandbox.photos
    assert (photo.chat_id, photo.data) == (GROUP, PNG)
    assert photo.caption is not None and 0 < len(photo.caption) <= CAPTION_LIMIT
    assert photo.caption.startswith("Team 0 &lt;ops&gt;: NPS 0 &amp; rising")
    parts = [m["text"] for m in sandbox.sent_messages(GROUP) if "text" in m]
    assert len(parts) >= 4
    assert all(len(part) <= MESSAGE_LIMIT for part in parts)
    assert parts[-1].endswith("Team 399 &lt;ops&gt;: NPS 399 &amp; rising")
    assert all(call.params["parse_mode"] == "HTML" for call in sandbox.calls_to("sendMessage"))
