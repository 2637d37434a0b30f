"""Bolt listeners: Slack payloads in, platform-neutral events out.

Every listener acknowledges first and works afterwards (bolt runs the rest of the listener
after the ack has been answered), so Slack always hears back within its 3 seconds however
slow the database or the Web API is. Whatever text the core returns for the person who acted
is shown to them privately, by one route (`channels.slack.replies`).

Deliveries carry an id the core deduplicates on: the `event_id` for events, which Slack keeps
across its retries, and the `trigger_id` for interactions, which a Socket Mode retry repeats
and a fresh click does not.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Awaitable, Callable

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncBoltContext
from slack_sdk.web.async_client import AsyncWebClient

from bot.admin_parse import announce_phrase
from bot.channel import ChannelError, Handler
from bot.events import (
    AccessRevoked,
    ActorEvent,
    AdminCommand,
    CommentSubmitted,
    FollowupSkipped,
    MembershipChanged,
    OptOutRequested,
    Origin,
    RemindLater,
    ScoreSubmitted,
)
from bot.i18n import Words
from bot.inbound import Inbound, Receipt, Turns
from channels.slack.alert_actions import AlertActions, Payload
from channels.slack.alert_actions import interaction_origin as _interaction_origin
from channels.slack.alert_actions import slack_origin as _origin
from channels.slack.alert_blocks import (
    CLAIM_ACTION,
    REPLY_ACTION,
    REPLY_VIEW,
    RESOLVE_ACTION,
    RESOLVE_VIEW,
    reply_modal,
    resolve_modal,
)
from channels.slack.announce import ANNOUNCE_VIEW, AnnounceActions
from channels.slack.blocks import (
    OPT_OUT_ACTION,
    REMIND_ACTION,
    SCORE_ACTION,
    SKIP_ACTION,
    parse_id,
    parse_score_value,
)
from channels.slack.home import HomeListeners
from channels.slack.mentions import normalise, unescape
from channels.slack.profiles import Directory
from channels.slack.replies import Replies

log = logging.getLogger(__name__)

ToEvent = Callable[[Origin, str], ActorEvent | None]
EventReader = Callable[[AsyncBoltContext, Payload, Payload], ActorEvent | None]
COMMAND = "/nps"
COMMENT_SUBTYPES = (None, "file_share")
"""A DM with a file attached is still the person's comment; edits, joins and bots are not."""


