"""Driving a running NpsBot through the Slack sandbox, the way Slack itself would."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlmodel import col, select

from bot import store
from bot.app import NpsBot
from bot.models import Invitation, Respondent, Response
from channels.sandbox.slack import PostedMessage, SlackRequestSigner, SlackSandbox
from channels.sandbox.slack_payloads import message_event
from tests.waits import PATIENCE

TEAM = "T0SANDBOX"


async def eventually(check: Callable[[], Any], timeout: float = PATIENCE) -> Any:
    """Poll until `check()` is truthy (work runs after the ack) and return its value."""
    deadline = time.monotonic() + timeout
    while not (value := check()):
        assert time.monotonic() < deadline, "condition not met in time"
        await asyncio.sleep(0.02)
    return value


def button(message: PostedMessage, action_id: str) -> tuple[str, str]:
    """(block_id, value) of a button in a posted message, as a client would click it."""
    for block in message.blocks or []:
        for element in block.get("elements", []):
            if element.get("action_id") == action_id:
                return block["block_id"], element["value"]
    raise AssertionError(f"no button {action_id!r} in {message.blocks!r}")


async def click(
    signer: SlackRequestSigner,
    url: str,
    message: PostedMessage,
    action_id: str,
    *,
    user_id: str = "U1",
    trigger_id: str | None = None,
    **signing: Any,
) -> int:
    """Click a button of a posted message, as Slack delivers it to the bot at `url`."""
    block_id, value = button(message, action_id)
    status, _ = await signer.deliver_block_action(
        url,
        user_id=user_id,
        action_id=action_id,
        value=value,
        channel_id=message.channel,
        message_ts=message.ts,
        block_id=block_id,
        trigger_id=trigger_id,
        **signing,
    )
    return status


def action_ids(message: PostedMessage) -> list[str]:
    """Every button left on a message, in order."""
    return [
        element["action_id"]
        for block in message.blocks or []
        if block["type"] == "actions"
        for element in block["elements"]
    ]


def has_buttons(message: PostedMessage) -> bool:
    return bool(action_ids(message))


@dataclass
class SlackHarness:
    """A started bot, its sandbox, and a signer that posts to the bot's /slack/events."""

    bot: NpsBot
    sandbox: SlackSandbox
    signer: SlackRequestSigner

    async def settled(self) -> None:
        """Every delivery handled to its reply and its jobs run: then "nothing else happened"
        can be asserted (the work runs after the ack)."""
        await self.bot.inbound.settled()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.bot.port}/slack/events"

    async def posted_alert(self, channel: str = "C0ALERTS") -> PostedMessage:
        """The first alert in `channel` once the bot has recorded it (where it lives, its case
        opened): the post is visible a moment before that, and a teammate's click in that
        moment would find no case."""

        def recorded() -> PostedMessage | None:
            posted = self.sandbox.messages_in(channel)
            refs = {response.alert_ref for response in self.responses()}
            return posted[0] if posted and posted[0].ts in refs else None

        alert: PostedMessage = await eventually(recorded)
        return alert

    def add_respondent(
        self, user_id: str = "U1", *, display_name: str | None = None, **attributes: str
    ) -> int:
        with self.bot.db.session() as session:
            workspace = store.get_or_create_workspace(
                session=session, platform="slack", external_id=TEAM, now=self.bot.clock.now()
            )
            respondent = store.upsert_respondent(
                session=session,
                workspace=workspace,
                platform_user_id=user_id,
                now=self.bot.clock.now(),
                attributes=attributes,
                display_name=display_name,
            )
            return respondent.id or 0

    async def invite(
        self, user_id: str = "U1", *, display_name: str | None = None, **attributes: str
    ) -> tuple[int, PostedMessage]:
        """Add a respondent and invite them now; returns the invitation and its message.

        `force` skips the send window and gaps: these tests are about Slack, not fatigue.
        """
        respondent_id = self.add_respondent(user_id, display_name=display_name, **attributes)
        result = await self.bot.dispatcher.invite_now(respondent_id=respondent_id, force=True)
        assert result.sent, result.reason
        with self.bot.db.session() as session:
            invitation = session.exec(
                select(Invitation)
                .where(Invitation.respondent_id == respondent_id)
                .order_by(col(Invitation.id).desc())
            ).first()
        assert invitation is not None and invitation.id is not None
        return invitation.id, self.sandbox.messages_in(invitation.chat_ref or "")[-1]

    async def click(
        self,
        message: PostedMessage,
        action_id: str,
        *,
        user_id: str = "U1",
        trigger_id: str | None = None,
        **signing: Any,
    ) -> int:
        return await click(
            self.signer,
            self.url,
            message,
            action_id,
            user_id=user_id,
            trigger_id=trigger_id,
            **signing,
        )

    async def say(self, text: str, *, user_id: str = "U1", **delivery: Any) -> int:
        """The person types a DM to the bot (a message.im event)."""
        event = message_event(user_id=user_id, text=text, channel_id=f"D{user_id}")
        status, _ = await self.signer.deliver_event(self.url, event, **delivery)
        return status

    async def event(self, event: dict[str, Any], **delivery: Any) -> int:
        status, _ = await self.signer.deliver_event(self.url, event, **delivery)
        return status

    async def command(
        self,
        text: str,
        *,
        user_id: str,
        channel_id: str = "C0GENERAL",
        timeout: float = PATIENCE,
    ) -> str:
        """Run `/nps text` and return the ephemeral answer posted to its response_url."""
        before = len(self.sandbox.response_url_posts)
        status, body = await self.signer.deliver_slash_command(
            self.url, user_id=user_id, text=text, channel_id=channel_id
        )
        assert (status, body) == (200, "")
        posts = await eventually(lambda: self.sandbox.response_url_posts[before:], timeout)
        assert posts[0].body.get("response_type") == "ephemeral"
        return str(posts[0].body["text"])

    def responses(self) -> list[Response]:
        with self.bot.db.session() as session:
            return list(session.exec(select(Response).order_by(col(Response.id))).all())

    def respondents(self) -> list[Respondent]:
        with self.bot.db.session() as session:
            return list(session.exec(select(Respondent).order_by(col(Respondent.id))).all())

    def dm_texts(self, user_id: str = "U1") -> list[str]:
        return [m.text or "" for m in self.sandbox.messages_in(f"D{user_id}")]
