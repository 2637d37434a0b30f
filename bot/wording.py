"""What the bot says. The follow-up is worded by the score's category."""

from __future__ import annotations

from bot.settings import Settings
from scoring.nps import category


def question_text(company: str) -> str:
    return f"How likely are you to recommend {company} to a friend or colleague?"


def followup_text(score: int, settings: Settings) -> str:
    """Detractors are asked what to fix, passives what is missing, promoters what they value."""
    return {
        "detractor": settings.followup_detractor,
        "passive": settings.followup_passive,
        "promoter": settings.followup_promoter,
    }[category(score)]


REMINDER = "A gentle reminder, in case you missed it:"
THANKS = "Thank you for your feedback! It goes straight to the team."
THANKS_NO_COMMENT = "Thank you! Your score has been recorded."
CLOSED = "Thanks for clicking, but this survey has closed. We'll ask again another time."
OPTED_OUT = "Done: you won't receive these surveys any more."
NOTHING_TO_SKIP = "There is no survey question waiting for a comment."
NOT_YOURS = "This survey was sent to someone else, so your click was not recorded."
