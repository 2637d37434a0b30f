"""The payloads of the App Home, shaped like Slack's: `app_home_opened` and a Home button.

`app_home_opened` (Events API) names the user, their DM with the app and the tab; once a
Home view was published for them, it also carries that view. A button pressed in the Home
tab is a `block_actions` whose container is the view (no channel, no message, and no
`response_url`: there is nothing to answer in), with the whole published view attached.
"""

from __future__ import annotations

import time
from typing import Any

from channels.sandbox.slack_payloads import DEFAULT_WORKSPACE, Workspace, new_trigger_id

__all__ = ["app_home_opened_event", "home_action_payload", "home_button"]

Json = dict[str, Any]


def app_home_opened_event(*, user_id: str, tab: str = "home", view: Json | None = None) -> Json:
    """The event inside the envelope, as in Slack's app_home_opened reference."""
    event: Json = {
        "type": "app_home_opened",
        "user": user_id,
        "channel": f"D{user_id}",
        "tab": tab,
        "event_ts": f"{time.time():.6f}",
    }
    if view is not None and tab == "home":
        event["view"] = view
    return event


def home_button(view: Json, action_id: str) -> tuple[str, Json]:
    """(block_id, element) of a button on a published Home view, as a client would press it;
    LookupError when the view has no such button."""
    for block in view.get("blocks") or []:
        elements = list(block.get("elements") or [])
        if "accessory" in block:
            elements.append(block["accessory"])
        for element in elements:
            if element.get("type") == "button" and element.get("action_id") == action_id:
                return str(block.get("block_id") or ""), element
    raise LookupError(f"no button {action_id!r} on the Home view")


def home_action_payload(
    *,
    user_id: str,
    action_id: str,
    view: Json,
    value: str | None = None,
    trigger_id: str | None = None,
    workspace: Workspace = DEFAULT_WORKSPACE,
) -> Json:
    """A button pressed in the Home tab (`block_actions` from a `view` container)."""
    block_id, element = home_button(view, action_id)
    name = user_id.lower()
    return {
        "type": "block_actions",
        "user": {"id": user_id, "username": name, "name": name, "team_id": workspace.team_id},
        "api_app_id": workspace.api_app_id,
        "token": workspace.verification_token,
        "container": {"type": "view", "view_id": view["id"]},
        "trigger_id": trigger_id or new_trigger_id(),
        "team": {"id": workspace.team_id, "domain": workspace.team_domain},
        "enterprise": None,
        "is_enterprise_install": False,
        "view": view,
        "state": {"values": {}},
        "actions": [
            {
                "action_id": action_id,
                "block_id": block_id,
                "text": element["text"],
                "value": element.get("value", "") if value is None else value,
                "type": "button",
                "action_ts": f"{time.time():.6f}",
            }
        ],
    }
