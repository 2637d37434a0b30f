"""Images in a view, as Slack checks them before it accepts the view.

An `image_url` must be publicly reachable: Slack downloads it when the view is published and
refuses the view with "downloading image failed" when the download fails or is not an image.
A `slack_file` must be an image file the viewer can open (shared in a conversation they are
in); a file uploaded without a channel is the bot's alone, and Slack answers
"invalid slack file" (slackapi/python-slack-sdk#1658).
"""

from __future__ import annotations

from typing import Any

import aiohttp

from channels.sandbox.slack_records import UploadedFile
from channels.sandbox.slack_state import SandboxState

__all__ = ["Images"]

DOWNLOAD_SECONDS = 5.0
IMAGE_TYPES = ("image/png", "image/jpeg", "image/gif")
IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".gif")


class Images:
    """Checks every image block of a view for one viewer."""

    def __init__(self, state: SandboxState, files: list[UploadedFile]) -> None:
        self.state = state
        self.files = files
        self.downloads: list[str] = []

    async def check(self, blocks: list[Any], *, viewer: str) -> list[str]:
        errors: list[str] = []
        for i, block in enumerate(blocks):
            if not isinstance(block, dict) or block.get("type") != "image":
                continue
            path = f"/view/blocks/{i}"
            if "image_url" in block:
                if not await self._downloads(str(block["image_url"])):
                    errors.append(
                        f"[ERROR] downloading image failed [json-pointer:{path}/image_url]"
                    )
            elif not self._can_open(block.get("slack_file") or {}, viewer):
                errors.append(f"[ERROR] invalid slack file [json-pointer:{path}/slack_file]")
        return errors

    async def _downloads(self, url: str) -> bool:
        self.downloads.append(url)
        timeout = aiohttp.ClientTimeout(total=DOWNLOAD_SECONDS)
        try:
            async with aiohttp.ClientSession(timeout=timeout) as session, session.get(url) as got:
                kind = got.headers.get("Content-Type", "").split(";")[0].strip()
                return got.status == 200 and kind in IMAGE_TYPES and bool(await got.read())
        except (aiohttp.ClientError, TimeoutError):
            return False

    def _can_open(self, file: dict[str, Any], viewer: str) -> bool:
        wanted = file.get("id") or ""
        url = str(file.get("url") or "")
        for upload in self.files:
            if upload.file_id != wanted and not (url and upload.file_id in url):
                continue
            if not upload.filename.lower().endswith(IMAGE_SUFFIXES) or upload.channel is None:
                return False
            conversation = self.state.conversations.get(upload.channel)
            return conversation is not None and viewer in conversation.members
        return False
