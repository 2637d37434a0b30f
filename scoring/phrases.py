"""The one way words reach `scoring/`: a `Phrases` object the caller passes in.

`bot.i18n.Words` is one (the team's language, the admins' overrides); scoring calls
`words.t("key", ...)` with literal keys, which `make i18n` extracts like any other, and stays
free of the catalogue itself.
"""

from __future__ import annotations

from typing import Protocol


class Phrases(Protocol):
    """The team's phrases (`bot.i18n.Words`): scoring stays free of the catalogue itself."""

    def t(self, key: str, /, **values: object) -> str: ...
