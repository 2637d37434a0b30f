"""What the bot says to a respondent, composed from the catalogue in their language.

The phrases themselves live in `bot/locales`; this module only decides which ones make up a
question or a follow-up (the follow-up is worded by the score's category).
"""

from __future__ import annotations

from bot.channel import Followup, Question
from bot.i18n import Words
from scoring.nps import category


def question(
    words: Words,
    *,
    invitation_id: int,
    company: str,
    reminder: bool = False,
    score: int | None = None,
) -> Question:
    """The NPS question in the standard wording; `score` fills in the answered line."""
    text = words.t("survey.question", company=company)
    if reminder:
        text = words.t("survey.reminder") + " " + text
    return Question(
        invitation_id=invitation_id,
        text=text,
        low_label=words.t("survey.scale_low"),
        high_label=words.t("survey.scale_high"),
        opt_out_label=words.t("button.opt_out"),
        remind_label=words.t("button.remind_later"),
        answered="" if score is None else words.t("survey.answered", score=score),
    )


def followup(words: Words, *, invitation_id: int, score: int) -> Followup:
    """Detractors are asked what to fix, passives what is missing, promoters what they value."""
    text = {
        "detractor": words.t("followup.detractor"),
        "passive": words.t("followup.passive"),
        "promoter": words.t("followup.promoter"),
    }[category(score)]
    return Followup(
        invitation_id=invitation_id,
        text=text,
        skip_label=words.t("button.skip"),
        reply_hint=words.t("followup.reply_hint"),
        placeholder=words.t("followup.placeholder"),
    )
