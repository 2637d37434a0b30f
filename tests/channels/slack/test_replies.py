"""The one route of an answer to the person who acted: the response_url, else a DM."""

from __future__ import annotations

import aiohttp

from bot.events import Origin
from channels.slack.adapter import SlackAdapter
from channels.slack.replies import Replies
from tests.channels.slack.harness import SlackHarness, eventually


def _replies(slack: SlackHarness) -> tuple[Replies, Origin]:
    adapter = slack.bot.adapters["slack"]
    assert isinstance(adapter, SlackAdapter)
    origin = Origin(platform="slack", workspace=slack.sandbox.workspace.team_id, user_id="U1")
    return Replies(client=adapter.client, send_text=adapter.send_text), origin


async def test_an_answer_goes_ephemerally_to_the_response_url(slack: SlackHarness) -> None:
    tell, origin = _replies(slack)
    url = slack.sandbox.response_url("actions")

    await tell(origin, "Only you can see this", response_url=url)

    (post,) = slack.sandbox.response_url_posts
    assert post.status == 200 and post.body["response_type"] == "ephemeral"
    assert post.body["text"] == "Only you can see this" and post.body["replace_original"] is False
    assert slack.dm_texts() == []


async def test_a_slash_commands_answer_does_not_ask_to_replace_an_original(
    slack: SlackHarness,
) -> None:
    tell, origin = _replies(slack)

    await tell(origin, "Done", response_url=slack.sandbox.response_url("commands"), command=True)

    (post,) = slack.sandbox.response_url_posts
    assert post.status == 200 and "replace_original" not in post.body


async def test_an_answer_the_response_url_refuses_arrives_as_a_dm(slack: SlackHarness) -> None:
    tell, origin = _replies(slack)
    url = slack.sandbox.response_url("actions")
    async with aiohttp.ClientSession() as http:
        for _ in range(5):  # Slack takes five posts per response_url
            async with http.post(url, json={"text": "earlier"}) as answer:
                assert answer.status == 200

    await tell(origin, "You will not be asked again", response_url=url)

    assert slack.sandbox.response_url_posts[-1].status == 404
    assert await eventually(lambda: "You will not be asked again" in slack.dm_texts())


async def test_without_a_response_url_the_answer_is_a_dm(slack: SlackHarness) -> None:
    tell, origin = _replies(slack)

    await tell(origin, "Your reply was delivered.")

    assert slack.dm_texts() == ["Your reply was delivered."]
    assert slack.sandbox.response_url_posts == []
