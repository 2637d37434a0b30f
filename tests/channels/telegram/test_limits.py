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


async def test_updates_run_concurrently_across_chats_in_order_within_one() -> None:
    import asyncio

    from telegram import Chat, Message, Update

    from channels.telegram.ordering import PerChatUpdateProcessor

    processor = PerChatUpdateProcessor(8)
    seen: list[tuple[int, int]] = []

    def update(update_id: int, chat_id: int) -> Update:
        chat = Chat(chat_id, "private")
        return Update(update_id, message=Message(update_id, None, chat))  # type: ignore[arg-type]

    async def work(update_id: int, chat_id: int, delay: float) -> None:
        await asyncio.sleep(delay)
        seen.append((chat_id, update_id))

    jobs = [(1, 10, 0.05), (2, 10, 0.0), (3, 20, 0.0)]
    await asyncio.gather(
        *(processor.process_update(update(u, c), work(u, c, d)) for u, c, d in jobs)
    )
    assert seen.index((10, 1)) < seen.index((10, 2))
    assert seen[0] == (20, 3)
    assert processor._locks == {}
