"""Slack's App Home: `app_home_opened` in, `views.publish` out, and the Home's buttons.

Bolt acknowledges `app_home_opened` before the listener runs, so Slack hears back at once
however long the report takes. A button in the Home tab carries no `response_url` (there
is no message to answer in), so what the core says to the person arrives as a DM, and the
Home is redrawn afterwards so it shows the new state (claimed, opted out, erased).

Deleting asks first with Slack's own confirmation dialog on the button: the click reaches
the app only after the person chose "Delete", so it is the confirmed request.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncBoltContext
from slack_sdk.web.async_client import AsyncWebClient

from bot.channel import ChannelError, Handler, Recipient
from bot.events import (
    ActorEvent,
    AlertClaimed,
    ExportRequested,
    ForgetRequested,
    HomeOpened,
    OptOutRequested,
    Origin,
)
from bot.home_view import HomeView
from bot.inbound import Receipt
from channels.slack.alert_actions import interaction_origin, slack_origin
from channels.slack.blocks import parse_id
from channels.slack.errors import slack_errors
from channels.slack.home_blocks import (
    HOME_EXPORT,
    HOME_FORGET,
    HOME_OPT_OUT,
    home_chat,
    home_view,
)
from channels.slack.profiles import Directory
from channels.slack.replies import Replies

log = logging.getLogger(__name__)

Payload = dict[str, Any]
ToEvent = Callable[[Origin, str | None], ActorEvent]
Accept = Callable[[ActorEvent], Awaitable["Receipt | ActorEvent"]]
Finish = Callable[["Receipt | ActorEvent"], Awaitable[str | None]]


class HomeListeners:
    """The listeners of the Home tab; registered next to the others."""

    def __init__(
        self,
        *,
        handle: Handler,
        directory: Directory,
        tell: Replies,
        accept: Accept,
        finish: Finish,
    ) -> None:
        """`accept` and `finish` are the listeners' durable front door (`bot.inbound`)."""
        self.handle = handle
        self.tell = tell
        self.directory = directory
        self.accept = accept
        self.finish = finish

    def register(self, app: AsyncApp) -> None:
        app.event("app_home_opened")(self.on_opened)
        app.action(HOME_OPT_OUT)(self._privacy(lambda origin, locale: OptOutRequested(origin)))
        app.action(HOME_EXPORT)(
            self._privacy(lambda origin, locale: ExportRequested(origin, locale))
        )
        app.action(HOME_FORGET)(
            self._privacy(lambda origin, locale: ForgetRequested(origin, True, locale))
        )

    async def on_opened(self, event: Payload, body: Payload, context: AsyncBoltContext) -> None:
        """The Home tab (not the Messages tab) was opened: publish the person's view."""
        if event.get("tab") != "home" or not event.get("user"):
            return
        origin = slack_origin(context, user_id=str(event["user"]), delivery_id=body.get("event_id"))
        await self.redraw(origin, refresh=False)

    async def redraw(self, origin: Origin, *, refresh: bool) -> None:
        try:
            profile = await self.directory.profile(user_id=origin.user_id)
        except ChannelError:
            profile = None
        opened = HomeOpened(
            origin,
            platform_admin=profile is not None and profile.is_admin,
            refresh=refresh,
            locale=profile.locale if profile else None,
        )
        try:
            await self.handle(opened)
        except (ChannelError, LookupError) as exc:
            log.warning("the Home of %s could not be published: %s", origin.user_id, exc)

    def _privacy(self, to_event: ToEvent) -> Callable[..., Awaitable[None]]:
        """A privacy button: durable, acknowledged, done; the answer as a DM, then a redraw."""

        async def pressed(
            ack: AsyncAck, body: Payload, context: AsyncBoltContext, client: AsyncWebClient
        ) -> None:
            origin = interaction_origin(context, body)
            locale = (body.get("user") or {}).get("locale")
            await self.act(to_event(origin, locale), ack=ack, client=client)

        return pressed

    async def act(self, event: ActorEvent, *, ack: AsyncAck, client: AsyncWebClient) -> None:
        receipt = await self.accept(event)
        await ack()
        text = await self.finish(receipt)
        origin = event.origin
        if text:
            await self.tell(origin, text)
        await self.redraw(origin, refresh=True)

    async def claim(
        self, ack: AsyncAck, body: Payload, action: Payload, context: AsyncBoltContext,
        client: AsyncWebClient, name: str | None,
    ) -> None:  # fmt: skip
        """`nps_alert_claim` pressed in the Home: the alert's claim, counted in its team chat."""
        response_id = parse_id(str(action.get("value", "")))
        if response_id is None:
            await ack()
            return
        event = AlertClaimed(
            interaction_origin(context, body),
            response_id,
            name=name,
            chat_id=home_chat(body),
            member=True,
        )
        await self.act(event, ack=ack, client=client)


class HomeTab:
    """Mixed into the Slack adapter: the Channel methods behind the Home and the export."""

    client: AsyncWebClient
    directory: Directory

    async def publish_home(self, *, user_id: str, home: HomeView) -> None:
        with slack_errors(dm=False):
            await self.client.views_publish(user_id=user_id, view=home_view(home))

    async def member_ids(self, *, chat_id: str) -> frozenset[str]:
        return frozenset(await self.directory.member_ids(chat_id=chat_id))

    async def send_file(
        self, *, recipient: Recipient, filename: str, data: bytes, caption: str
    ) -> None:
        """Upload into the person's DM (files.uploadV2 wants a conversation id, so the DM is
        opened first when the core does not know it yet)."""
        with slack_errors(dm=True):
            channel = recipient.chat_id
            if not channel:
                opened = await self.client.conversations_open(users=recipient.user_id)
                channel = str(opened["channel"]["id"])
            await self.client.files_upload_v2(
                channel=channel, content=data, filename=filename, title=filename,
                initial_comment=caption,
            )  # fmt: skip
