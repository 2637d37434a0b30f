"""Telegram's HTML parse mode, parsed as the Bot API parses it.

The Bot API turns `parse_mode=HTML` text into plain text plus entities, and refuses the whole
message (400 "can't parse entities") over one unsupported tag, a bare `<`, a tag left open or
closed out of order. Only the tags below exist; only `&lt;`, `&gt;`, `&amp;`, `&quot;` and
numeric entities are decoded (any other `&...;` stays as typed). Offsets and lengths count
UTF-16 code units; error positions count UTF-8 bytes, as in Telegram's own messages.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

__all__ = ["HtmlError", "parse_html", "utf16_len"]

JSON = dict[str, Any]
ENTITY_TYPES = {
    **dict.fromkeys(("b", "strong"), "bold"),
    **dict.fromkeys(("i", "em"), "italic"),
    **dict.fromkeys(("u", "ins"), "underline"),
    **dict.fromkeys(("s", "strike", "del"), "strikethrough"),
    **dict.fromkeys(("span", "tg-spoiler"), "spoiler"),
    "a": "text_link",
    "code": "code",
    "pre": "pre",
    "blockquote": "blockquote",
    "tg-emoji": "custom_emoji",
}
NAMED = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_ENTITY = re.compile(r"&(?:#(\d{1,7})|#[xX]([0-9a-fA-F]{1,6})|([a-zA-Z]+));")
_UNQUOTED = re.compile(r"[A-Za-z0-9.\-]*")


class HtmlError(ValueError):
    """Text the Bot API would refuse; the message is Telegram's wording after the prefix."""


def utf16_len(text: str) -> int:
    """Telegram counts lengths and offsets in UTF-16 code units."""
    return len(text.encode("utf-16-le")) // 2


@dataclass(slots=True)
class _Open:
    name: str
    offset: int
    attributes: dict[str, str] = field(default_factory=dict)


def parse_html(source: str) -> tuple[str, list[JSON]]:
    """Return (text, entities) as Telegram stores a message sent with parse_mode=HTML."""
    return _Parser(source).run()


