"""The one route by which text reaches the person who acted on Slack.

The core answers an actor with text (`Handler`). Every listener hands that text here, and
nowhere else: shown only to them where they clicked or typed, on the interaction's
`response_url`, when it came with one (buttons in messages, `/nps`); else, and when the
`response_url` refuses (used five times, or older than 30 minutes), as a DM through the
adapter's `send_text`, the same send the core's own messages to people take (text cut to
fit, Slack's errors named). The post to the `response_url` shares the adapter's HTTP
connection pool: bolt's `respond` opened a session of its own for every answer.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

import aiohttp
from slack_sdk.errors import SlackClientError
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.webhook.async_client import AsyncWebhookClient

from bot.channel import Recipient
from bot.events import Origin
from channels.slack.text import fit

log = logging.getLogger(__name__)

SendText = Callable[..., Awaitable[None]]
"""The adapter's `send_text(recipient=..., text=...)`."""
EPHEMERAL_LIMIT = 4000
"""Characters of text a response_url post may carry before Slack cuts it (`msg_too_long`)."""


class Replies:
    """`await tell(origin, text, response_url=...)`: the actor's answer, by one route."""

    def __init__(self, *, client: AsyncWebClient, send_text: SendText) -> None:
        self.client = client
        self.send_text = send_text

    async def __call__(
        self, origin: Origin, text: str, *, response_url: str | None = None, command: bool = False
    ) -> None:
        """`command`: a slash command's response_url, where "replace the original" means
        nothing (there is no original message), so it is not sent."""
        if response_url and await self._ephemeral(response_url, text, command=command):
            return
        await self.send_text(recipient=Recipient(user_id=origin.user_id), text=text)

    async def _ephemeral(self, url: str, text: str, *, command: bool) -> bool:
        """Whether Slack showed the text; a refusal is logged and the caller DMs instead."""
        webhook = AsyncWebhookClient(
            url=url, session=self.client.session, timeout=self.client.timeout
        )
        try:
            answer = await webhook.send(
                text=fit(text, EPHEMERAL_LIMIT),
                response_type="ephemeral",
                replace_original=None if command else False,
            )
        except (SlackClientError, aiohttp.ClientError, TimeoutError) as exc:
            log.warning("the response_url could not be reached (%s); answering by DM", exc)
            return False
        if answer.status_code != 200:
            log.warning(
                "the response_url refused (%s %s); answering by DM", answer.status_code, answer.body
            )
            return False
        return True
