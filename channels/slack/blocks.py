"""Block Kit for the survey itself: the question, the recorded score and the follow-up.

Every button carries the invitation id in its value, so a click is self-describing and the
listener needs no lookup of which message it came from. The question also carries it in its
block ids and its message metadata, so a send whose answer was lost can be found in the DM's
history (`channels.slack.conversations`).
"""

from __future__ import annotations

import re
from typing import Any

from bot.channel import Followup, Question
from channels.slack.text import fit
from channels.templates import encoded

Block = dict[str, Any]

SCORE_ACTION = re.compile(r"^nps_score_(?:[0-9]|10)$")
OPT_OUT_ACTION = "nps_opt_out"
REMIND_ACTION = "nps_remind_later"
SKIP_ACTION = "nps_skip"
INVITATION_EVENT = "npsbot_invitation"
"""The `event_type` of a question's message metadata; its payload holds `invitation_id`."""
SCORE_ROWS = (range(0, 6), range(6, 11))
"""Two rows of buttons: eleven in one row wrap unevenly on phones."""


SECTION_LIMIT = 3000
"""Slack rejects a whole message (`invalid_blocks`) when one section's text is longer."""
FIELD_LIMIT = 2000
FIELDS_PER_SECTION = 10
HEADER_LIMIT = 150
BUTTON_LIMIT = 75
CONTEXT_LIMIT = 3000
MESSAGE_BLOCKS = 50


def section(text: str) -> Block:
    """A mrkdwn section; callers escape what others wrote, this only makes it fit."""
    return {"type": "section", "text": {"type": "mrkdwn", "text": fit(text, SECTION_LIMIT)}}


def fields_sections(fields: list[str]) -> list[Block]:
    """mrkdwn fields, each cut to fit, ten to a section as Block Kit allows."""
    items = [{"type": "mrkdwn", "text": fit(text, FIELD_LIMIT)} for text in fields]
    return [
        {"type": "section", "fields": items[start : start + FIELDS_PER_SECTION]}
        for start in range(0, len(items), FIELDS_PER_SECTION)
    ]


def header(text: str) -> Block:
    plain = {"type": "plain_text", "text": fit(text, HEADER_LIMIT)}
    return {"type": "header", "text": plain}


def context(text: str) -> Block:
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": fit(text, CONTEXT_LIMIT)}]}


def button(label: str, *, action_id: str, value: str, style: str | None = None) -> Block:
    element: Block = {
        "type": "button",
        "text": {"type": "plain_text", "text": fit(label, BUTTON_LIMIT), "emoji": True},
        "action_id": action_id,
        "value": value,
    }
    if style:
        element["style"] = style
    return element


def score_value(invitation_id: int, score: int) -> str:
    return f"{invitation_id}:{score}"


def parse_score_value(value: str) -> tuple[int, int] | None:
    """`"42:8"` -> (42, 8); None for anything a forged or stale payload might carry."""
    invitation, _, score = value.partition(":")
    invitation_id = parse_id(invitation)
    if invitation_id is None or not _ascii_number(score, digits=2):
        return None
    return invitation_id, int(score)


def parse_id(value: str) -> int | None:
    """A database id from a button's value; ASCII digits only, and within BIGINT."""
    return int(value) if _ascii_number(value, digits=18) else None


def _ascii_number(value: str, *, digits: int) -> bool:
    return value.isascii() and value.isdigit() and len(value) <= digits


def question_blocks(question: Question) -> list[Block]:
    """The invitation: question, 0-10 buttons, the scale's labels, opt-out and remind-later."""
    invitation_id = question.invitation_id
    rows = [
        {
            "type": "actions",
            "block_id": f"nps_scores_{invitation_id}_{index}",
            "elements": [
                button(
                    str(score),
                    action_id=f"nps_score_{score}",
                    value=score_value(invitation_id, score),
                )
                for score in row
            ],
        }
        for index, row in enumerate(SCORE_ROWS)
    ]
    return [
        section(question.text),
        *rows,
        context(f"{question.low_label} / {question.high_label}"),
        {
            "type": "actions",
            "block_id": f"nps_more_{invitation_id}",
            "elements": [
                button(question.opt_out_label, action_id=OPT_OUT_ACTION, value=str(invitation_id)),
                button(question.remind_label, action_id=REMIND_ACTION, value=str(invitation_id)),
            ],
        },
    ]


def question_json(question: Question) -> str:
    """`question_blocks` as JSON, which chat.postMessage takes as well as the array (slack_sdk
    passes a string through), encoded once per wording (`channels.templates`)."""
    return encoded(question_blocks, question)


def question_metadata(invitation_id: int) -> Block:
    """Message metadata naming the invitation, read back by `carries_invitation`."""
    return {"event_type": INVITATION_EVENT, "event_payload": {"invitation_id": invitation_id}}


def carries_invitation(message: Block, invitation_id: int) -> bool:
    """Whether a message from `conversations.history` is this invitation's question: by its
    metadata, or by its first row of buttons' block id (a message posted before metadata)."""
    metadata = message.get("metadata") or {}
    payload = metadata.get("event_payload") or {}
    if metadata.get("event_type") == INVITATION_EVENT:
        return str(payload.get("invitation_id")) == str(invitation_id)
    first_row = f"nps_scores_{invitation_id}_0"
    return any(block.get("block_id") == first_row for block in message.get("blocks") or [])


def answered_blocks(question: Question) -> list[Block]:
    """The invitation after a click: the question and the answer, with no buttons left."""
    return [
        section(question.text),
        context(question.answered),
    ]


def followup_blocks(followup: Followup) -> list[Block]:
    """The open question; the answer is simply the person's next DM, so only Skip is a button."""
    invitation_id = followup.invitation_id
    skip = button(followup.skip_label, action_id=SKIP_ACTION, value=str(invitation_id))
    return [
        section(followup.text),
        {"type": "actions", "block_id": f"nps_followup_{invitation_id}", "elements": [skip]},
    ]
