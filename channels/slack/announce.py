"""`/nps announce "<phrase>" send` on Slack: the modal the admin writes the message in.

The slash command's trigger_id opens it (valid for 3 seconds, so the core only checks that
someone is to be told first); the modal carries the phrase, and its submission reaches the
core as `AnnouncementWritten`, whose answer the admin gets as a DM.
"""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncBoltContext
from slack_sdk.web.async_client import AsyncWebClient

from bot.channel import Handler
from bot.events import AnnouncementStarted, AnnouncementWritten
from bot.i18n import Words
from channels.slack.alert_actions import interaction_origin, slack_origin
from channels.slack.blocks import Block, context
from channels.slack.replies import Replies

ANNOUNCE_VIEW = "nps_announce"
ANNOUNCE_BLOCK = "nps_announce_text"
ANNOUNCE_INPUT = "text"
Payload = dict[str, Any]


def announce_modal(phrase: str, team: Words) -> Block:
    """`private_metadata` holds the phrase (at most 200 characters, well within Slack's 3000)."""
    return {
        "type": "modal",
        "callback_id": ANNOUNCE_VIEW,
        "private_metadata": phrase,
        "title": {"type": "plain_text", "text": team.t("announce.modal_title")},
        "submit": {"type": "plain_text", "text": team.t("team.modal_send")},
        "close": {"type": "plain_text", "text": team.t("team.modal_cancel")},
        "blocks": [
            context(team.t("announce.modal_note", phrase=phrase)),
            {
                "type": "input",
                "block_id": ANNOUNCE_BLOCK,
                "label": {"type": "plain_text", "text": team.t("announce.modal_label")},
                "element": {
                    "type": "plain_text_input",
                    "action_id": ANNOUNCE_INPUT,
                    "multiline": True,
                    "max_length": 3000,
                },
            },
        ],
    }


class AnnounceActions:
    """Mixed into the listeners, which provide `handle`, `team`, `tell` and the admin check."""

    handle: Handler
    team: Words
    tell: Replies

    async def _is_platform_admin(self, user_id: str) -> bool:
        raise NotImplementedError

    async def start_announcement(
        self,
        *,
        ack: AsyncAck,
        command: Payload,
        context: AsyncBoltContext,
        client: AsyncWebClient,
        phrase: str,
    ) -> None:
        await ack()
        user_id = command["user_id"]
        admin = await self._is_platform_admin(user_id)
        origin = slack_origin(context, user_id=user_id, delivery_id=command.get("trigger_id"))
        started = AnnouncementStarted(origin, phrase=phrase, platform_admin=admin)
        if (refused := await self.handle(started)) is not None:
            await self.tell(origin, refused, response_url=command.get("response_url"), command=True)
            return
        await client.views_open(
            trigger_id=command["trigger_id"], view=announce_modal(phrase, self.team)
        )

    async def on_announce_submitted(
        self,
        ack: AsyncAck,
        body: Payload,
        view: Payload,
        context: AsyncBoltContext,
        client: AsyncWebClient,
    ) -> None:
        """The modal closes on the ack; the outcome reaches the admin as a DM."""
        await ack()
        origin = interaction_origin(context, body)
        state = view.get("state", {}).get("values", {})
        text = str(state.get(ANNOUNCE_BLOCK, {}).get(ANNOUNCE_INPUT, {}).get("value") or "")
        user = body.get("user") or {}
        event = AnnouncementWritten(
            origin,
            phrase=str(view.get("private_metadata", "")),
            text=text,
            name=user.get("name") or user.get("username"),
            platform_admin=await self._is_platform_admin(origin.user_id),
        )
        if reply := await self.handle(event):
            await self.tell(origin, reply)
