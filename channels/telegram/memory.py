"""Small bounded memories the adapter keeps between updates.

Telegram tells a bot nothing about earlier messages, so a few facts (which follow-up a chat is
answering, whose alert a button belongs to, which updates were already handled) live here.
Each memory forgets its oldest entries, so a long-running bot cannot grow without end; losing
one only costs a friendlier fallback, never a wrong answer.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Generic, TypeVar

K = TypeVar("K")
V = TypeVar("V")


class Recent(Generic[K, V]):
    """A mapping that keeps only the `size` most recently written keys."""

    def __init__(self, *, size: int) -> None:
        self._items: OrderedDict[K, V] = OrderedDict()
        self._size = size

    def __contains__(self, key: object) -> bool:
        return key in self._items

    def put(self, key: K, value: V) -> None:
        self._items[key] = value
        self._items.move_to_end(key)
        while len(self._items) > self._size:
            self._items.popitem(last=False)

    def get(self, key: K) -> V | None:
        return self._items.get(key)

    def pop(self, key: K) -> V | None:
        return self._items.pop(key, None)


@dataclass(slots=True)
class ChatMemory:
    """What the sending side learns and the update handlers need later.

    `followups`: private chat id -> invitation whose follow-up question is open there (for
    /skip). `respondents`: response id -> respondent name shown on its alert (for the reply
    prompt); None means anonymous.
    """

    followups: Recent[str, int] = field(default_factory=lambda: Recent(size=10_000))
    respondents: Recent[int, str | None] = field(default_factory=lambda: Recent(size=1_000))
