"""The Slack adapter: the core's `Channel` on top of bolt's `AsyncApp`.

One app serves both connection modes. With a signing secret it answers signed HTTP requests
(Events API, interactivity and slash commands on one URL); with an app-level token it also
holds a Socket Mode connection, which slack_sdk re-opens when it drops. Every Web API call,
bolt's own included, goes through one client pointed at `settings.api_url`, so the
sandbox can stand in for Slack and no call ever escapes to the real one.
"""

from __future__ import annotations

import logging
from contextlib import AbstractAsyncContextManager
from datetime import datetime
from typing import TYPE_CHECKING, Any

import aiohttp
from pydantic import SecretStr
from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
from slack_bolt.adapter.starlette.async_handler import AsyncSlackRequestHandler
from slack_bolt.async_app import AsyncApp
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from bot.channel import (
    Adapter,
    Followup,
    Handler,
    Identity,
    MessageRef,
    Profile,
    Question,
    Recipient,
)
from channels.slack.blocks import (
    answered_blocks,
    followup_blocks,
    question_json,
    question_metadata,
)
from channels.slack.conversations import check_can_post, dm_of, find_question
from channels.slack.dnd import DoNotDisturb
from channels.slack.errors import named_errors
from channels.slack.home import HomeTab
from channels.slack.listeners import Listeners
from channels.slack.profiles import Directory
from channels.slack.replies import Replies
from channels.slack.signature import SignedOnly
from channels.slack.team_posts import TeamPosts
from channels.slack.text import fit
from channels.slack.web_client import build_web_client, configure, no_429_wait

if TYPE_CHECKING:
    from bot.clock import Clock
    from bot.i18n import Catalogue
    from bot.inbound import Inbound
    from bot.settings import SlackSettings

EVENTS_PATH = "/slack/events"
TEXT_LIMIT = 4000
"""A message's fallback text: chat.update refuses longer ones (`msg_too_long`)."""


log = logging.getLogger(__name__)


