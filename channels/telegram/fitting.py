"""Making text fit Telegram: 4,096 units a message, 1,024 a caption, 200 a button answer.

Telegram measures text after parsing, in UTF-16 code units (an emoji counts two), so that
is the unit here. Plain text that is too long is cut with "…" or split into several messages,
between lines where possible, else between words.
"""

from __future__ import annotations

MESSAGE_LIMIT = 4096
CAPTION_LIMIT = 1024
TOAST_LIMIT = 200
ELLIPSIS = "…"


def units(text: str) -> int:
    """Length as Telegram counts it: UTF-16 code units."""
    return len(text.encode("utf-16-le")) // 2


def prefix(text: str, limit: int) -> str:
    """The longest start of `text` within `limit` units, never splitting a surrogate pair."""
    if units(text) <= limit:
        return text
    encoded = text.encode("utf-16-le")[: 2 * limit]
    return encoded.decode("utf-16-le", errors="ignore")


def cut(text: str, limit: int) -> str:
    """`text` itself if it fits, else its start (at a word if one is near) ending in "…"."""
    if units(text) <= limit:
        return text
    head = prefix(text, limit - units(ELLIPSIS))
    space = head.rfind(" ")
    if space > len(head) * 3 // 4:
        head = head[:space]
    return head.rstrip() + ELLIPSIS


def split_text(text: str, limit: int = MESSAGE_LIMIT) -> list[str]:
    """Plain text in parts of at most `limit` units, cut between lines, else between words."""
    parts: list[str] = []
    rest = text
    while units(rest) > limit:
        head = prefix(rest, limit)
        cut_at = max(head.rfind("\n"), head.rfind(" "))
        if cut_at <= 0:
            cut_at = len(head)
        parts.append(rest[:cut_at].rstrip())
        rest = rest[cut_at:].lstrip()
    if rest.strip():
        parts.append(rest)
    return [part for part in parts if part.strip()]