class Listeners(AlertActions, AnnounceActions):
    """The bolt side of the adapter: one listener per kind of payload."""

    def __init__(
        self,
        *,
        handle: Handler,
        directory: Directory,
        team: Words,
        tell: Replies,
        inbound: Inbound | None = None,
    ) -> None:
        self.handle = handle
        self.directory = directory
        self.team = team
        self.tell = tell
        self.inbound = inbound
        self.turns = inbound.turns if inbound is not None else Turns()
        self.home = HomeListeners(
            handle=handle,
            directory=directory,
            tell=tell,
            accept=self._accept,
            finish=self._finish,
        )

    def register(self, app: AsyncApp) -> None:
        self.home.register(app)
        app.action(SCORE_ACTION)(self._button(_score))
        app.action(SKIP_ACTION)(self._button(_skip))
        app.action(OPT_OUT_ACTION)(self._button(_opt_out))
        app.action(REMIND_ACTION)(self._button(_remind_later))
        app.action(CLAIM_ACTION)(self.on_claim)
        app.action(REPLY_ACTION)(self.modal_button(reply_modal))
        app.view(REPLY_VIEW)(self.on_reply_submitted)
        app.view(ANNOUNCE_VIEW)(self.on_announce_submitted)
        app.action(RESOLVE_ACTION)(self.modal_button(resolve_modal))
        app.view(RESOLVE_VIEW)(self.on_reply_submitted)
        app.command(COMMAND)(self.on_command)
        # Bolt acknowledges events before their listener runs, so the event is made durable
        # in listener middleware, which runs first; the listener then finishes it.
        for name, to_event in (
            ("message", _comment),
            ("member_joined_channel", _membership),
            ("member_left_channel", _membership),
            ("app_uninstalled", _access_revoked),
            ("tokens_revoked", _access_revoked),
        ):
            app.event(name, middleware=[self._record_event(to_event)])(self._finish_event)

    # -- the survey ------------------------------------------------------------------------

    def _button(self, to_event: ToEvent) -> Callable[..., Awaitable[None]]:
        """A listener for one survey button; `to_event` reads the button's value."""

        async def clicked(
            ack: AsyncAck, body: Payload, action: Payload, context: AsyncBoltContext
        ) -> None:
            event = to_event(_interaction_origin(context, body), str(action.get("value", "")))
            container = body.get("container") or {}
            if isinstance(event, ScoreSubmitted) and container.get("message_ts"):
                shown = str(container.get("channel_id", "")), str(container["message_ts"])
                event = dataclasses.replace(event, shown_chat=shown[0], shown_message=shown[1])
            if event is None:
                await ack()
                log.warning("%s with a malformed value %r", action.get("action_id"), action)
                return
            await self._act(event, ack=ack, response_url=body.get("response_url"))

        return clicked

    def _record_event(self, to_event: EventReader) -> Callable[..., Awaitable[None]]:
        """Listener middleware: the neutral event made durable before bolt's automatic ack."""

        async def record(
            body: Payload,
            event: Payload,
            context: AsyncBoltContext,
            next: Callable[[], Awaitable[None]],
        ) -> None:
            neutral = to_event(context, body, event)
            if neutral is not None:
                self.turns.begin()  # ended by `_finish_event`, the listener that runs next
                try:
                    context["npsbot_receipt"] = await self._accept(neutral)
                except BaseException:
                    self.turns.end()
                    raise
            await next()

        return record

    async def _finish_event(self, context: AsyncBoltContext) -> None:
        receipt = context.get("npsbot_receipt")
        if receipt is not None:
            try:
                await self._finish(receipt)
            finally:
                self.turns.end()

    # -- audience and admin ----------------------------------------------------------------

    async def on_command(
        self,
        ack: AsyncAck,
        command: Payload,
        context: AsyncBoltContext,
        client: AsyncWebClient,
    ) -> None:
        """`/nps ...`: acked at once, answered ephemerally through the response_url.

        A failure inside the core still gets a one-line answer: a slash command that
        shows nothing leaves the admin guessing whether it ran.
        """
        if (phrase := announce_phrase(normalise(command.get("text") or ""))) is not None:
            await self.start_announcement(
                ack=ack,
                command=command,
                context=context,
                client=client,
                phrase=phrase,
            )
            return
        user_id = command["user_id"]
        origin = _origin(context, user_id=user_id, delivery_id=command.get("trigger_id"))
        event = AdminCommand(
            origin,
            chat_id=command["channel_id"],
            text=normalise(command.get("text") or ""),
            platform_admin=await self._is_platform_admin(user_id),
        )
        with self.turns.turn():
            try:
                receipt = await self._accept(event)
            finally:
                await ack()
            try:
                reply = await self._finish(receipt)
            except Exception:
                log.exception("/nps %r failed", command.get("text"))
                reply = self.team.t("team.command_failed")
            if reply:
                await self.tell(
                    origin, reply, response_url=command.get("response_url"), command=True
                )

    async def _is_platform_admin(self, user_id: str) -> bool:
        """Workspace admins and owners may administer npsbot without being listed."""
        try:
            profile = await self.directory.profile(user_id=user_id)
        except ChannelError:
            log.warning("could not tell whether %s is a workspace admin", user_id)
            return False
        return profile is not None and profile.is_admin

    # -- detractor alerts ------------------------------------------------------------------

    async def _act(self, event: ActorEvent, *, ack: AsyncAck, response_url: str | None) -> None:
        """Durable first, then the ack, then the work and its answer to the actor."""
        with self.turns.turn():
            receipt = await self._accept(event)
            await ack()
            if text := await self._finish(receipt):
                await self.tell(event.origin, text, response_url=response_url)

    async def _accept(self, event: ActorEvent) -> Receipt | ActorEvent:
        """Stored, queued or spooled (see `bot.inbound`); without one, the event itself."""
        return event if self.inbound is None else await self.inbound.accept(event)

    async def _finish(self, receipt: Receipt | ActorEvent) -> str | None:
        if not isinstance(receipt, Receipt):
            return await self.handle(receipt)
        assert self.inbound is not None, "only the inbound hands out receipts"
        return await self.inbound.finish(receipt)


def _score(origin: Origin, value: str) -> ActorEvent | None:
    parsed = parse_score_value(value)
    return ScoreSubmitted(origin, *parsed) if parsed else None


def _skip(origin: Origin, value: str) -> ActorEvent | None:
    invitation_id = parse_id(value)
    return FollowupSkipped(origin, invitation_id) if invitation_id is not None else None


def _opt_out(origin: Origin, value: str) -> ActorEvent | None:
    """Opting out needs no invitation: the person's wish holds whatever they clicked on."""
    return OptOutRequested(origin, parse_id(value))


def _remind_later(origin: Origin, value: str) -> ActorEvent | None:
    invitation_id = parse_id(value)
    return RemindLater(origin, invitation_id) if invitation_id is not None else None


def _comment(context: AsyncBoltContext, body: Payload, event: Payload) -> ActorEvent | None:
    """A person's own DM (or a thread reply in it) is the answer to the follow-up."""
    if (
        event.get("channel_type") != "im"
        or event.get("subtype") not in COMMENT_SUBTYPES
        or event.get("bot_id")
        or not event.get("user")
    ):
        return None
    origin = _origin(context, user_id=event["user"], delivery_id=body.get("event_id"))
    return CommentSubmitted(origin, unescape(str(event.get("text") or "")))


def _membership(context: AsyncBoltContext, body: Payload, event: Payload) -> ActorEvent | None:
    if event.get("user") == context.bot_user_id:
        return None
    origin = _origin(context, user_id=event["user"], delivery_id=body.get("event_id"))
    joined = event["type"] == "member_joined_channel"
    return MembershipChanged(origin, chat_id=event["channel"], joined=joined)


def _access_revoked(context: AsyncBoltContext, body: Payload, event: Payload) -> ActorEvent | None:
    """The app was uninstalled or its bot token revoked (a user token alone is not ours)."""
    if event["type"] == "tokens_revoked" and not (event.get("tokens") or {}).get("bot"):
        return None
    origin = _origin(context, user_id="", delivery_id=body.get("event_id"))
    return AccessRevoked(origin, reason=event["type"])
