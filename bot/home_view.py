"""What a person's Home shows, as neutral types the adapters render (Block Kit, HTML).

The team's view carries the live report; everyone else's says what the app is, what it
keeps about them, and offers their rights (opt out, export, delete). Each view has a
`version`, so an unchanged Home is not published again.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from bot.i18n import Words
from bot.report import Report


@dataclass(frozen=True, slots=True)
class StoredAbout:
    """What is kept about one person (summed over the workspaces the bot serves)."""

    name: str | None
    timezone: str | None
    language: str | None
    answers: int
    comments: int
    opted_out: bool


@dataclass(frozen=True, slots=True)
class TeamHome:
    """For admins and team leads: the report, and where their claims count from."""

    report: Report
    words: Words
    chat_id: str | None
    """The team chat the viewer acts from (a claim from the Home is checked against it)."""
    chart_url: str | None = None
    """A public URL of the trend chart (NPSBOT_PUBLIC_URL), else the trend is text."""

    @property
    def version(self) -> str:
        return _digest("team", self.report.version, self.words.language, self.chat_id)


@dataclass(frozen=True, slots=True)
class PersonHome:
    """For everyone else, in their own language."""

    words: Words
    company: str
    stored: StoredAbout | None

    @property
    def version(self) -> str:
        return _digest("person", self.words.language, self.company, self.stored)


HomeView = TeamHome | PersonHome


def _digest(*parts: object) -> str:
    return hashlib.sha256(repr(parts).encode()).hexdigest()[:16]
