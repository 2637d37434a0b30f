"""`chat.*`, `views.*` and the files_upload_v2 methods, refusing what Slack refuses.

Every message and view is checked against Block Kit's limits before it is stored, and every
post against channel membership; a refused call leaves no trace but its recorded error.
"""

from __future__ import annotations

import re
import secrets
import time
from collections.abc import Awaitable, Callable
from typing import Any

from channels.sandbox.slack_blockkit import Surface, validate_blocks, validate_view
from channels.sandbox.slack_images import Images
from channels.sandbox.slack_interactivity import Interactivity
from channels.sandbox.slack_records import Json, PostedMessage, UploadedFile
from channels.sandbox.slack_state import SandboxState, SlackError

__all__ = ["MessageMethods"]

EVENT_TYPE = re.compile(r"[A-Za-z0-9_-]+")
UPDATE_TEXT_LIMIT = 4000
"""`chat.update` answers `msg_too_long` past this many characters of text."""


def check_blocks(params: Json) -> None:
    """`invalid_blocks` with Slack's pointers when a message's blocks break a limit."""
    blocks = params.get("blocks")
    if blocks not in (None, "") and (errors := validate_blocks(blocks, surface="message")):
        raise SlackError("invalid_blocks", messages=errors)


def checked_metadata(metadata: Any) -> tuple[Json | None, list[str]]:
    """Message metadata as Slack takes it: `invalid_metadata_format` unless it is an object
    with a string `event_type` and an object `event_payload`; an `event_type` of other than
    letters, digits, `_` and `-` is dropped with an `invalid_metadata_schema` warning."""
    if metadata in (None, ""):
        return None, []
    if not (
        isinstance(metadata, dict)
        and isinstance(metadata.get("event_type"), str)
        and isinstance(metadata.get("event_payload"), dict)
    ):
        raise SlackError("invalid_metadata_format")
    if not EVENT_TYPE.fullmatch(metadata["event_type"]):
        return None, ["invalid_metadata_schema"]
    return {"event_type": metadata["event_type"], "event_payload": metadata["event_payload"]}, []


