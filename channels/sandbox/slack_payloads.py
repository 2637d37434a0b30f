"""Builders for the payloads Slack sends a bot, shaped like the real ones.

Used for both transports (signed HTTP requests and Socket Mode envelopes) so the two never drift
apart. Shapes follow `platform-payloads/slack_payloads/*.json`.
"""

from __future__ import annotations

import base64
import json
import secrets
import time
from dataclasses import dataclass
from typing import Any

__all__ = [
    "Workspace",
    "access_revoked_event",
    "block_action_payload",
    "event_envelope",
    "message_event",
    "new_trigger_id",
    "slash_command_payload",
    "view_submission_payload",
]


@dataclass(frozen=True, slots=True)
class Workspace:
    """The ids every payload repeats; one value keeps a sandbox's payloads consistent."""

    team_id: str = "T0SANDBOX"
    team_domain: str = "sandbox"
    api_app_id: str = "A0SANDBOX"
    bot_user_id: str = "U0BOT"
    bot_id: str = "B0BOT"
    verification_token: str = "sandboxVerificationToken"


DEFAULT_WORKSPACE = Workspace()


def new_trigger_id() -> str:
    """Return a trigger id in Slack's `<digits>.<digits>.<hex>` form."""
    return f"{secrets.randbelow(10**13)}.{secrets.randbelow(10**13)}.{secrets.token_hex(16)}"


def _now_ts() -> str:
    return f"{time.time():.6f}"


def message_event(
    *,
    user_id: str,
    text: str,
    channel_id: str,
    channel_type: str = "im",
    ts: str | None = None,
    thread_ts: str | None = None,
    workspace: Workspace = DEFAULT_WORKSPACE,
) -> dict[str, Any]:
    """A user's `message` event (message.im by default), as found inside an envelope."""
    ts = ts or _now_ts()
    event: dict[str, Any] = {
        "user": user_id,
        "type": "message",
        "ts": ts,
        "client_msg_id": secrets.token_hex(16),
        "text": text,
        "team": workspace.team_id,
        "blocks": [
            {
                "type": "rich_text",
                "block_id": secrets.token_hex(3),
                "elements": [
                    {"type": "rich_text_section", "elements": [{"type": "text", "text": text}]}
                ],
            }
        ],
        "channel": channel_id,
        "event_ts": ts,
        "channel_type": channel_type,
    }
    if thread_ts:
        event["thread_ts"] = thread_ts
    return event


def access_revoked_event(
    kind: str = "app_uninstalled", *, bot_user_ids: list[str] | None = None
) -> dict[str, Any]:
    """`app_uninstalled`, or `tokens_revoked` naming the revoked bot (and no user) tokens."""
    event: dict[str, Any] = {"type": kind, "event_ts": _now_ts()}
    if kind == "tokens_revoked":
        event["tokens"] = {"oauth": [], "bot": bot_user_ids or [DEFAULT_WORKSPACE.bot_user_id]}
    return event


def event_envelope(
    event: dict[str, Any],
    *,
    event_id: str | None = None,
    event_time: int | None = None,
    workspace: Workspace = DEFAULT_WORKSPACE,
) -> dict[str, Any]:
    """Wrap an event in the Events API `event_callback` envelope (HTTP body or Socket payload)."""
    return {
        "token": workspace.verification_token,
        "team_id": workspace.team_id,
        "context_team_id": workspace.team_id,
        "context_enterprise_id": None,
        "api_app_id": workspace.api_app_id,
        "event": event,
        "type": "event_callback",
        "event_id": event_id or "Ev" + secrets.token_hex(5).upper(),
        "event_time": event_time if event_time is not None else int(time.time()),
        "authorizations": [
            {
                "enterprise_id": None,
                "team_id": workspace.team_id,
                "user_id": workspace.bot_user_id,
                "is_bot": True,
                "is_enterprise_install": False,
            }
        ],
        "is_ext_shared_channel": False,
        "event_context": _event_context(event, workspace),
    }


def _event_context(event: dict[str, Any], workspace: Workspace) -> str:
    """Slack's opaque `event_context`: `4-` and base64 of what the event is about."""
    about = {"et": event.get("type"), "tid": workspace.team_id, "aid": workspace.api_app_id}
    if "channel" in event:
        about["cid"] = event["channel"]
    encoded = base64.urlsafe_b64encode(json.dumps(about, separators=(",", ":")).encode())
    return "4-" + encoded.decode().rstrip("=")


def _user(user_id: str, user_name: str | None, workspace: Workspace) -> dict[str, str]:
    name = user_name or user_id.lower()
    return {"id": user_id, "username": name, "name": name, "team_id": workspace.team_id}


