"""Slash-command text as the core's parser expects it.

With `should_escape: true` Slack rewrites what people typed: `@jane` arrives as
`<@U123|jane>`, `#general` as `<#C123|general>`, and `&`, `<`, `>` as HTML entities. The
parser in `bot.admin_parse` knows nothing of Slack, so mentions become `@U123` and `#C123`.
Comments get the same unescaping, so `price > value` is stored as typed.
"""

from __future__ import annotations

import re

_USER = re.compile(r"<@([UW][A-Z0-9]+)(?:\|[^>]*)?>")
_CHANNEL = re.compile(r"<#([CGD][A-Z0-9]+)(?:\|[^>]*)?>")
_ENTITIES = (("&lt;", "<"), ("&gt;", ">"), ("&amp;", "&"))


def normalise(text: str) -> str:
    """`send <@U123|jane>` -> `send @U123`; `audience add <#C9|beta>` -> `audience add #C9`."""
    return unescape(_CHANNEL.sub(r"#\1", _USER.sub(r"@\1", text))).strip()


def unescape(text: str) -> str:
    """Undo Slack's escaping of `&`, `<` and `>` in message and command text."""
    for entity, char in _ENTITIES:
        text = text.replace(entity, char)
    return text