class MessageMethods:
    """What the bot posts: messages, modals and files."""

    def __init__(
        self, state: SandboxState, *, interactivity: Interactivity, base_url: Callable[[], str]
    ) -> None:
        self.state = state
        self.interactivity = interactivity
        self._base_url = base_url
        self.uploaded_files: list[UploadedFile] = []
        self.pending_files: dict[str, UploadedFile] = {}
        self.images = Images(state, self.uploaded_files)

    @property
    def methods(self) -> dict[str, Callable[[Json], Awaitable[Json]]]:
        return {
            "chat.postMessage": self.chat_post_message,
            "chat.update": self.chat_update,
            "chat.postEphemeral": self.chat_post_ephemeral,
            "chat.getPermalink": self.chat_get_permalink,
            "views.open": self.views_open,
            "views.update": self.views_update,
            "views.publish": self.views_publish,
            "files.getUploadURLExternal": self.files_get_upload_url,
            "files.completeUploadExternal": self.files_complete_upload,
        }

    # -- chat -----------------------------------------------------------------------------

    async def chat_post_message(self, params: Json) -> Json:
        channel = self.state.writable(params.get("channel")).id
        if not params.get("text") and not params.get("blocks"):
            raise SlackError("no_text")
        check_blocks(params)
        if params.get("thread_ts"):
            self.state.thread_parent(channel, params["thread_ts"])
        metadata, warnings = checked_metadata(params.get("metadata"))
        message = PostedMessage(
            channel=channel,
            ts=self.state.next_ts(),
            text=params.get("text"),
            blocks=params.get("blocks"),
            thread_ts=params.get("thread_ts"),
            metadata=metadata,
        )
        self.state.messages.append(message)
        body = {"channel": channel, "ts": message.ts, "message": self.state.message_json(message)}
        if warnings:
            body |= {"warning": ",".join(warnings), "response_metadata": {"warnings": warnings}}
        return body

    async def chat_update(self, params: Json) -> Json:
        channel = self.state.writable(params.get("channel")).id
        message = self.state.find(channel, params.get("ts"))
        if len(str(params.get("text") or "")) > UPDATE_TEXT_LIMIT:
            raise SlackError("msg_too_long")
        check_blocks(params)
        if "text" in params:
            message.text = params["text"]
        if "blocks" in params:
            message.blocks = params["blocks"]
        message.edits += 1
        return {
            "channel": message.channel,
            "ts": message.ts,
            "text": message.text or "",
            "message": self.state.message_json(message),
        }

    async def chat_post_ephemeral(self, params: Json) -> Json:
        conversation = self.state.writable(params.get("channel"))
        user = self.state.user(params.get("user"))["id"]
        if user not in conversation.members:
            raise SlackError("user_not_in_channel")
        check_blocks(params)
        message = PostedMessage(
            channel=conversation.id,
            ts=self.state.next_ts(),
            text=params.get("text"),
            blocks=params.get("blocks"),
            thread_ts=params.get("thread_ts"),
            user=user,
        )
        self.state.ephemerals.append(message)
        return {"message_ts": message.ts}

    async def chat_get_permalink(self, params: Json) -> Json:
        channel = self.state.visible(params.get("channel")).id
        message = self.state.find(channel, params.get("message_ts"))
        link = f"https://{self.state.workspace.team_domain}.slack.com/archives/{channel}/p"
        return {"channel": channel, "permalink": link + message.ts.replace(".", "")}

    # -- views ----------------------------------------------------------------------------

    async def views_open(self, params: Json) -> Json:
        view = self._checked_view(params.get("view"))
        self.interactivity.exchange_trigger(params.get("trigger_id"))
        return {"view": self._store_view(f"V{next(self.state.ids):08d}", view)}

    async def views_update(self, params: Json) -> Json:
        view_id = params.get("view_id") or next(
            (
                key
                for key, stored in self.state.views.items()
                if stored.get("external_id") == params.get("external_id")
            ),
            None,
        )
        if view_id not in self.state.views:
            raise SlackError("not_found")
        return {"view": self._store_view(view_id, self._checked_view(params.get("view")))}

    async def views_publish(self, params: Json) -> Json:
        """A Home tab: only `type: home`, for a user of the workspace, with images Slack can
        show that user (see `slack_images`)."""
        user_id = self.state.user(params.get("user_id"))["id"]
        view = self._checked_view(params.get("view"), types=("home",))
        if errors := await self.images.check(view.get("blocks") or [], viewer=user_id):
            raise SlackError("invalid_arguments", messages=errors)
        return {"view": self._store_view(f"VHOME{user_id}", view)}

    @staticmethod
    def _checked_view(view: Any, *, types: tuple[Surface, ...] = ("modal", "home")) -> Json:
        """Views answer `invalid_arguments` (not `invalid_blocks`), pointing under `/view`."""
        if errors := validate_view(view, types=types):
            raise SlackError("invalid_arguments", messages=errors)
        assert isinstance(view, dict)
        return view

    def _store_view(self, view_id: str, view: Json) -> Json:
        workspace = self.state.workspace
        stored = {
            "id": view_id,
            "team_id": workspace.team_id,
            "state": {"values": {}},
            "hash": f"{int(time.time())}.{secrets.token_hex(4)}",
            "root_view_id": view_id,
            "app_id": workspace.api_app_id,
            "bot_id": workspace.bot_id,
            "external_id": "",
            "private_metadata": "",
            "callback_id": "",
            **view,
        }
        self.state.views[view_id] = stored
        return stored

    # -- files_upload_v2 ------------------------------------------------------------------

    async def files_get_upload_url(self, params: Json) -> Json:
        if not params.get("filename") or not params.get("length"):
            raise SlackError("invalid_arguments")
        file_id = f"F{next(self.state.ids):08d}"
        self.pending_files[file_id] = UploadedFile(file_id=file_id, filename=params["filename"])
        return {"upload_url": f"{self._base_url()}upload/v1/{file_id}", "file_id": file_id}

    async def files_complete_upload(self, params: Json) -> Json:
        specs = params.get("files")
        if not isinstance(specs, list) or not specs:
            raise SlackError("invalid_arguments")
        channel = self.state.writable(params["channel_id"]).id if params.get("channel_id") else None
        done = []
        for spec in specs:
            upload = self.pending_files.pop(spec.get("id"), None)
            if upload is None:
                raise SlackError("file_not_found")
            upload.title = spec.get("title") or upload.filename
            upload.channel = channel
            upload.initial_comment = params.get("initial_comment")
            upload.thread_ts = params.get("thread_ts")
            self.uploaded_files.append(upload)
            done.append(
                {
                    "id": upload.file_id,
                    "name": upload.filename,
                    "title": upload.title,
                    "size": len(upload.data),
                    "created": int(time.time()),
                    "user": self.state.bot,
                    "channels": [channel] if channel else [],
                }
            )
        return {"files": done}
