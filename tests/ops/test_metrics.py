"""`/metrics` after a small loop through the Slack sandbox: invitations sent and answered."""

from __future__ import annotations

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from channels.sandbox.slack import SlackSandbox
from tests.channels.slack.conftest import sandbox, start_bot  # noqa: F401  (fixtures)
from tests.channels.slack.harness import SlackHarness, eventually


def samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


@pytest.mark.database  # the only cover of oldest_due
async def test_metrics_count_a_small_loop(start_bot, sandbox: SlackSandbox) -> None:  # noqa: F811
    slack: SlackHarness = await start_bot()
    sandbox.add_user("U3", name="cy")
    sandbox.fail_next("chat.postMessage", status=429, count=1, retry_after=0)
    questions = {user: (await slack.invite(user))[1] for user in ("U1", "U2", "U3")}
    assert await slack.click(questions["U1"], "nps_score_10") == 200
    assert await slack.click(questions["U2"], "nps_score_3", user_id="U2") == 200
    await eventually(lambda: len(slack.responses()) == 2)
    assert await slack.say("too slow", user_id="U2") == 200
    await eventually(lambda: slack.responses()[1].comment)

    async with httpx.AsyncClient(base_url=slack.url.removesuffix("/slack/events")) as http:
        scrape = await http.get("/metrics")
    assert scrape.headers["content-type"].startswith("text/plain")
    found = samples(scrape.text)
    assert found[("npsbot_invitations_total", (("outcome", "sent"), ("reason", "")))] == 3
    responses = "npsbot_responses_total"
    assert found[(responses, (("category", "promoter"), ("platform", "slack")))] == 1
    assert found[(responses, (("category", "detractor"), ("platform", "slack")))] == 1
    assert found[("npsbot_comments_total", (("platform", "slack"),))] == 1
    rate_limited = (("method", "chat.postMessage"), ("platform", "slack"))
    assert found[("npsbot_platform_429_total", rate_limited)] == 1
    acks = found[("npsbot_request_ack_seconds_count", (("route", "/slack/events"),))]
    assert acks >= 3
    assert found[("npsbot_dispatch_lag_seconds", ())] == 0
