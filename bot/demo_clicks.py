"""How a simulated customer answers: by pressing the button the platform actually shows.

The button's ids are read off the sandbox's copy of the message, as a client would, so the
demo exercises the same payloads a real click sends.
"""

from __future__ import annotations

from bot.demo_customers import Customer
from bot.models import Invitation
from channels.sandbox.slack import SlackRequestSigner, SlackSandbox
from channels.sandbox.telegram import TelegramSandbox


async def press_slack(
    signer: SlackRequestSigner,
    sandbox: SlackSandbox,
    *,
    url: str,
    invitation: Invitation,
    customer: Customer,
    score: int,
) -> None:
    """Press the score button of the DM as Slack's client would: read it off the message."""
    message = next(
        m for m in sandbox.messages_in(invitation.chat_ref or "") if m.ts == invitation.message_ref
    )
    action_id = f"nps_score_{score}"
    block_id, value = next(
        (block["block_id"], element["value"])
        for block in message.blocks or []
        for element in block.get("elements", [])
        if element.get("action_id") == action_id
    )
    await signer.deliver_block_action(
        url,
        user_id=customer.user_id,
        action_id=action_id,
        value=value,
        channel_id=message.channel,
        message_ts=message.ts,
        block_id=block_id,
    )


def press_telegram(
    sandbox: TelegramSandbox, *, invitation: Invitation, customer: Customer, score: int
) -> None:
    """Press the score button of the private chat's question."""
    user, message_id = int(customer.user_id), int(invitation.message_ref or 0)
    message = next(m for m in sandbox.sent_messages(user) if m["message_id"] == message_id)
    keyboard = message["reply_markup"]["inline_keyboard"]
    data = next(b["callback_data"] for row in keyboard for b in row if b["text"] == str(score))
    sandbox.press_button(user, message_id=message_id, data=data)
