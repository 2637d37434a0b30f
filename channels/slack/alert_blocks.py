"""Block Kit for detractor alerts and the modal that replies to one.

The alert is re-rendered from the core's `Alert` on every change, so the message in the
alerts channel always shows the current owner and reply rather than a history of edits.
"""

from __future__ import annotations

from typing import Any

from bot.channel import Alert, ThreadNote
from bot.i18n import Words
from channels.slack.blocks import (
    FIELDS_PER_SECTION,
    Block,
    button,
    context,
    fields_sections,
    header,
    parse_id,
    section,
)
from channels.slack.text import escape, fit, quote

CLAIM_ACTION = "nps_alert_claim"
REPLY_ACTION = "nps_alert_reply"
REPLY_VIEW = "nps_alert_reply"
RESOLVE_ACTION = "nps_alert_resolve"
RESOLVE_VIEW = "nps_alert_resolve"
REPLY_BLOCK = "nps_reply"
REPLY_INPUT = "text"
THREAD_LIMIT = 2900
"""A relayed message in one section (3,000 characters at most), with room for the name."""
NAME_LIMIT = 200
ATTRIBUTE_KEY_LIMIT = 100
ATTRIBUTE_VALUE_LIMIT = 300
ATTRIBUTES_SHOWN = 3 * FIELDS_PER_SECTION - 2
"""Three sections of fields at most (the first also holds score and respondent): an alert is
read at a glance, and the rest of a long attribute list is counted, not shown."""


def _name(alert: Alert) -> str:
    return escape(fit(alert.labels.who, NAME_LIMIT))


def alert_text(alert: Alert) -> str:
    """The notification line (and the fallback for clients that cannot show blocks)."""
    return escape(fit(alert.labels.notification, 2 * NAME_LIMIT))


def _attribute(key: str, value: str) -> str:
    key = escape(fit(key, ATTRIBUTE_KEY_LIMIT))
    return f"*{key}*\n{escape(fit(value, ATTRIBUTE_VALUE_LIMIT))}"


def alert_blocks(alert: Alert, team: Words) -> list[Block]:
    """Score, who, segment, comment; then who follows up and what they replied.

    Everyone else's words are escaped and every part is cut to Block Kit's limits, so a long
    attribute list or comment never costs the team the alert.
    """
    labels = alert.labels
    attributes = sorted(alert.attributes.items())
    previously = f" ({escape(labels.previously)})" if labels.previously else ""
    fields = [
        f"*{labels.score}*\n{alert.score}/10{previously}",
        f"*{labels.respondent}*\n{_name(alert)}",
    ]
    fields += [_attribute(key, value) for key, value in attributes[:ATTRIBUTES_SHOWN]]
    blocks: list[Block] = [header(labels.title), *fields_sections(fields)]
    hidden = len(attributes) - ATTRIBUTES_SHOWN
    if hidden > 0:
        blocks.append(context(team.t("alert.more_attributes", count=hidden)))
    if alert.comment:
        blocks.append(section(quote(alert.comment)))
    if alert.owner:
        owner_line = escape(fit(alert.labels.owner_line, 2 * NAME_LIMIT))
        blocks.append(context(f":raising_hand: {owner_line}"))
    if alert.reply:
        blocks.append(section(f"*{labels.reply_sent}*\n{escape(fit(alert.reply, THREAD_LIMIT))}"))
    if labels.state_line:
        blocks.append(context(escape(fit(labels.state_line, THREAD_LIMIT))))
    value = str(alert.response_id)
    claim = button(labels.claim, action_id=CLAIM_ACTION, value=value, style="primary")
    buttons = [claim] if not (alert.owner or alert.resolved) else []
    buttons.append(button(labels.reply, action_id=REPLY_ACTION, value=value))
    if not alert.resolved and labels.resolve:
        buttons.append(button(labels.resolve, action_id=RESOLVE_ACTION, value=value))
    blocks.append(
        {"type": "actions", "block_id": f"nps_alert_{alert.response_id}", "elements": buttons}
    )
    return blocks


def thread_blocks(note: ThreadNote) -> list[Block]:
    """A note under an alert; a relayed message carries "Reply", which opens the modal."""
    blocks = [section(escape(fit(note.text, THREAD_LIMIT)))]
    if note.reply:
        reply = button(note.reply, action_id=REPLY_ACTION, value=str(note.response_id))
        blocks.append(
            {"type": "actions", "block_id": f"nps_thread_{note.response_id}", "elements": [reply]}
        )
    return blocks


def reply_modal(response_id: int, team: Words, chat_id: str | None = None) -> Block:
    """The modal behind "Reply"; `private_metadata` carries the response it answers and the
    channel the button was pressed in (Slack keeps it; the submitter cannot change it)."""
    texts = (
        team.t("team.modal_title"),
        team.t("team.modal_send"),
        team.t("team.modal_note"),
        team.t("team.modal_label"),
    )
    return _modal(REPLY_VIEW, response_id, chat_id, team, texts=texts, optional=False)


def resolve_modal(response_id: int, team: Words, chat_id: str | None = None) -> Block:
    """The modal behind "Resolved": an optional note on what was done."""
    texts = (
        team.t("team.resolve_title"),
        team.t("team.resolve_send"),
        team.t("team.resolve_note"),
        team.t("team.resolve_label"),
    )
    return _modal(RESOLVE_VIEW, response_id, chat_id, team, texts=texts, optional=True)


def _modal(
    callback_id: str,
    response_id: int,
    chat_id: str | None,
    team: Words,
    *,
    texts: tuple[str, str, str, str],
    optional: bool,
) -> Block:
    """A one-field modal; `texts` are its title, submit label, note and field label."""
    title, send, note, label = texts
    return {
        "type": "modal",
        "callback_id": callback_id,
        "private_metadata": f"{response_id} {chat_id or ''}".strip(),
        "title": {"type": "plain_text", "text": title},
        "submit": {"type": "plain_text", "text": send},
        "close": {"type": "plain_text", "text": team.t("team.modal_cancel")},
        "blocks": [
            context(note),
            {
                "type": "input",
                "block_id": REPLY_BLOCK,
                "optional": optional,
                "label": {"type": "plain_text", "text": label},
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


def modal_target(view: Block) -> tuple[int | None, str | None]:
    """The response id and channel a reply modal was opened for."""
    response, _, chat_id = str(view.get("private_metadata", "")).partition(" ")
    return parse_id(response), chat_id or None
