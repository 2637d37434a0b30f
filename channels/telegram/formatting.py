"""The words of the Telegram adapter: message texts, alert HTML and the reply prompt.

Everything a person typed is escaped before it enters HTML, since Telegram rejects a whole
message over one stray `<`.
"""

from __future__ import annotations

import re
from html import escape

from bot.channel import Alert, Followup, Question
from bot.i18n import Words

REPLY_PROMPT = re.compile(r"\(response #([0-9]{1,18})\):\Z")


def question_text(question: Question) -> str:
    return f"{question.text}\n\n{question.low_label}, {question.high_label}"


def answered_text(question: Question) -> str:
    return f"{question.text}\n\n{question.answered}"


def followup_text(followup: Followup) -> str:
    return f"{followup.text}\n\n{followup.reply_hint}"


def alert_html(alert: Alert) -> str:
    """The alert as the team sees it: score, who, segment, comment, and who is on it."""
    labels = alert.labels
    lines = [
        f"<b>{escape(labels.heading)}</b>",
        f"{escape(labels.respondent)}: {escape(labels.who)}",
    ]
    if alert.attributes:
        segment = ", ".join(f"{key}: {value}" for key, value in sorted(alert.attributes.items()))
        lines.append(escape(segment))
    if alert.comment:
        lines.append(f"{escape(labels.comment)}: <i>{escape(alert.comment)}</i>")
    else:
        lines.append(escape(labels.no_comment))
    if alert.owner:
        lines.append(f"{escape(labels.following_up)}: <b>{escape(alert.owner)}</b>")
    if alert.reply:
        lines.append(f"{escape(labels.reply_sent)}: <i>{escape(alert.reply)}</i>")
    return "\n".join(lines)


def reply_prompt_html(
    *, response_id: int, respondent: str | None, teammate_id: int, teammate: str, team: Words
) -> str:
    """Mentions the teammate (so a selective ForceReply reaches only them) and names the
    response, which `prompted_response` reads back from the message they reply to."""
    mention = f'<a href="tg://user?id={teammate_id}">{escape(teammate)}</a>'
    ask = team.t("team.reply_to", respondent=respondent or team.t("team.the_respondent"))
    return f"{mention}, {escape(ask)} (response #{response_id}):"


def prompted_response(prompt: str | None) -> int | None:
    """The response id named by a reply prompt, or None when the text is not one."""
    found = REPLY_PROMPT.search(prompt or "")
    return int(found.group(1)) if found else None
