"""Inviting one person now, by hand: the port the admin command and the CLI call.

The scheduling side implements it (`Dispatcher.invite_now`), so the core names what it
needs without importing the scheduler.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol


@dataclass(frozen=True, slots=True)
class InviteResult:
    """Whether the survey went out; if not, why, and when it is scheduled instead.

    `reason` is the whole English line (the CLI's); `why` the reason's code and
    `next_possible` the next moment the rules allow, from which `bot.reason_words` says it
    in the team's language.
    """

    sent: bool
    reason: str = ""
    scheduled_for: datetime | None = None
    why: str = ""
    next_possible: datetime | None = None


class Inviter(Protocol):
    """Sends one person a survey now, under the fatigue rules unless `force`."""

    async def invite_now(self, *, respondent_id: int, force: bool) -> InviteResult: ...
