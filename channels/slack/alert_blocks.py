"""Block Kit for detractor alerts and the modal that replies to one.

The alert is re-rendered from the core's `Alert` on every change, so the message in the
alerts channel always shows the current owner and reply rather than a history of edits.
"""

from __future__ import annotations

from typing import Any

from bot.channel import Alert
from channels.slack.blocks import Block, button, context, section

CLAIM_ACTION = "nps_alert_claim"
REPLY_ACTION = "nps_alert_reply"
REPLY_VIEW = "nps_alert_reply"
REPLY_BLOCK = "nps_reply"
REPLY_INPUT = "text"
ANONYMOUS = "Anonymous respondent"


def alert_text(alert: Alert) -> str:
    """The notification line (and the fallback for clients that cannot show blocks)."""
    return f"Detractor alert: {alert.respondent or ANONYMOUS} answered {alert.score}/10"


def alert_blocks(alert: Alert) -> list[Block]:
    """Score, who, segment, comment; then who follows up and what they replied."""
    fields = [
        {"type": "mrkdwn", "text": f"*Score*\n{alert.score}/10"},
        {"type": "mrkdwn", "text": f"*Respondent*\n{alert.respondent or ANONYMOUS}"},
    ]
    if alert.attributes:
        segment = ", ".join(f"{key}: {value}" for key, value in sorted(alert.attributes.items()))
        fields.append({"type": "mrkdwn", "text": f"*Segment*\n{segment}"})
    blocks: list[Block] = [
        {
            "type": "header",
            "text": {"type": "plain_text", "text": "Detractor alert", "emoji": True},
        },
        {"type": "section", "fields": fields},
    ]
    if alert.comment:
        blocks.append(section(">" + alert.comment.replace("\n", "\n>")))
    if alert.owner:
        blocks.append(context(f":raising_hand: {alert.owner} is following up"))
    if alert.reply:
        blocks.append(section(f"*Reply sent*\n{alert.reply}"))
    value = str(alert.response_id)
    claim = button("I'll follow up", action_id=CLAIM_ACTION, value=value, style="primary")
    buttons = [claim] if not alert.owner else []
    buttons.append(button("Reply", action_id=REPLY_ACTION, value=value))
    blocks.append(
        {"type": "actions", "block_id": f"nps_alert_{alert.response_id}", "elements": buttons}
    )
    return blocks


def reply_modal(response_id: int) -> Block:
    """The modal behind "Reply"; `private_metadata` carries the response it answers."""
    return {
        "type": "modal",
        "callback_id": REPLY_VIEW,
        "private_metadata": str(response_id),
        "title": {"type": "plain_text", "text": "Reply to respondent"},
        "submit": {"type": "plain_text", "text": "Send"},
        "close": {"type": "plain_text", "text": "Cancel"},
        "blocks": [
            context("Your words reach the respondent as a direct message from npsbot."),
            {
                "type": "input",
                "block_id": REPLY_BLOCK,
                "label": {"type": "plain_text", "text": "Your reply"},
                "element": {
                    "type": "plain_text_input",
                    "action_id": REPLY_INPUT,
                    "multiline": True,
                    "max_length": 3000,
                },
            },
        ],
    }


def reply_text(view: dict[str, Any]) -> str:
    """What was typed into the reply modal."""
    state = view.get("state", {}).get("values", {})
    return str(state.get(REPLY_BLOCK, {}).get(REPLY_INPUT, {}).get("value") or "")
