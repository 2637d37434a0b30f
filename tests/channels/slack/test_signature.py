"""/slack/events checks Slack's signature on the raw bytes before anything parses them."""

from __future__ import annotations

import logging
import time

import aiohttp
import pytest

from channels.sandbox._signing import sign_request
from tests.channels.slack.conftest import SIGNING_SECRET
from tests.channels.slack.harness import SlackHarness

MARKER = "UNSIGNED-BODY-7f3a"
"""In every refused body: it must appear in no log line."""


async def post(url: str, body: bytes, headers: dict[str, str]) -> tuple[int, str]:
    async with (
        aiohttp.ClientSession() as session,
        session.post(
            url, data=body, headers={"Content-Type": "application/json", **headers}
        ) as answer,
    ):
        return answer.status, await answer.text()


def signed(body: bytes, *, timestamp: str | None = None) -> dict[str, str]:
    ts = timestamp or str(int(time.time()))
    signature = sign_request(signing_secret=SIGNING_SECRET, timestamp=int(ts), body=body)
    return {"X-Slack-Request-Timestamp": ts, "X-Slack-Signature": signature}


JUNK = f'{{"type": "event_callback", "event": {{"text": "{MARKER}"'.encode()  # not even JSON


def stamped(timestamp: str) -> dict[str, str]:
    return {"X-Slack-Request-Timestamp": timestamp, "X-Slack-Signature": "v0=1"}


REFUSED = {
    "no headers": {},
    "no signature": {"X-Slack-Request-Timestamp": str(int(time.time()))},
    "words for a timestamp": {
        "X-Slack-Request-Timestamp": "yesterday",
        "X-Slack-Signature": "v0=1",
    },
    "unicode digits": stamped("¹⁷⁶⁴⁵⁰⁰⁰⁰⁰"),
    "a huge number": stamped("9" * 400),
    "a forged signature": signed(b"something else"),
    "a stale signature": signed(JUNK, timestamp=str(int(time.time()) - 600)),
}


@pytest.mark.parametrize("case", list(REFUSED))
async def test_unsigned_or_malformed_requests_are_401_unparsed_and_unlogged(
    slack: SlackHarness, case: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    status, text = await post(slack.url, JUNK, REFUSED[case])
    assert status == 401 and "signature" in text and "Traceback" not in text
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert MARKER not in caplog.text
    assert slack.sandbox.calls_to("chat.postMessage") == []


async def test_a_signed_request_still_reaches_bolt(slack: SlackHarness) -> None:
    assert await slack.say("hello") == 200


async def test_a_body_over_the_limit_is_413_before_the_signature(slack: SlackHarness) -> None:
    body = b"x" * (1024 * 1024 + 1)
    status, _ = await post(slack.url, body, signed(body))
    assert status == 413
