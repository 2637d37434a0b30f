"""Per-chat pacing on top of AIORateLimiter."""

from __future__ import annotations

import asyncio
from typing import Any

from channels.telegram.limits import PacedRateLimiter


async def test_private_chats_are_paced_one_by_one() -> None:
    limiter = PacedRateLimiter(chat_burst=1, chat_interval=0.1, overall_max_rate=1000)
    loop = asyncio.get_running_loop()
    began = loop.time()
    sent: list[tuple[str, Any, float]] = []

    async def post(endpoint: str, data: dict[str, Any]) -> bool:
        sent.append((endpoint, data["chat_id"], loop.time() - began))
        return True

    async def send(endpoint: str, chat_id: Any) -> None:
        data = {"chat_id": chat_id}
        await limiter.process_request(post, (endpoint, data), {}, endpoint, data, None)

    await asyncio.gather(
        *(send("sendMessage", 42) for _ in range(4)),
        send("sendMessage", "43"),
        send("sendMessage", -1001987654321),
        send("editMessageText", 42),
    )
    paced = sorted(at for endpoint, chat, at in sent if (endpoint, chat) == ("sendMessage", 42))
    assert paced[-1] >= 0.25  # four sends to one chat take three intervals
    unpaced = [at for endpoint, chat, at in sent if chat != 42 or endpoint != "sendMessage"]
    assert max(unpaced) < 0.05  # other chats, groups and edits are not held up
