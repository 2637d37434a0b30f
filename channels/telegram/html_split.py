"""Cutting Telegram HTML into messages that fit: 4,096 units a message, 1,024 a caption.

Sizes are measured on the HTML in UTF-16 units (`fitting.units`), which is never less than
what Telegram counts after parsing (tags vanish, `&amp;` becomes one character), so a part
that fits here fits there.

Cuts fall between lines where possible, else between words, never inside a tag or an entity
such as `&amp;`. A tag still open at a cut is closed at the end of one part and reopened at
the start of the next, because Telegram refuses a message whose tags do not balance.
"""

from __future__ import annotations

import re

from channels.telegram.fitting import CAPTION_LIMIT, MESSAGE_LIMIT, prefix, units

__all__ = ["CAPTION_LIMIT", "MESSAGE_LIMIT", "split_html"]
TOKEN = re.compile(r"<[^<>]*>|&#?\w+;|[^<&]+|[<&]")
TAG_NAME = re.compile(r"^</?\s*([A-Za-z][\w-]*)")


def split_html(text: str, *, limit: int = MESSAGE_LIMIT) -> list[str]:
    """Split `text` into parts of at most `limit` characters, each valid HTML on its own."""
    splitter = _Splitter(limit)
    for line in text.split("\n"):
        splitter.add_line(line)
    return splitter.finish()


class _Splitter:
    """Greedy packing of lines, then of tokens for a line too long for any part."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.parts: list[str] = []
        self.open: list[tuple[str, str]] = []  # (name, opening tag) still open
        self.current = ""
        self.filled = False  # the current part has content beyond its reopened tags

    def add_line(self, line: str) -> None:
        after = _track(self.open, line)
        joined = "\n" + line if self.filled else line
        if self._fits(joined, after):
            self._append(joined, after)
            return
        self._flush()
        if self._fits(line, after):
            self._append(line, after)
            return
        for token in TOKEN.findall(line):
            self._add_token(token)

    def _add_token(self, token: str) -> None:
        after = _track(self.open, token)
        if self._fits(token, after):
            self._append(token, after)
            return
        if token.startswith(("<", "&")) and len(token) > 1:
            self._flush()
            if not self._fits(token, after):
                raise ValueError(f"cannot fit {token[:40]!r} into {self.limit} characters")
            self._append(token, after)
            return
        while token:
            room = self.limit - units(self.current) - units(_closers(self.open))
            if room <= 0:
                self._flush()
                continue
            piece = prefix(token, room) or token[:1]
            if len(token) > len(piece) and not token[len(piece)].isspace() and piece.rfind(" ") > 0:
                piece = piece[: piece.rfind(" ") + 1]
            self._append(piece, self.open)
            token = token[len(piece) :]
            if token:
                self._flush()

    def _fits(self, addition: str, after: list[tuple[str, str]]) -> bool:
        return units(self.current) + units(addition) + units(_closers(after)) <= self.limit

    def _append(self, addition: str, after: list[tuple[str, str]]) -> None:
        self.current += addition
        self.open = after
        self.filled = self.filled or bool(addition.strip())

    def _flush(self) -> None:
        if self.filled:
            self.parts.append(self.current + _closers(self.open))
        opening = "".join(tag for _, tag in self.open)
        if units(opening) + units(_closers(self.open)) >= self.limit:
            raise ValueError(f"tags nested too deep to split into {self.limit} characters")
        self.current, self.filled = opening, False

    def finish(self) -> list[str]:
        if self.filled:
            self.parts.append(self.current + _closers(self.open))
        return self.parts


def _track(open_tags: list[tuple[str, str]], html: str) -> list[tuple[str, str]]:
    """The open-tag stack after `html`; a closing tag pops its most recent opening."""
    stack = list(open_tags)
    for tag in re.findall(r"<[^<>]*>", html):
        found = TAG_NAME.match(tag)
        if found is None:
            continue
        name = found.group(1).lower()
        if not tag.startswith("</"):
            stack.append((name, tag))
            continue
        for index in range(len(stack) - 1, -1, -1):
            if stack[index][0] == name:
                del stack[index]
                break
    return stack


def _closers(open_tags: list[tuple[str, str]]) -> str:
    return "".join(f"</{name}>" for name, _ in reversed(open_tags))
