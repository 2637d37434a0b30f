"""Payloads the issue names, through bolt: uninstalls, comments with files, hostile text."""

from __future__ import annotations

import json
import time
from collections.abc import AsyncIterator

import pytest
from slack_bolt.request.async_request import AsyncBoltRequest

from bot.clock import SystemClock
from bot.events import AccessRevoked, CommentSubmitted, Event
from bot.settings import Settings
from channels.sandbox._signing import sign_request
from channels.sandbox.slack import SlackSandbox
from channels.sandbox.slack_payloads import access_revoked_event, event_envelope, message_event
from channels.slack import SlackAdapter
from tests.channels.slack.harness import SlackHarness, eventually
from tests.phrases import CATALOGUE

SECRET = "secret"


@pytest.fixture
async def bare() -> AsyncIterator[SlackSandbox]:
    """A sandbox of its own (the harness's `sandbox` serves the running bot)."""
    async with SlackSandbox() as sb:
        sb.add_user("U1")
        yield sb


async def dispatch(
    sandbox: SlackSandbox, *events: dict[str, object], reaching: int = 1
) -> list[Event]:
    """Signed Events API requests through bolt's AsyncApp into the adapter's listeners, in
    order; returns once `reaching` neutral events have reached the core."""
    seen: list[Event] = []

    async def record(neutral: Event) -> str | None:
        seen.append(neutral)
        return None

    settings = Settings(
        SLACK_BOT_TOKEN=sandbox.bot_token,
        SLACK_SIGNING_SECRET=SECRET,
        NPSBOT_SLACK_API_URL=sandbox.api_url,
    )
    adapter = SlackAdapter(
        settings=settings.slack, handle=record, clock=SystemClock(), catalogue=CATALOGUE
    )
    for event in events:
        body = json.dumps(event_envelope(event, workspace=sandbox.workspace))
        ts = int(time.time())
        signature = sign_request(signing_secret=SECRET, timestamp=ts, body=body.encode())
        headers = {
            "content-type": "application/json",
            "x-slack-request-timestamp": str(ts),
            "x-slack-signature": signature,
        }
        response = await adapter.app.async_dispatch(AsyncBoltRequest(body=body, headers=headers))
        assert response.status == 200
    await eventually(lambda: len(seen) >= reaching, timeout=2)
    return seen


@pytest.mark.parametrize("kind", ["app_uninstalled", "tokens_revoked"])
async def test_access_revoked_reaches_the_core(bare: SlackSandbox, kind: str) -> None:
    bare.revoke_token()  # bolt must not need auth.test for these
    (event,) = await dispatch(bare, access_revoked_event(kind))
    assert isinstance(event, AccessRevoked)
    assert (event.origin.workspace, event.reason) == (bare.workspace.team_id, kind)


async def test_revoked_user_tokens_alone_are_not_ours(bare: SlackSandbox) -> None:
    users_only = access_revoked_event("tokens_revoked")
    users_only["tokens"] = {"oauth": ["U1"], "bot": []}
    seen = await dispatch(bare, users_only, access_revoked_event("app_uninstalled"))
    assert [e.reason for e in seen if isinstance(e, AccessRevoked)] == ["app_uninstalled"]


async def test_a_comment_with_a_file_is_still_a_comment(bare: SlackSandbox) -> None:
    event = message_event(user_id="U1", text="see the screenshot", channel_id="DU1")
    event |= {"subtype": "file_share", "files": [{"id": "F1", "name": "bug.png"}]}
    (comment,) = await dispatch(bare, event)
    assert isinstance(comment, CommentSubmitted) and comment.text == "see the screenshot"


async def test_hostile_comment_is_stored_verbatim_and_pings_nobody(slack: SlackHarness) -> None:
    assert "C0ALERTS" in await slack.command("alerts channel <#C0ALERTS|alerts>", user_id="UADMIN")
    attributes = {f"attribute_{i:02d}": "v" * 60 for i in range(40)}
    _, question = await slack.invite(display_name="<!here> Jane", **attributes)
    await slack.click(question, "nps_score_2")
    await eventually(lambda: len(slack.dm_texts()) >= 2)
    # What the person typed, as Slack escapes it: "<!channel> the <b>app</b> & billing..."
    # plus a typed "&lt;!here&gt;", which Slack sends as "&amp;lt;!here&amp;gt;".
    typed = (
        "&lt;!channel&gt; the &lt;b&gt;app&lt;/b&gt; &amp; billing are awful &amp;lt;!here&amp;gt;"
    )
    assert await slack.say(typed) == 200
    stored = "<!channel> the <b>app</b> & billing are awful &lt;!here&gt;"
    await eventually(lambda: slack.responses()[0].comment == stored)
    alert = await slack.posted_alert()
    await eventually(lambda: alert.edits >= 1)  # re-rendered with the comment
    shown = json.dumps([alert.blocks, alert.text])
    assert "<!" not in shown and "<b>" not in shown
    assert "&lt;!channel&gt; the &lt;b&gt;app&lt;/b&gt; &amp; billing" in shown
    assert "&amp;lt;!here&amp;gt;" in shown
    assert all(c.error is None for c in slack.sandbox.calls_to("chat.update"))
