"""The recorded real-shape payloads (`platform-payloads/slack_payloads`), fed through bolt
into the adapter, and the sandbox's own deliveries held against them key by key."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode

import aiohttp
import pytest

from channels.sandbox.slack_payloads import (
    block_action_payload,
    event_envelope,
    message_event,
    slash_command_payload,
    view_submission_payload,
)
from channels.sandbox.slack_webapi import WebApi
from channels.slack.alert_blocks import REPLY_BLOCK, REPLY_INPUT, REPLY_VIEW
from tests.case_rows import conversation
from tests.channels.slack.conftest import StartBot
from tests.channels.slack.harness import TEAM, SlackHarness, button, eventually

RECORDED = Path(__file__).resolve().parents[4] / "shared/platform-payloads/slack_payloads"
if not RECORDED.is_dir():  # a clone outside the shared workspace
    RECORDED = Path("/work/shared/platform-payloads/slack_payloads")
APP_DEFINED = {"blocks", "title", "close", "submit", "private_metadata", "values", "_comment"}
"""Keys whose content the app chose (its blocks, its modal), not Slack's envelope."""

pytestmark = pytest.mark.skipif(not RECORDED.is_dir(), reason="recorded payloads not present")


def recorded(name: str) -> Any:
    return json.loads((RECORDED / name).read_text())


def shape(value: Any) -> Any:
    """The structure of a payload: keys and JSON types, not values."""
    if isinstance(value, dict):
        return {k: "app" if k in APP_DEFINED else shape(v) for k, v in sorted(value.items())}
    if isinstance(value, list):
        return [shape(value[0])] if value else []
    return "null" if value is None else type(value).__name__


def ours(payload: dict[str, Any], **ids: Any) -> dict[str, Any]:
    """A recorded payload with its ids swapped for the sandbox's, so bolt routes it to us."""
    text = json.dumps(payload)
    for theirs, mine in ids.items():
        text = text.replace(theirs, str(mine))
    result: dict[str, Any] = json.loads(text)
    return result


async def post_payload(slack: SlackHarness, payload: dict[str, Any]) -> tuple[int, str]:
    body = urlencode({"payload": json.dumps(payload)}).encode()
    return await slack.signer.post(
        slack.url, body, content_type="application/x-www-form-urlencoded"
    )


# -- the sandbox delivers what Slack delivers -----------------------------------------------


def test_sandbox_deliveries_have_the_recorded_shapes() -> None:
    click = recorded("block_actions_dm_button.json")
    ours_click = block_action_payload(
        user_id="U1",
        action_id="nps_score_9",
        value="1:9",
        channel_id="DU1",
        message_ts="1.2",
        response_url="https://x",
    )
    assert shape(ours_click) == shape(click)

    event = recorded("event_callback_message_im.json")
    ours_event = event_envelope(message_event(user_id="U1", text="hi", channel_id="DU1"))
    assert shape(ours_event) == shape(event)

    view = recorded("view_submission_nps_comment.json")
    ours_view = view_submission_payload(
        user_id="U1", callback_id="c", private_metadata="1", values={"b": {"a": "text"}}
    )
    assert shape(ours_view) == shape(view)

    command = recorded("slash_command_form.json")
    ours_command = slash_command_payload(user_id="U1", text="help", response_url="https://x")
    assert shape(ours_command) == shape(command["fields"])
    assert set(dict(parse_qsl(command["raw_body"]))) == set(ours_command)


async def test_sandbox_socket_frames_have_the_recorded_shapes(start_bot: StartBot) -> None:
    slack = await start_bot(socket_mode=True)
    sandbox = slack.sandbox
    await sandbox.wait_connected()
    frames = recorded("web_api_429_and_socket_frames.json")
    async with aiohttp.ClientSession() as session:
        ws_url = (
            await slack.bot.adapters["slack"].client.apps_connections_open(  # type: ignore[attr-defined]
                app_token=sandbox.app_token
            )
        ).data
        assert shape(ws_url) == shape(frames["apps_connections_open_ok_body"])
        async with session.ws_connect(ws_url["url"]) as ws:
            hello = await ws.receive_json()
    assert shape(hello) == shape(frames["socket_mode_hello_frame"])
    retry = recorded("socket_mode_envelope_events_api_retry.json")
    await sandbox.push_envelope("events_api", retry["payload"], retry_attempt=1)
    sent = sandbox.socket.deliveries[-1]
    assert sent.attempts == 1 and sent.acked
    assert shape(sandbox.acks[-1]) == shape(frames["socket_mode_ack_frame_sent_by_app"])


async def test_sandbox_429_is_the_recorded_one(slack: SlackHarness) -> None:
    frames = recorded("web_api_429_and_socket_frames.json")
    web_api: WebApi = slack.sandbox.web_api
    web_api.faults.add("users.info", error="ratelimited", retry_after=30)
    status, body, headers = await web_api.answer("users.info", {}, slack.sandbox.bot_token)
    assert (status, body) == (frames["http_status"], frames["body"])
    assert headers["Retry-After"] == frames["headers"]["Retry-After"]


