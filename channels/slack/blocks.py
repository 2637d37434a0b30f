"""Block Kit for the survey itself: the question, the recorded score and the follow-up.

Every button carries the invitation id in its value, so a click is self-describing and the
listener needs no lookup of which message it came from.
"""

from __future__ import annotations

import re
from typing import Any

from bot.channel import Followup, Question

Block = dict[str, Any]

SCORE_ACTION = re.compile(r"^nps_score_(?:[0-9]|10)$")
OPT_OUT_ACTION = "nps_opt_out"
REMIND_ACTION = "nps_remind_later"
SKIP_ACTION = "nps_skip"
SCORE_ROWS = (range(0, 6), range(6, 11))
"""Two rows of buttons: eleven in one row wrap unevenly on phones."""


SECTION_LIMIT = 3000
"""Slack rejects a whole message (`invalid_blocks`) when one section's text is longer."""


def section(text: str) -> Block:
    if len(text) > SECTION_LIMIT:
        text = text[: SECTION_LIMIT - 1] + "…"
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}}


def context(text: str) -> Block:
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": text}]}


def button(label: str, *, action_id: str, value: str, style: str | None = None) -> Block:
    element: Block = {
        "type": "button",
        "text": {"type": "plain_text", "text": label, "emoji": True},
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
    if not (invitation.isdigit() and score.isdigit()):
        return None
    return int(invitation), int(score)


def parse_id(value: str) -> int | None:
    return int(value) if value.isdigit() else None


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
