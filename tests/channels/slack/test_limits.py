"""Every Slack surface at its worst case, accepted by the enforcing sandbox, pinging nobody."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from dataclasses import replace
from typing import Any

import pytest
from slack_sdk.web.async_client import AsyncWebClient

from bot import wording
from bot.channel import Alert, Followup, Question, Recipient
from bot.clock import SystemClock
from bot.events import Event
from bot.settings import Settings
from channels.sandbox.slack import SlackSandbox
from channels.slack import SlackAdapter
from channels.slack.alert_blocks import reply_modal
from channels.slack.digest_blocks import render_digest_blocks
from scoring.nps import Counts
from scoring.segments import SegmentRow, segment_table
from scoring.themes import Theme
from tests.digest_sample import sample_digest
from tests.phrases import CATALOGUE, EN

LIVE = re.compile(r"<[!@#]|<https?:")
"""What Slack would turn into a mention, a channel ping or a link."""
HOSTILE = "<!channel> <!here> <!subteam^S1> <@U0BOT> <https://evil.example|click> & &lt;!here&gt;"


async def ignore(event: Event) -> str | None:
    return None


@pytest.fixture
async def sandbox() -> AsyncIterator[SlackSandbox]:
    async with SlackSandbox() as sb:
        sb.add_user("U1")
        sb.add_channel("C0ALERTS", ["U1", "U0BOT"])
        yield sb


@pytest.fixture
def adapter(sandbox: SlackSandbox) -> SlackAdapter:
    settings = Settings(
        SLACK_BOT_TOKEN=sandbox.bot_token,
        SLACK_SIGNING_SECRET="secret",
        NPSBOT_SLACK_API_URL=sandbox.api_url,
    )
    return SlackAdapter(
        settings=settings.slack, handle=ignore, clock=SystemClock(), catalogue=CATALOGUE
    )


def texts(value: Any) -> list[str]:
    """Every mrkdwn string a message would show (plain_text is never parsed for mentions)."""
    if isinstance(value, dict) and value.get("type") == "plain_text":
        return []
    if isinstance(value, dict):
        return [t for v in value.values() for t in texts(v)]
    if isinstance(value, list):
        return [t for v in value for t in texts(v)]
    return [value] if isinstance(value, str) else []


def worst_alert(**over: Any) -> Alert:
    return Alert(
        response_id=10**12,
        score=0,
        respondent=HOSTILE * 20,
        attributes={f"{i:02d}" + "k" * 98: HOSTILE[:99] + str(i) for i in range(50)},
        comment=(HOSTILE + "\n") * 250,  # over 20,000 characters, many lines
        owner=HOSTILE * 10,
        reply=HOSTILE * 100,
        labels=wording.alert_labels(EN, score=0, respondent=HOSTILE * 20, owner=HOSTILE * 10),
        **over,
    )


async def test_worst_case_alert_is_accepted_and_pings_nobody(
    sandbox: SlackSandbox, adapter: SlackAdapter
) -> None:
    alert = worst_alert()
    assert len(alert.comment or "") > 20_000
    ref = await adapter.post_alert(chat_id="C0ALERTS", alert=alert)
    assert ref is not None
    await adapter.update_alert(ref=ref, alert=replace(alert, owner=None))
    (posted,) = sandbox.messages_in("C0ALERTS")
    assert [c.error for c in sandbox.calls] == [None, None]
    shown = [*texts(posted.blocks), posted.text or ""]
    assert not [t for t in shown if LIVE.search(t)]
    assert any(t.endswith("…") for t in shown)  # the comment was cut, and says so
    assert any("more attribute" in t for t in shown)
    assert "&amp;lt;!here&amp;gt;" in str(posted.blocks)  # typed entities stay as typed


async def test_worst_case_digest_is_accepted(sandbox: SlackSandbox, adapter: SlackAdapter) -> None:
    digest = sample_digest()
    quote = (HOSTILE + " ") * 30
    themes = tuple(
        Theme(
            term=f"{HOSTILE} term {i}" * 3,
            z=3.0,
            count_detractors=9,
            count_promoters=1,
            quotes=(quote,) * 3,
            count=10,
            detractor_share=0.45,
            promoter_share=0.02,
        )
        for i in range(40)
    )
    digest = replace(
        digest,
        company=HOSTILE * 10,
        themes=replace(digest.themes, detractor_themes=themes, promoter_themes=themes),
    )
    rows = [SegmentRow("plan", (HOSTILE + str(i)) * 2, 30, 20, 10) for i in range(60)]
    digest = replace(
        digest, segments=tuple(segment_table(rows, overall=Counts(1800, 1200, 600), min_group=5))
    )
    fallback, blocks = render_digest_blocks(digest, EN)
    await adapter.post_digest(chat_id="C0ALERTS", digest=digest, chart_png=b"")
    assert sandbox.calls_to("chat.postMessage")[-1].error is None
    assert not [t for t in [*texts(blocks), fallback] if LIVE.search(t)]
    assert any(re.search(r"… and \d+ more```", t) for t in texts(blocks))


async def test_invitation_and_modal_fit(sandbox: SlackSandbox, adapter: SlackAdapter) -> None:
    question = Question(
        invitation_id=2**62,
        text="How likely are you to recommend " + "Acme " * 1000,
        low_label="0 = " + "not at all " * 300,
        high_label="10 = " + "extremely " * 300,
        opt_out_label="Don't ask me again, " * 10,
        remind_label="Remind me later, " * 10,
        answered="You chose " * 500,
    )
    ref = await adapter.send_question(recipient=Recipient(user_id="U1"), question=question)
    await adapter.show_score(ref=ref, question=question, score=10)
    followup = Followup(
        invitation_id=2**62,
        text="Why? " * 1000,
        skip_label="Skip " * 50,
        reply_hint="Reply here " * 100,
        placeholder="Type " * 100,
    )
    await adapter.ask_followup(recipient=Recipient(user_id="U1"), ref=ref, followup=followup)
    assert [c.error for c in sandbox.calls] == [None, None, None]

    client = AsyncWebClient(token=sandbox.bot_token, base_url=sandbox.api_url)
    opened = await client.views_open(
        trigger_id=sandbox.issue_trigger_id(), view=reply_modal(10**15, EN)
    )
    assert opened["ok"]