# -- the recorded payloads, through bolt, into the adapter ----------------------------------


async def test_recorded_click_records_the_score(slack: SlackHarness) -> None:
    invitation_id, question = await slack.invite()
    click = recorded("block_actions_dm_button.json")
    status, _ = await post_payload(slack, click)  # its value is another app's: ignored safely
    assert status == 200
    block_id, value = button(question, "nps_score_9")
    swapped = ours(
        click,
        U04RESP0NDR="U1",
        T01ACME0001=TEAM,
        D05DMCHAN01=question.channel,
        **{"survey=S2024Q2;score=9": value, "1718036400.123456": question.ts},
    )
    swapped["actions"][0]["block_id"] = block_id
    swapped["response_url"] = slack.sandbox.response_url()
    swapped["trigger_id"] = slack.sandbox.issue_trigger_id(swapped["trigger_id"])
    assert (await post_payload(slack, swapped))[0] == 200
    await eventually(lambda: [r.score for r in slack.responses()] == [9])
    assert slack.responses()[0].invitation_id == invitation_id


async def test_recorded_message_im_is_the_comment(slack: SlackHarness) -> None:
    _, question = await slack.invite()
    await slack.click(question, "nps_score_4")
    await eventually(lambda: len(slack.dm_texts()) >= 2)
    envelope = ours(recorded("event_callback_message_im.json"), U04RESP0NDR="U1", T01ACME0001=TEAM)
    status, _ = await slack.signer.post(
        slack.url, json.dumps(envelope).encode(), content_type="application/json"
    )
    assert status == 200
    text = envelope["event"]["text"]
    await eventually(lambda: slack.responses()[0].comment == text)


async def test_recorded_slash_command_is_answered(slack: SlackHarness) -> None:
    form = recorded("slash_command_form.json")
    fields = dict(parse_qsl(form["raw_body"]))
    fields["response_url"] = slack.sandbox.response_url("commands")
    status, body = await slack.signer.post(
        slack.url, urlencode(fields).encode(), content_type="application/x-www-form-urlencoded"
    )
    assert (status, body) == (200, "")
    (answer,) = await eventually(lambda: slack.sandbox.response_url_posts)
    assert answer.body["response_type"] == "ephemeral" and answer.status == 200


async def test_recorded_view_submission_relays_the_reply(slack: SlackHarness) -> None:
    assert "C0ALERTS" in await slack.command("alerts channel <#C0ALERTS|alerts>", user_id="UADMIN")
    _, question = await slack.invite()
    await slack.click(question, "nps_score_2")
    await slack.posted_alert()
    (response,) = slack.responses()
    submission = ours(recorded("view_submission_nps_comment.json"), U04RESP0NDR="UADMIN")
    view = submission["view"]
    view["callback_id"] = REPLY_VIEW
    view["private_metadata"] = str(response.id)
    view["state"]["values"] = {
        REPLY_BLOCK: {REPLY_INPUT: view["state"]["values"]["nps_reason"]["reason_text"]}
    }
    assert (await post_payload(slack, submission))[0] == 200
    typed = "Support team resolved my issue within an hour."
    await eventually(lambda: [text for _, _, text in conversation(slack.bot.db)] == [typed])
    assert typed in slack.dm_texts()[-1]


async def test_recorded_url_verification_is_answered(slack: SlackHarness) -> None:
    challenge = recorded("web_api_429_and_socket_frames.json")["url_verification_request_body"]
    status, body = await slack.signer.post(
        slack.url, json.dumps(challenge).encode(), content_type="application/json"
    )
    assert status == 200 and challenge["challenge"] in body


@pytest.mark.database
async def test_recorded_socket_retry_is_handled_once(start_bot: StartBot) -> None:
    slack = await start_bot(socket_mode=True)
    await slack.sandbox.wait_connected()
    _, question = await slack.invite()
    ack = await slack.sandbox.push_envelope(
        "interactive",
        block_action_payload(
            user_id="U1",
            action_id="nps_score_5",
            value=button(question, "nps_score_5")[1],
            block_id=button(question, "nps_score_5")[0],
            channel_id=question.channel,
            message_ts=question.ts,
            response_url=slack.sandbox.response_url(),
            workspace=slack.sandbox.workspace,
        ),
    )
    assert ack["envelope_id"]
    await eventually(lambda: len(slack.dm_texts()) >= 2)
    frame = recorded("socket_mode_envelope_events_api_retry.json")
    payload = ours(frame["payload"], U04RESP0NDR="U1", T01ACME0001=TEAM)
    for attempt in (frame["retry_attempt"], frame["retry_attempt"] + 1):
        await slack.sandbox.push_envelope("events_api", payload, retry_attempt=attempt)
    text = payload["event"]["text"]
    await eventually(lambda: slack.responses()[0].comment == text)
