"""What the Slack adapter posts into the team's channels: alerts and their threads, digests
and their charts. A mixin of `SlackAdapter`, which supplies the Web API client and the
post, update and error plumbing every message shares."""

from __future__ import annotations

from contextlib import AbstractAsyncContextManager
from typing import TYPE_CHECKING, Any

from slack_sdk.web.async_client import AsyncWebClient

from bot.channel import Alert, MessageRef, ThreadNote
from channels.slack.alert_blocks import alert_blocks, alert_text, thread_blocks
from channels.slack.digest_blocks import render_digest_blocks
from scoring.digest import wording as say

if TYPE_CHECKING:
    from bot.i18n import Catalogue
    from scoring.digest import Digest

CHART_FILENAME = "nps-trend.png"


class TeamPosts:
    """Alerts, their threads and the digest, each through the adapter's `_post`/`_update`."""

    client: AsyncWebClient
    catalogue: Catalogue

    async def _post(
        self,
        chat_id: str,
        *,
        text: str,
        blocks: list[dict[str, Any]] | None = None,
        dm: bool,
        thread_ts: str | None = None,
    ) -> MessageRef:
        raise NotImplementedError

    async def _update(
        self, ref: MessageRef, *, text: str, blocks: list[dict[str, Any]], dm: bool
    ) -> None:
        raise NotImplementedError

    def _errors(self, chat_id: str, *, dm: bool) -> AbstractAsyncContextManager[None]:
        raise NotImplementedError

    async def post_alert(self, *, chat_id: str, alert: Alert) -> MessageRef | None:
        blocks = alert_blocks(alert, self.catalogue.team)
        return await self._post(chat_id, text=alert_text(alert), blocks=blocks, dm=False)

    async def update_alert(self, *, ref: MessageRef, alert: Alert) -> None:
        blocks = alert_blocks(alert, self.catalogue.team)
        await self._update(ref, text=alert_text(alert), blocks=blocks, dm=False)

    async def post_under_alert(self, *, alert: MessageRef, note: ThreadNote) -> MessageRef | None:
        """In the alert's thread, so the case's story reads in one place."""
        return await self._post(
            alert.chat_id,
            text=note.text,
            blocks=thread_blocks(note),
            dm=False,
            thread_ts=alert.message_id,
        )

    async def post_digest(self, *, chat_id: str, digest: Digest, chart_png: bytes) -> None:
        team = self.catalogue.team
        text, blocks = render_digest_blocks(digest, team)
        await self._post(chat_id, text=text, blocks=blocks or None, dm=False)
        if chart_png:
            await self.post_image(
                chat_id=chat_id, png=chart_png, title=say.chart_title(team, digest)
            )

    async def post_image(
        self, *, chat_id: str, png: bytes, title: str, initial_comment: str | None = None
    ) -> None:
        """Upload a PNG into a channel (files.getUploadURLExternal, upload, complete)."""
        async with self._errors(chat_id, dm=False):
            await self.client.files_upload_v2(
                channel=chat_id,
                content=png,
                filename=CHART_FILENAME,
                title=title,
                initial_comment=initial_comment,
            )
