"""The words of the Telegram adapter: message texts, alert HTML and the reply prompt.

Everything a person typed is escaped before it enters HTML, since Telegram rejects a whole
message over one stray `<`, and cut to size first, since Telegram refuses text over 4,096
units after parsing: the lengths below are of the text people read, which is what counts.
"""

from __future__ import annotations

import re
from html import escape

from bot.channel import Alert, Followup, Question
from bot.i18n import Words
from channels.telegram.fitting import MESSAGE_LIMIT, cut, units

BOLD = re.compile(r"(?<![\w*])\*([^\s*]|[^\s*][^*\n]*?[^\s*])\*(?![\w*])")
EMOJI = {":warning:": "\N{WARNING SIGN}\ufe0f"}
"""The shortcodes the core's replies use (Slack renders them; Telegram shows them as typed)."""
REPLY_PROMPT = re.compile(r"\(response #([0-9]{1,18})\):\Z")
ANNOUNCE_PROMPT = re.compile(r'\(announcement: "(.{1,200})"\):\Z', re.DOTALL)
NOTE_PROMPT = re.compile(r"\(note on response #([0-9]{1,18})\):\Z")
NAME_LIMIT = 100
SEGMENT_LIMIT = 1000
SEGMENT_VALUE_LIMIT = 100
REPLY_LIMIT = 1000


def _with_tail(text: str, tail: str) -> str:
    """`text` cut so that it and the fixed `tail` fit one message."""
    return cut(text, MESSAGE_LIMIT - units(tail)) + tail


def reply_html(text: str) -> str:
    """A core reply (written in chat markup: `*bold*`, `:warning:`) as Telegram HTML, with
    everything else escaped."""
    html = BOLD.sub(r"<b>\1</b>", escape(text, quote=False))
    for code, emoji in EMOJI.items():
        html = html.replace(code, emoji)
    return html


def question_text(question: Question) -> str:
    return _with_tail(question.text, f"\n\n{question.low_label}, {question.high_label}")


def answered_text(question: Question) -> str:
    return _with_tail(question.text, f"\n\n{question.answered}")


def followup_text(followup: Followup) -> str:
    return _with_tail(followup.text, f"\n\n{followup.reply_hint}")


def segment_line(attributes: dict[str, str]) -> str:
    """`key: value, ...` sorted, each value and the whole line cut to size (plain text)."""
    pairs = (
        f"{cut(key, SEGMENT_VALUE_LIMIT)}: {cut(value, SEGMENT_VALUE_LIMIT)}"
        for key, value in sorted(attributes.items())
    )
    return cut(", ".join(pairs), SEGMENT_LIMIT)


def _line(label: str, text: str, tag: str | None = None) -> tuple[str, str]:
    """(plain, html) of `label` + `text`: the text escaped and optionally wrapped in `tag`."""
    body = escape(text)
    return label + text, escape(label) + (f"<{tag}>{body}</{tag}>" if tag else body)


def alert_html(alert: Alert) -> str:
    """The alert as the team sees it: score, who, segment, comment, and who is on it.

    Every part but the comment has a fixed budget; the comment gets what is left of the
    4,096 units, so the alert always fits one message (it is edited in place later).
    """
    labels = alert.labels
    previously = f" ({labels.previously})" if labels.previously else ""
    lines = [
        _line("", cut(labels.heading + previously, NAME_LIMIT), "b"),
        _line(f"{labels.respondent}: ", cut(labels.who, NAME_LIMIT)),
    ]
    if alert.attributes:
        lines.append(_line("", segment_line(alert.attributes)))
    tail = []
    if alert.owner:
        tail.append(_line(f"{labels.following_up}: ", cut(alert.owner, NAME_LIMIT), "b"))
    if alert.reply:
        tail.append(_line(f"{labels.reply_sent}: ", cut(alert.reply, REPLY_LIMIT), "i"))
    if labels.state_line:
        tail.append(_line("", cut(labels.state_line, REPLY_LIMIT)))
    if alert.comment:
        label = f"{labels.comment}: "
        used = sum(units(plain) + 1 for plain, _ in [*lines, *tail]) + units(label)
        lines.append(_line(label, cut(alert.comment, MESSAGE_LIMIT - used), "i"))
    else:
        lines.append(_line("", labels.no_comment))
    return "\n".join(html for _, html in [*lines, *tail])


def reply_prompt_html(
    *, response_id: int, respondent: str | None, teammate_id: int, teammate: str, team: Words
) -> str:
    """Mentions the teammate (so a selective ForceReply reaches only them) and names the
    response, which `prompted_response` reads back from the message they reply to."""
    whom = cut(respondent, NAME_LIMIT) if respondent else team.t("team.the_respondent")
    ask = team.t("team.reply_to", respondent=whom)
    return f"{_mention(teammate_id, teammate)}, {escape(ask)} (response #{response_id}):"


def note_prompt_html(*, response_id: int, teammate_id: int, teammate: str, team: Words) -> str:
    """After "Resolved": asks the teammate (only them) for an optional note, read back by
    `prompted_note` from the message they reply to."""
    ask = escape(team.t("team.resolve_prompt"))
    return f"{_mention(teammate_id, teammate)}, {ask} (note on response #{response_id}):"


def _mention(teammate_id: int, teammate: str) -> str:
    return f'<a href="tg://user?id={teammate_id}">{escape(cut(teammate, NAME_LIMIT))}</a>'


def prompted_response(prompt: str | None) -> int | None:
    """The response id named by a reply prompt, or None when the text is not one."""
    found = REPLY_PROMPT.search(prompt or "")
    return int(found.group(1)) if found else None


def announce_prompt_html(*, phrase: str, teammate_id: int, teammate: str, team: Words) -> str:
    """The forced reply that asks an admin for an announcement's message; it names the phrase,
    which `prompted_announcement` reads back from the message they reply to."""
    mention = f'<a href="tg://user?id={teammate_id}">{escape(cut(teammate, NAME_LIMIT))}</a>'
    ask = team.t("announce.prompt", phrase=phrase)
    return f'{mention}, {escape(ask)} (announcement: "{escape(phrase)}"):'


def prompted_announcement(prompt: str | None) -> str | None:
    """The phrase named by an announcement prompt, or None when the text is not one."""
    found = ANNOUNCE_PROMPT.search(prompt or "")
    return found.group(1) if found else None


def prompted_note(prompt: str | None) -> int | None:
    """The response id named by a resolution-note prompt, or None when the text is not one."""
    found = NOTE_PROMPT.search(prompt or "")
    return int(found.group(1)) if found else None
