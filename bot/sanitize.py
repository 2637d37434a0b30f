"""Text from outside made safe to store: no control characters, bounded attributes.

PostgreSQL refuses NUL in text columns (the whole transaction fails, so a comment with one
was lost), and other control characters only ever arrive by accident or malice. Every event
is cleaned once at the router, before any part of the core sees it, so no handler can forget.
"""

from __future__ import annotations

import dataclasses
import re
from typing import TypeVar

CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
"""C0 controls and DEL, except tab, line feed and carriage return, which people type."""
MAX_ATTRIBUTES = 50
MAX_ATTRIBUTE_KEY = 40
MAX_ATTRIBUTE_VALUE = 200

E = TypeVar("E")


def clean_text(text: str) -> str:
    return CONTROL.sub("", text)


def clean_attributes(attributes: dict[str, str]) -> dict[str, str]:
    """Keys and values cleaned and cut to their limits; empty keys dropped."""
    cleaned: dict[str, str] = {}
    for key, value in attributes.items():
        name = clean_text(str(key)).strip()[:MAX_ATTRIBUTE_KEY]
        if name:
            cleaned[name] = clean_text(str(value)).strip()[:MAX_ATTRIBUTE_VALUE]
    return cleaned


def merge_attributes(old: dict[str, str], new: dict[str, str]) -> dict[str, str]:
    """New values win for known keys; new keys only while there is room under the cap.

    Attributes are copied into every answer and every segment table, so one person sending
    deep link after deep link must not grow them without end.
    """
    merged = dict(old)
    for key, value in clean_attributes(new).items():
        if key in merged or len(merged) < MAX_ATTRIBUTES:
            merged[key] = value
    return merged


def clean_event(event: E) -> E:
    """The event with every text field (and string mapping) cleaned; others untouched."""
    if not dataclasses.is_dataclass(event) or isinstance(event, type):
        return event
    changes: dict[str, object] = {}
    for item in dataclasses.fields(event):
        value = getattr(event, item.name)
        if isinstance(value, str) and CONTROL.search(value):
            changes[item.name] = clean_text(value)
        elif isinstance(value, dict) and item.name == "attributes":
            changes[item.name] = clean_attributes(value)
        elif dataclasses.is_dataclass(value) and not isinstance(value, type):
            inner = clean_event(value)
            if inner is not value:
                changes[item.name] = inner
    return dataclasses.replace(event, **changes) if changes else event