class _Parser:
    def __init__(self, source: str) -> None:
        self.s = source
        self.i = 0
        self.out: list[str] = []
        self.units = 0
        self.stack: list[_Open] = []
        self.entities: list[JSON] = []

    def run(self) -> tuple[str, list[JSON]]:
        s = self.s
        while self.i < len(s):
            char = s[self.i]
            if char == "&" and self._entity():
                continue
            if char == "<":
                self._tag()
                continue
            self._emit(char)
            self.i += 1
        if self.stack:
            name = self.stack[-1].name
            raise HtmlError(f'Can\'t find end tag corresponding to start tag "{name}"')
        self.entities.sort(key=lambda e: (e["offset"], -e["length"]))
        return "".join(self.out), self.entities

    def _emit(self, text: str) -> None:
        self.out.append(text)
        self.units += utf16_len(text)

    def _byte(self, index: int) -> int:
        return len(self.s[:index].encode())

    def _entity(self) -> bool:
        found = _ENTITY.match(self.s, self.i)
        decoded = None if found is None else _decode(found)
        if found is None or decoded is None:
            return False
        self._emit(decoded)
        self.i = found.end()
        return True

    def _tag(self) -> None:
        begin, s = self.i, self.s
        self.i += 1
        if self.i < len(s) and s[self.i] == "/":
            self._end_tag(begin)
            return
        start = self.i
        while self.i < len(s) and not s[self.i].isspace() and s[self.i] != ">":
            self.i += 1
        if self.i >= len(s):
            raise HtmlError(f"Unclosed start tag at byte offset {self._byte(begin)}")
        name = s[start : self.i].lower()
        if name not in ENTITY_TYPES:
            raise HtmlError(f'Unsupported start tag "{name}" at byte offset {self._byte(begin)}')
        attributes = self._attributes(name, begin)
        if name == "span" and attributes.get("class") != "tg-spoiler":
            raise HtmlError(
                f'Tag "span" must have class "tg-spoiler" at byte offset {self._byte(begin)}'
            )
        self.stack.append(_Open(name, self.units, attributes))

    def _attributes(self, tag: str, begin: int) -> dict[str, str]:
        s, attributes = self.s, dict[str, str]()
        while True:
            while self.i < len(s) and s[self.i].isspace():
                self.i += 1
            if self.i >= len(s):
                raise HtmlError(f"Unclosed start tag at byte offset {self._byte(begin)}")
            if s[self.i] == ">":
                self.i += 1
                return attributes
            start = self.i
            while self.i < len(s) and not s[self.i].isspace() and s[self.i] not in "=>":
                self.i += 1
            name = s[start : self.i].lower()
            while self.i < len(s) and s[self.i].isspace():
                self.i += 1
            if self.i < len(s) and s[self.i] != "=" and tag == "blockquote":
                attributes[name] = ""  # <blockquote expandable>
                continue
            if self.i >= len(s) or s[self.i] != "=":
                raise HtmlError(
                    "Expected equal sign in declaration of an attribute of the tag"
                    f' "{tag}" at byte offset {self._byte(begin)}'
                )
            self.i += 1
            attributes[name] = self._value(begin)

    def _value(self, begin: int) -> str:
        s = self.s
        if self.i < len(s) and s[self.i] in "'\"":
            end = s.find(s[self.i], self.i + 1)
            if end < 0:
                raise HtmlError(f"Unclosed start tag at byte offset {self._byte(begin)}")
            raw, self.i = s[self.i + 1 : end], end + 1
        else:
            found = _UNQUOTED.match(s, self.i)
            assert found is not None
            raw, self.i = found.group(), found.end()
        return _ENTITY.sub(lambda m: _decode(m) or m.group(), raw)

    def _end_tag(self, begin: int) -> None:
        s = self.s
        if not self.stack:
            raise HtmlError(f"Unexpected end tag at byte offset {self._byte(begin)}")
        start = self.i = self.i + 1
        while self.i < len(s) and not s[self.i].isspace() and s[self.i] != ">":
            self.i += 1
        name = s[start : self.i].lower()
        while self.i < len(s) and s[self.i].isspace():
            self.i += 1
        if self.i >= len(s) or s[self.i] != ">":
            raise HtmlError(f"Unclosed end tag at byte offset {self._byte(begin)}")
        self.i += 1
        opened = self.stack.pop()
        if name and name != opened.name:
            raise HtmlError(
                f"Unmatched end tag at byte offset {self._byte(begin)},"
                f' expected "</{opened.name}>", found "</{name}>"'
            )
        self._close(opened)

    def _close(self, opened: _Open) -> None:
        length = self.units - opened.offset
        if length == 0:
            return
        kind = ENTITY_TYPES[opened.name]
        entity: JSON = {"offset": opened.offset, "length": length, "type": kind}
        attributes = opened.attributes
        if kind == "text_link":
            if not attributes.get("href"):
                return  # Telegram drops a link without a target and keeps its text
            entity["url"] = attributes["href"]
        elif kind == "custom_emoji":
            entity["custom_emoji_id"] = attributes.get("emoji-id", "")
        elif kind == "blockquote" and "expandable" in attributes:
            entity["type"] = "expandable_blockquote"
        elif kind == "code" and attributes.get("class", "").startswith("language-"):
            if self.stack and self.stack[-1].name == "pre":  # <pre><code class="language-x">
                self.stack[-1].attributes["language"] = attributes["class"][9:]
                return
        elif kind == "pre" and attributes.get("language"):
            entity["language"] = attributes["language"]
        self.entities.append(entity)


def _decode(found: re.Match[str]) -> str | None:
    decimal, hexadecimal, name = found.groups()
    if name is not None:
        return NAMED.get(name)
    code = int(decimal) if decimal is not None else int(hexadecimal, 16)
    return chr(code) if 0 < code <= 0x10FFFF and not 0xD800 <= code <= 0xDFFF else None