def block_action_payload(
    *,
    user_id: str,
    action_id: str,
    value: str,
    channel_id: str,
    message_ts: str,
    response_url: str,
    block_id: str = "nps",
    trigger_id: str | None = None,
    user_name: str | None = None,
    message_text: str = "",
    message_blocks: list[dict[str, Any]] | None = None,
    workspace: Workspace = DEFAULT_WORKSPACE,
) -> dict[str, Any]:
    """A button click on a bot message (`block_actions`), as in block_actions_dm_button.json."""
    return {
        "type": "block_actions",
        "user": _user(user_id, user_name, workspace),
        "api_app_id": workspace.api_app_id,
        "token": workspace.verification_token,
        "container": {
            "type": "message",
            "message_ts": message_ts,
            "channel_id": channel_id,
            "is_ephemeral": False,
        },
        "trigger_id": trigger_id or new_trigger_id(),
        "team": {"id": workspace.team_id, "domain": workspace.team_domain},
        "enterprise": None,
        "is_enterprise_install": False,
        "channel": {
            "id": channel_id,
            "name": "directmessage" if channel_id.startswith("D") else channel_id.lower(),
        },
        "message": {
            "user": workspace.bot_user_id,
            "type": "message",
            "ts": message_ts,
            "bot_id": workspace.bot_id,
            "app_id": workspace.api_app_id,
            "text": message_text,
            "team": workspace.team_id,
            "blocks": message_blocks or [],
        },
        "state": {"values": {}},
        "response_url": response_url,
        "actions": [
            {
                "action_id": action_id,
                "block_id": block_id,
                "text": {"type": "plain_text", "text": value, "emoji": True},
                "value": value,
                "type": "button",
                "action_ts": _now_ts(),
            }
        ],
    }


def view_submission_payload(
    *,
    user_id: str,
    callback_id: str,
    private_metadata: str,
    values: dict[str, dict[str, Any]],
    view_id: str = "V0SANDBOX",
    trigger_id: str | None = None,
    user_name: str | None = None,
    workspace: Workspace = DEFAULT_WORKSPACE,
) -> dict[str, Any]:
    """A modal submit (`view_submission`).

    `values` maps block_id -> action_id -> value; a plain string becomes a plain_text_input
    state, a dict is used as the element state as-is (e.g. a static_select's selected_option).
    """
    state = {
        block_id: {
            action_id: v if isinstance(v, dict) else {"type": "plain_text_input", "value": v}
            for action_id, v in actions.items()
        }
        for block_id, actions in values.items()
    }
    return {
        "type": "view_submission",
        "team": {"id": workspace.team_id, "domain": workspace.team_domain},
        "user": _user(user_id, user_name, workspace),
        "api_app_id": workspace.api_app_id,
        "token": workspace.verification_token,
        "trigger_id": trigger_id or new_trigger_id(),
        "view": {
            "id": view_id,
            "team_id": workspace.team_id,
            "type": "modal",
            "blocks": [],
            "private_metadata": private_metadata,
            "callback_id": callback_id,
            "state": {"values": state},
            "hash": f"{int(time.time())}.{secrets.token_hex(4)}",
            "title": {"type": "plain_text", "text": "Sandbox", "emoji": True},
            "close": {"type": "plain_text", "text": "Cancel", "emoji": True},
            "submit": {"type": "plain_text", "text": "Send", "emoji": True},
            "clear_on_close": False,
            "notify_on_close": False,
            "previous_view_id": None,
            "root_view_id": view_id,
            "app_id": workspace.api_app_id,
            "external_id": "",
            "app_installed_team_id": workspace.team_id,
            "bot_id": workspace.bot_id,
        },
        "response_urls": [],
        "is_enterprise_install": False,
        "enterprise": None,
    }


def slash_command_payload(
    *,
    user_id: str,
    text: str,
    response_url: str,
    command: str = "/nps",
    channel_id: str = "C0GENERAL",
    channel_name: str = "general",
    user_name: str | None = None,
    trigger_id: str | None = None,
    workspace: Workspace = DEFAULT_WORKSPACE,
) -> dict[str, str]:
    """A slash command's fields; all strings, as Slack form-encodes them."""
    return {
        "token": workspace.verification_token,
        "team_id": workspace.team_id,
        "team_domain": workspace.team_domain,
        "channel_id": channel_id,
        "channel_name": channel_name,
        "user_id": user_id,
        "user_name": user_name or user_id.lower(),
        "command": command,
        "text": text,
        "api_app_id": workspace.api_app_id,
        "is_enterprise_install": "false",
        "response_url": response_url,
        "trigger_id": trigger_id or new_trigger_id(),
    }
