"""Socket Mode: the same listeners over a websocket, surviving a dropped connection."""

from __future__ import annotations

from channels.sandbox.slack_payloads import block_action_payload, event_envelope, message_event
from tests.channels.slack.conftest import StartBot
from tests.channels.slack.harness import button, eventually


async def test_envelopes_are_acked_and_handled_across_a_reconnect(start_bot: StartBot) -> None:
    slack = await start_bot(socket_mode=True)
    sandbox = slack.sandbox
    await sandbox.wait_connected()
    assert slack.bot.adapters["slack"].routes() == []
    _, question = await slack.invite()
    block_id, value = button(question, "nps_score_7")

    click = block_action_payload(
        user_id="U1",
        action_id="nps_score_7",
        value=value,
        block_id=block_id,
        channel_id=question.channel,
        message_ts=question.ts,
        response_url=sandbox.response_url(),
        workspace=sandbox.workspace,
    )
    ack = await sandbox.push_envelope("interactive", click)
    assert ack["envelope_id"] and "payload" not in ack
    await eventually(lambda: [r.score for r in slack.responses()] == [7])

    await sandbox.drop_socket()
    await sandbox.wait_connected()
    followup = slack.sandbox.messages_in("DU1")[-1]
    comment = message_event(
        user_id="U1", text="solid product", channel_id="DU1", thread_ts=followup.ts
    )  # a reply in the follow-up's thread counts as well
    await sandbox.push_envelope("events_api", event_envelope(comment, workspace=sandbox.workspace))
    await eventually(lambda: slack.responses()[0].comment == "solid product")
    assert sandbox.connection_count == 2
    assert len(sandbox.calls_to("apps.connections.open")) == 2
