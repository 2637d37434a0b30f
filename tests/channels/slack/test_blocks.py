"""Block Kit builders and text normalisation, without any I/O."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest

from bot import wording
from bot.channel import Alert
from channels.slack.alert_blocks import alert_blocks, alert_text, reply_modal, reply_text
from channels.slack.blocks import (
    SCORE_ACTION,
    SECTION_LIMIT,
    answered_blocks,
    parse_score_value,
    question_blocks,
    question_json,
)
from channels.slack.mentions import normalise, unescape
from channels.templates import TEMPLATE_ID
from tests.phrases import EN


@pytest.mark.parametrize(
    ("typed", "normalised"),
    [
        ("send <@U123ABC|jane.doe> --force", "send @U123ABC --force"),
        ("send <@W123>", "send @W123"),
        ("audience add <#C0CUST|customers> <#G1|>", "audience add #C0CUST #G1"),
        ("  cadence window Mon-Fri 10:00-17:00 ", "cadence window Mon-Fri 10:00-17:00"),
        ("alerts channel <#C9>", "alerts channel #C9"),
    ],
)
def test_slash_command_mentions_are_normalised(typed: str, normalised: str) -> None:
    assert normalise(typed) == normalised


def test_comments_are_unescaped() -> None:
    assert unescape("price &gt; value &amp; support &lt;3") == "price > value & support <3"


def test_score_values_and_action_ids() -> None:
    assert parse_score_value("42:8") == (42, 8)
    assert parse_score_value("42:") is None and parse_score_value("x:1") is None
    assert SCORE_ACTION.match("nps_score_10") and not SCORE_ACTION.match("nps_score_11")


def test_answered_question_keeps_no_buttons() -> None:
    question = wording.question(EN, invitation_id=7, company="Acme")
    assert any(block["type"] == "actions" for block in question_blocks(question))
    assert all(block["type"] != "actions" for block in answered_blocks(question))


@pytest.mark.parametrize("company", ["Acme", f"Acme {TEMPLATE_ID}", 'Ac"me <&> \u00e9'])
def test_the_cached_question_json_is_the_questions_blocks_encoded(company: str) -> None:
    """Per send only the id changes; words that contain the template's id are encoded whole."""
    for invitation_id in (7, 123_456_789):
        question = wording.question(EN, invitation_id=invitation_id, company=company)
        assert question_json(question) == json.dumps(question_blocks(question))
        reminder = replace(question, text=f"{question.text} (reminder)")
        assert json.loads(question_json(reminder)) == question_blocks(reminder)


def test_anonymous_alert_and_long_comment() -> None:
    labels = wording.alert_labels(EN, score=1, respondent=None, owner=None)
    alert = Alert(response_id=3, score=1, respondent=None, comment="x" * 20_000, labels=labels)
    blocks = alert_blocks(alert, EN)
    assert "Anonymous respondent" in alert_text(alert) and "Anonymous respondent" in str(blocks)
    comment = next(b for b in blocks if b["type"] == "section" and "text" in b)
    assert len(comment["text"]["text"]) == SECTION_LIMIT


def test_reply_modal_round_trip() -> None:
    modal = reply_modal(12, EN)
    assert (modal["callback_id"], modal["private_metadata"]) == ("nps_alert_reply", "12")
    submitted = {"state": {"values": {"nps_reply": {"text": {"value": "On it"}}}}}
    assert reply_text(submitted) == "On it" and reply_text({}) == ""
