"""Inline keyboards, forced replies and the callback data that comes back from them.

Telegram returns a button's `callback_data` (at most 64 bytes) when it is pressed, so the data
names the action and the record it acts on; the patterns below are what the handlers match.
"""

from __future__ import annotations

from telegram import ForceReply, InlineKeyboardButton, InlineKeyboardMarkup

from bot.channel import Alert, Followup, Question, ThreadNote
from channels.templates import encoded

SCORE = r"^nps:([0-9]{1,18}):([0-9]{1,2})$"
OPT_OUT = r"^optout:([0-9]{1,18})$"
LATER = r"^later:([0-9]{1,18})$"
CLAIM = r"^claim:([0-9]{1,18})$"
REPLY = r"^reply:([0-9]{1,18})$"
RESOLVE = r"^resolve:([0-9]{1,18})$"
FORGET = r"^forget:yes$"


def question_keyboard(question: Question) -> InlineKeyboardMarkup:
    """0-5 and 6-10 on two rows (eleven buttons do not fit one phone row), then the way out."""
    invitation = question.invitation_id
    scores = [
        InlineKeyboardButton(str(score), callback_data=f"nps:{invitation}:{score}")
        for score in range(11)
    ]
    choices = [
        InlineKeyboardButton(question.opt_out_label, callback_data=f"optout:{invitation}"),
        InlineKeyboardButton(question.remind_label, callback_data=f"later:{invitation}"),
    ]
    return InlineKeyboardMarkup([scores[:6], scores[6:], choices])


def question_markup(question: Question) -> str:
    """`question_keyboard` as the JSON sendMessage takes, encoded once per wording
    (`channels.templates`): building PTB's buttons per send cost more than sending."""
    return encoded(_keyboard_dict, question)


def _keyboard_dict(question: Question) -> dict[str, object]:
    return question_keyboard(question).to_dict()


def alert_keyboard(alert: Alert) -> InlineKeyboardMarkup:
    """Claiming is offered until someone has, resolving until it is done; replying stays
    open for follow-ups."""
    labels, response = alert.labels, alert.response_id
    buttons = [InlineKeyboardButton(labels.reply, callback_data=f"reply:{response}")]
    if alert.owner is None and not alert.resolved:
        buttons.insert(0, InlineKeyboardButton(labels.claim, callback_data=f"claim:{response}"))
    if not alert.resolved and labels.resolve:
        buttons.append(InlineKeyboardButton(labels.resolve, callback_data=f"resolve:{response}"))
    return InlineKeyboardMarkup([buttons])


def thread_keyboard(note: ThreadNote) -> InlineKeyboardMarkup | None:
    """A relayed message's "Reply" (replying to the message itself works too)."""
    if note.reply is None:
        return None
    reply = InlineKeyboardButton(note.reply, callback_data=f"reply:{note.response_id}")
    return InlineKeyboardMarkup([[reply]])


def comment_prompt(followup: Followup) -> ForceReply:
    """Opens the reply box under the follow-up question, so answering takes no extra tap."""
    return ForceReply(input_field_placeholder=followup.placeholder)


def team_reply_prompt(placeholder: str) -> ForceReply:
    """Opens the reply box only for the teammate mentioned in the prompt, not the whole group."""
    return ForceReply(selective=True, input_field_placeholder=placeholder)


def forget_keyboard(label: str) -> InlineKeyboardMarkup:
    """The one button that confirms "Delete my data"."""
    return InlineKeyboardMarkup([[InlineKeyboardButton(label, callback_data="forget:yes")]])
