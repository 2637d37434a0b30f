"""The bolt listeners of detractor alerts: claim, and the reply and resolve buttons with
their modals.

The channel an action came from goes to the core with the event, which accepts team
actions only from the workspace's own team chats (or an admin).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from slack_bolt.async_app import AsyncAck, AsyncBoltContext
from slack_sdk.web.async_client import AsyncWebClient

from bot.channel import ChannelError, Handler
from bot.events import (
    ActorEvent,
    AlertClaimed,
    AlertReplied,
    AlertReplyStarted,
    CaseResolved,
    Origin,
)
from bot.i18n import Words
from channels.slack.alert_blocks import RESOLVE_VIEW, modal_target
from channels.slack.alert_blocks import reply_text as typed_reply
from channels.slack.blocks import parse_id
from channels.slack.home_blocks import from_home
from channels.slack.profiles import Directory
from channels.slack.replies import Replies

if TYPE_CHECKING:
    from channels.slack.home import HomeListeners

Payload = dict[str, Any]


class AlertActions:
    """Mixed into the listeners, which provide `handle`, `directory`, `team`, `tell` and
    `_act`."""

    handle: Handler
    directory: Directory
    team: Words
    tell: Replies
    home: HomeListeners

    async def _act(self, event: ActorEvent, *, ack: AsyncAck, response_url: str | None) -> None:
        raise NotImplementedError

    async def on_claim(
        self,
        ack: AsyncAck,
        body: Payload,
        action: Payload,
        context: AsyncBoltContext,
        client: AsyncWebClient,
    ) -> None:
        """A claim on the alert, or from the Home tab's open cases (same action, no message
        to answer in: `channels.slack.home`)."""
        if from_home(body):
            await self.home.claim(ack, body, action, context, client, await self._name(body))
            return
        if (response_id := parse_id(str(action.get("value", "")))) is None:
            await ack()
            return
        name = await self._name(body)
        origin = interaction_origin(context, body)
        chat_id = action_channel(body)
        event = AlertClaimed(origin, response_id, name=name, chat_id=chat_id, member=True)
        await self._act(event, ack=ack, response_url=body.get("response_url"))

    def modal_button(
        self, modal: Callable[[int, Words, str | None], Payload]
    ) -> Callable[..., Awaitable[None]]:
        """The listener of a button that opens `modal` ("Reply", "Resolved"): at once (its
        trigger_id is valid for 3 seconds) once the core agrees; the modal carries the
        channel, as a view submission names none."""

        async def pressed(
            ack: AsyncAck,
            body: Payload,
            action: Payload,
            context: AsyncBoltContext,
            client: AsyncWebClient,
        ) -> None:
            await ack()
            if (response_id := parse_id(str(action.get("value", "")))) is None:
                return
            chat_id = action_channel(body)
            origin = interaction_origin(context, body)
            started = AlertReplyStarted(origin, response_id, chat_id=chat_id, member=True)
            if (refused := await self.handle(started)) is not None:
                await self.tell(origin, refused, response_url=body.get("response_url"))
                return
            await client.views_open(
                trigger_id=body["trigger_id"], view=modal(response_id, self.team, chat_id)
            )

        return pressed

    async def on_reply_submitted(
        self,
        ack: AsyncAck,
        body: Payload,
        view: Payload,
        context: AsyncBoltContext,
        client: AsyncWebClient,
    ) -> None:
        """The modal closes on the ack; the outcome reaches the teammate as a DM (a view
        submission has no response_url)."""
        await ack()
        response_id, chat_id = modal_target(view)
        if response_id is None:
            return
        origin = interaction_origin(context, body)
        name = await self._name(body)
        typed = typed_reply(view)
        event: ActorEvent = (
            CaseResolved(origin, response_id, typed, name=name, chat_id=chat_id, member=True)
            if view.get("callback_id") == RESOLVE_VIEW
            else AlertReplied(origin, response_id, typed, name=name, chat_id=chat_id, member=True)
        )
        if reply := await self.handle(event):
            await self.tell(origin, reply)

    async def _name(self, body: Payload) -> str | None:
        """How a teammate is shown on an alert: their display name, else their handle."""
        user = body.get("user") or {}
        try:
            profile = await self.directory.profile(user_id=user["id"])
        except ChannelError:
            profile = None
        if profile is not None and profile.display_name:
            return profile.display_name
        return user.get("name") or user.get("username")


def slack_origin(context: AsyncBoltContext, *, user_id: str, delivery_id: str | None) -> Origin:
    workspace = context.team_id or context.enterprise_id or ""
    return Origin(platform="slack", workspace=workspace, user_id=user_id, delivery_id=delivery_id)


def action_channel(body: Payload) -> str | None:
    """The channel a block action came from; Slack shows channel buttons to its members."""
    channel = (body.get("channel") or {}).get("id")
    return channel or (body.get("container") or {}).get("channel_id")


def interaction_origin(context: AsyncBoltContext, body: Payload) -> Origin:
    return slack_origin(context, user_id=body["user"]["id"], delivery_id=body.get("trigger_id"))