class SlackAdapter(HomeTab, TeamPosts, Adapter):
    """Slack through bolt: Block Kit out, neutral events in."""

    platform = "slack"
    reads_history = True

    def __init__(
        self,
        *,
        settings: SlackSettings,
        handle: Handler,
        clock: Clock,
        catalogue: Catalogue,
        inbound: Inbound | None = None,
    ) -> None:
        super().__init__(handle=handle, clock=clock, catalogue=catalogue)
        self.settings = settings
        self.inbound = inbound
        token = _reveal(settings.bot_token)
        if token is None:
            raise ValueError("SLACK_BOT_TOKEN is required for the Slack adapter")
        # The token goes to bolt, which builds the client (passing a client of our own while
        # SLACK_BOT_TOKEN is in the environment makes bolt warn that the token is unused).
        # bolt's own signature check would verify each request a second time: the Events
        # URL is served only behind `SignedOnly`, and Socket Mode needs no signature.
        self.app = AsyncApp(
            token=token,
            signing_secret=_reveal(settings.signing_secret),
            process_before_response=False,
            request_verification_enabled=False,
        )
        self.client = self.app.client

        def on_429(method: str) -> None:
            self.observe_429(method)

        configure(self.client, base_url=settings.api_url, on_429=on_429)
        self._lookups = build_web_client(
            token=token, base_url=settings.api_url, wait_out_429=False, on_429=on_429
        )
        self._dnd = DoNotDisturb(lookups=self._lookups, clock=clock)
        self.directory = Directory(client=self.client, clock=clock)
        Listeners(
            handle=handle,
            directory=self.directory,
            team=catalogue.team,
            tell=Replies(client=self.client, send_text=self.send_text),
            inbound=inbound,
        ).register(self.app)
        self._http = AsyncSlackRequestHandler(self.app)
        secret = _reveal(settings.signing_secret)
        self._signed = SignedOnly(secret) if secret else None
        self._socket: AsyncSocketModeHandler | None = None

    # -- running ---------------------------------------------------------------------------

    async def start(self) -> None:
        """Share one HTTP connection pool; open Socket Mode when an app token is configured."""
        if self.client.session is None:
            # Without a shared session slack_sdk opens a connection per call, which caps a
            # dispatch pass well below the platform's rate.
            self.client.session = aiohttp.ClientSession(
                timeout=aiohttp.ClientTimeout(total=self.client.timeout)
            )
            self._lookups.session = self.client.session
        app_token = _reveal(self.settings.app_token)
        if app_token is None or self._socket is not None:
            return
        # Built here, not in __init__: the socket client binds to the running event loop.
        # It calls apps.connections.open through `self.client`, so the sandbox's URL holds.
        self._socket = AsyncSocketModeHandler(self.app, app_token, web_client=self.client)
        await self._socket.connect_async()

    async def identify(self) -> Identity:
        me = await self.directory.whoami()
        return Identity(workspace=str(me["team_id"]), name=str(me.get("team") or ""))

    async def stop(self) -> None:
        socket, self._socket = self._socket, None
        if socket is not None:
            await socket.close_async()
        session, self.client.session = self.client.session, None
        self._lookups.session = None
        if session is not None:
            await session.close()

    async def connection_problem(self) -> str | None:
        """Socket Mode must hold its connection; HTTP mode waits for Slack's requests."""
        if self.settings.app_token is None:
            return None if self.client.session is not None else "not started"
        if self._socket is None or not await self._socket.client.is_connected():
            return "Socket Mode is not connected"
        return None

    def routes(self) -> list[BaseRoute]:
        """`POST /slack/events`, served only when requests can be verified (a signing secret)."""
        if _reveal(self.settings.signing_secret) is None:
            return []
        return [Route(EVENTS_PATH, self._events, methods=["POST"])]

    async def _events(self, request: Request) -> Response:
        """Only what Slack signed reaches bolt (`channels.slack.signature`)."""
        assert self._signed is not None  # the route is served only with a signing secret
        return await self._signed.refusal(request) or await self._http.handle(request)

    # -- the survey ------------------------------------------------------------------------

    async def send_question(self, *, recipient: Recipient, question: Question) -> MessageRef:
        """A 429 is raised at once (`no_429_wait`): the dispatcher waits with the row released."""
        with no_429_wait():
            return await self._post(
                dm_of(recipient),
                text=question.text,
                blocks=question_json(question),
                dm=True,
                metadata=question_metadata(question.invitation_id),
            )

    async def show_score(self, *, ref: MessageRef, question: Question, score: int) -> None:
        await self._update(
            ref,
            text=f"{question.text} {question.answered}",
            blocks=answered_blocks(question),
            dm=True,
        )

    async def ask_followup(
        self, *, recipient: Recipient, ref: MessageRef, followup: Followup
    ) -> None:
        blocks = followup_blocks(followup)
        await self._post(ref.chat_id, text=followup.text, blocks=blocks, dm=True)

    async def send_text(self, *, recipient: Recipient, text: str) -> None:
        await self._post(dm_of(recipient), text=text, dm=True)

    # -- people ----------------------------------------------------------------------------

    async def fetch_profile(self, *, user_id: str) -> Profile | None:
        return await self.directory.profile(user_id=user_id)

    async def busy_until(self, *, user_id: str) -> datetime | None:
        return await self._dnd.busy_until(user_id=user_id)

    async def channel_members(self, *, chat_id: str) -> list[Profile]:
        return await self.directory.humans_in(chat_id=chat_id)

    async def check_can_post(self, *, chat_id: str) -> None:
        bot_name = await self.directory.bot_name()
        await check_can_post(
            self.client, chat_id=chat_id, bot_name=bot_name, words=self.catalogue.team
        )

    async def find_question(
        self, *, recipient: Recipient, invitation_id: int, since: datetime, until: datetime
    ) -> MessageRef | None:
        """Read the DM's history for it; a 429 is raised at once (`RateLimited`)."""
        return await find_question(
            self._lookups,
            recipient=recipient,
            invitation_id=invitation_id,
            since=since,
            until=until,
        )

    # -- Web API plumbing ------------------------------------------------------------------

    async def _post(
        self,
        chat_id: str,
        *,
        text: str,
        blocks: list[dict[str, Any]] | str | None = None,
        dm: bool,
        thread_ts: str | None = None,
        metadata: dict[str, Any] | None = None,
    ) -> MessageRef:
        async with self._errors(chat_id, dm=dm):
            posted = await self.client.chat_postMessage(
                channel=chat_id,
                text=fit(text, TEXT_LIMIT),
                blocks=blocks,
                thread_ts=thread_ts,
                metadata=metadata,
            )
        return MessageRef(chat_id=str(posted["channel"]), message_id=str(posted["ts"]))

    async def _update(
        self, ref: MessageRef, *, text: str, blocks: list[dict[str, Any]], dm: bool
    ) -> None:
        async with self._errors(ref.chat_id, dm=dm):
            await self.client.chat_update(
                channel=ref.chat_id, ts=ref.message_id, text=fit(text, TEXT_LIMIT), blocks=blocks
            )

    def _errors(self, chat_id: str, *, dm: bool) -> AbstractAsyncContextManager[None]:
        return named_errors(self.directory.bot_name, chat_id, dm=dm, words=self.catalogue.team)


def _reveal(secret: SecretStr | None) -> str | None:
    """The secret's value; an empty one (a blank environment variable) counts as unset."""
    return (secret.get_secret_value() if secret is not None else None) or None
